/**
 * Every Linear mapping's candidates in one request per cycle (issue 12, item 3): a steady cycle
 * is one request whatever the number of mappings, where it was one per mapping (20 mappings
 * polled every 30 s spent 96 % of an API key's 2,500 requests an hour).
 *
 * - A full read lists the teams' issues carrying a managed label (the trigger or a lifecycle
 *   label), page by page, and replaces what is known of those teams. It happens at the first
 *   read and when a team is asked for that was not read yet.
 * - After it, an incremental read asks for the issues updated since the last read, labelled or
 *   not: one that still carries a managed label replaces its entry, one that no longer does
 *   leaves the candidates.
 * - A deleted or archived issue is never "updated": the same request carries one page of a
 *   **sweep**, the ids of every labelled issue, 250 a page. When a sweep has walked the whole
 *   set, a known issue it did not see, and that no read showed since the sweep began, is gone.
 *   An id the sweep shows that no read did is fetched by the next request. So removals are
 *   seen within one sweep (2,000 labelled issues: 8 cycles, 4 min at a 30 s poll) at no extra
 *   request, where an hourly full read of 10,000 labelled issues was 100 more requests an hour.
 *
 * The watermark is Linear's own `updatedAt` (the server's clock, not ours), less a margin for
 * writes that commit while a read pages; entries are keyed by id, so an overlap costs nothing.
 * Only Linear's times move it, never our clock, so clock skew can never hide a change; until
 * a team has one (nothing labelled seen yet), its reads stay full ones, which are then cheap.
 *
 * The reads carry no team filter (a full read and the sweep filter by label only, an
 * incremental one by time only), so the same request also sees triggered issues of teams no
 * mapping covers: `unmapped` answers them for the Blockers view (`No mapping for team X`).
 */
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { CandidatesData, IssueNode, SweptCandidatesData } from './linear-queries.js';
import { toTicketIssue } from './linear-queries.js';

export interface CandidateReaderDeps {
  /** One page of TEAMS_CANDIDATES_QUERY with this filter (retried, governed by the caller). */
  page(filter: Record<string, unknown>, after: string | null): ResultAsync<CandidatesData, ServiceError>;
  /** The first page of an incremental read with one page of the sweep (TEAMS_CANDIDATES_SWEPT_QUERY). */
  sweptPage(
    filter: Record<string, unknown>,
    sweep: { filter: Record<string, unknown>; after: string | null },
  ): ResultAsync<SweptCandidatesData, ServiceError>;
  managedLabels: readonly string[];
  /** The label that asks for work (`AI-Implement`): an unmapped team's issue carrying it is a blocker. */
  triggerLabel: string;
}

export interface CandidateReader {
  /** The candidates of each team key asked for (a team with none maps to []). */
  read(teamKeys: readonly string[]): ResultAsync<Map<string, TicketIssue[]>, ServiceError>;
  /** Triggered issues of the teams outside `mappedTeamKeys`, as the last read saw them (no request). */
  unmapped(mappedTeamKeys: readonly string[]): TicketIssue[];
}

/** Writes committing while a read pages may carry a slightly older `updatedAt`. */
const WATERMARK_MARGIN_MS = 5_000;
/** Ids the sweep found unknown, fetched in full by the next request: at most this many at once. */
const FETCH_AT_ONCE = 50;

interface TeamCache {
  issues: Map<string, TicketIssue>;
  /** Linear's `updatedAt` (epoch ms) up to which this team's changes have been read. */
  watermark: number;
}

interface Sweep {
  after: string | null;
  seen: Set<string>;
  /** The first read that counts as "during this sweep". */
  startedAtRead: number;
}

export function createCandidateReader(deps: CandidateReaderDeps): CandidateReader {
  const managed = new Set(deps.managedLabels);
  const labelFilter = { labels: { some: { name: { in: deps.managedLabels } } } };
  const teams = new Map<string, TeamCache>();
  /** Triggered issues of teams outside the last read's keys, by id. */
  let outside = new Map<string, TicketIssue>();
  /** Every labelled issue any read showed (any team), with the number of the last read that did. */
  const lastSeen = new Map<string, number>();
  /** Ids the sweep showed that no read did: asked for by the next request. */
  const unknown = new Set<string>();
  let reads = 0;
  let sweep: Sweep = { after: null, seen: new Set(), startedAtRead: 1 };

  function collect(filter: Record<string, unknown>, after: string | null, acc: IssueNode[]) {
    return deps.page(filter, after).andThen((data): ResultAsync<IssueNode[], ServiceError> => {
      acc.push(...data.issues.nodes);
      const next = nextCursor(data.issues.pageInfo);
      return next ? collect(filter, next, acc) : okAsync(acc);
    });
  }

  /** The first page with the sweep's page; a sweep cursor Linear refuses (its issue is gone) starts the sweep again. */
  function firstPageWithSweep(filter: Record<string, unknown>) {
    const ask = () => deps.sweptPage(filter, { filter: labelFilter, after: sweep.after });
    return ask().orElse((error) => {
      if (error.kind !== 'invalid' || sweep.after === null) return errAsync(error);
      sweep = { after: null, seen: new Set(), startedAtRead: reads };
      return ask();
    });
  }

  function apply(nodes: IssueNode[], keys: string[], full: boolean, since: number | undefined) {
    const newest = nodes.reduce((max, n) => Math.max(max, Date.parse(n.updatedAt) || 0), 0);
    for (const key of keys) {
      const previous = teams.get(key);
      const cache: TeamCache =
        full || !previous ? { issues: new Map(), watermark: 0 } : { ...previous, issues: new Map(previous.issues) };
      if (newest > 0) cache.watermark = Math.max(cache.watermark, since ?? 0, newest - WATERMARK_MARGIN_MS);
      teams.set(key, cache);
    }
    if (full) outside = new Map();
    for (const node of nodes) {
      const issue = toTicketIssue(node);
      const labelled = issue.labels.some((l) => managed.has(l));
      unknown.delete(issue.id);
      if (labelled) lastSeen.set(issue.id, reads);
      else lastSeen.delete(issue.id);
      if (!keys.includes(node.team.key)) {
        // A team outside the set asked for: only whether it waits for a mapping matters.
        if (issue.labels.includes(deps.triggerLabel) && issue.stage === 'triggered') outside.set(issue.id, issue);
        else outside.delete(issue.id);
        continue;
      }
      outside.delete(issue.id);
      const cache = teams.get(node.team.key);
      if (!cache) continue;
      // An issue moved between teams leaves the team it was in.
      for (const [key, other] of teams) if (key !== node.team.key) other.issues.delete(issue.id);
      if (labelled) cache.issues.set(issue.id, issue);
      else cache.issues.delete(issue.id);
    }
  }

  /** One sweep page seen: remember its ids; at the end of the set, what it never saw (and no read showed since it began) is gone. */
  function advanceSweep(page: SweptCandidatesData['sweep']) {
    for (const { id } of page.nodes) {
      sweep.seen.add(id);
      if (!lastSeen.has(id)) unknown.add(id);
    }
    const next = nextCursor(page.pageInfo);
    if (next) {
      sweep.after = next;
      return;
    }
    for (const [id, read] of lastSeen) {
      if (sweep.seen.has(id) || read >= sweep.startedAtRead) continue;
      lastSeen.delete(id);
      outside.delete(id);
      for (const cache of teams.values()) cache.issues.delete(id);
    }
    sweep = { after: null, seen: new Set(), startedAtRead: reads + 1 };
  }

  return {
    read(teamKeys) {
      const keys = [...new Set(teamKeys)];
      if (keys.length === 0) return okAsync(new Map());
      reads += 1;
      const known = keys.map((k) => teams.get(k));
      // No watermark yet (nothing labelled seen): a labelled read is the cheaper one.
      const full = known.some((t) => t === undefined || t.watermark === 0);
      const answer = () => new Map(keys.map((k) => [k, [...(teams.get(k)?.issues.values() ?? [])]]));
      if (full) {
        return collect(labelFilter, null, []).map((nodes) => {
          apply(nodes, keys, true, undefined);
          // A full read saw everything: the next sweep starts afresh.
          sweep = { after: null, seen: new Set(), startedAtRead: reads + 1 };
          unknown.clear();
          return answer();
        });
      }
      const since = Math.min(...known.map((t) => t!.watermark));
      const changed = { updatedAt: { gt: new Date(since).toISOString() } };
      const fetch = [...unknown].slice(0, FETCH_AT_ONCE);
      const filter = fetch.length > 0 ? { or: [changed, { id: { in: fetch } }] } : changed;
      return firstPageWithSweep(filter).andThen((first) => {
        // Asked for once: one that did not come back is gone or hidden, and a later sweep would show it again.
        for (const id of fetch) unknown.delete(id);
        const next = nextCursor(first.issues.pageInfo);
        const rest = next ? collect(filter, next, []) : okAsync<IssueNode[], ServiceError>([]);
        return rest.map((more) => {
          apply([...first.issues.nodes, ...more], keys, false, since);
          advanceSweep(first.sweep);
          return answer();
        });
      });
    },
    unmapped(mappedTeamKeys) {
      return [...outside.values()].filter((issue) => !mappedTeamKeys.includes(issue.teamKey));
    },
  };
}

function nextCursor(pageInfo: { hasNextPage: boolean; endCursor?: string | null }): string | null {
  return pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null;
}
