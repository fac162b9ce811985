/**
 * Every Linear mapping's candidates in one query per cycle (issue 12, item 3): a steady cycle
 * is one request whatever the number of mappings, where it was one per mapping (20 mappings
 * polled every 30 s spent 96 % of an API key's 2,500 requests an hour).
 *
 * - A full read lists the teams' issues carrying a managed label (the trigger or a lifecycle
 *   label), page by page, and replaces what is known of those teams.
 * - Between full reads, an incremental read asks for the teams' issues updated since the last
 *   read, labelled or not: one that still carries a managed label replaces its entry, one that
 *   no longer does leaves the candidates.
 * - A deleted or archived issue is never "updated", so a full read comes again every
 *   `fullReadEveryMs` (and for any team not read yet).
 *
 * The watermark is Linear's own `updatedAt` (the server's clock, not ours), less a margin for
 * writes that commit while a read pages; entries are keyed by id, so an overlap costs nothing.
 * Only Linear's times move it, never our clock, so clock skew can never hide a change; until
 * a team has one (nothing labelled seen yet), its reads stay full ones, which are then cheap.
 *
 * The reads carry no team filter (a full read filters by label only, an incremental one by
 * time only), so the same request also sees triggered issues of teams no mapping covers:
 * `unmapped` answers them for the Blockers view (`No mapping for team X`) at no extra request.
 */
import { okAsync, type ResultAsync } from 'neverthrow';
import type { TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { CandidatesData } from './linear-queries.js';
import { toTicketIssue } from './linear-queries.js';

export interface CandidateReaderDeps {
  /** One page of TEAMS_CANDIDATES_QUERY with this filter (retried, governed by the caller). */
  page(filter: Record<string, unknown>, after: string | null): ResultAsync<CandidatesData, ServiceError>;
  managedLabels: readonly string[];
  /** The label that asks for work (`AI-Implement`): an unmapped team's issue carrying it is a blocker. */
  triggerLabel: string;
  now: () => number;
  fullReadEveryMs?: number;
}

export interface CandidateReader {
  /** The candidates of each team key asked for (a team with none maps to []). */
  read(teamKeys: readonly string[]): ResultAsync<Map<string, TicketIssue[]>, ServiceError>;
  /** Triggered issues of the teams outside `mappedTeamKeys`, as the last read saw them (no request). */
  unmapped(mappedTeamKeys: readonly string[]): TicketIssue[];
}

/**
 * Removals (deletes, archives) are seen at the latest this long after they happen. Hourly: a
 * full read of 20 mappings of 500 issues is 100 requests, 4 % of an API key's hourly budget.
 */
export const FULL_READ_EVERY_MS = 60 * 60_000;
/** Writes committing while a read pages may carry a slightly older `updatedAt`. */
const WATERMARK_MARGIN_MS = 5_000;
interface TeamCache {
  issues: Map<string, TicketIssue>;
  /** Linear's `updatedAt` (epoch ms) up to which this team's changes have been read. */
  watermark: number;
  fullReadAt: number;
}

export function createCandidateReader(deps: CandidateReaderDeps): CandidateReader {
  const fullReadEveryMs = deps.fullReadEveryMs ?? FULL_READ_EVERY_MS;
  const managed = new Set(deps.managedLabels);
  const teams = new Map<string, TeamCache>();
  /** Triggered issues of teams outside the last read's keys, by id. */
  let outside = new Map<string, TicketIssue>();

  function collect(filter: Record<string, unknown>, after: string | null, acc: CandidatesData['issues']['nodes']) {
    return deps.page(filter, after).andThen((data): ResultAsync<CandidatesData['issues']['nodes'], ServiceError> => {
      acc.push(...data.issues.nodes);
      const next = data.issues.pageInfo.hasNextPage ? (data.issues.pageInfo.endCursor ?? null) : null;
      return next ? collect(filter, next, acc) : okAsync(acc);
    });
  }

  return {
    read(teamKeys) {
      const keys = [...new Set(teamKeys)];
      if (keys.length === 0) return okAsync(new Map());
      const now = deps.now();
      const known = keys.map((k) => teams.get(k));
      // No watermark yet (nothing labelled seen): a labelled read is the cheaper one.
      const full = known.some((t) => t === undefined || t.watermark === 0 || now - t.fullReadAt >= fullReadEveryMs);
      const since = full ? undefined : Math.min(...known.map((t) => t!.watermark));
      const filter =
        since === undefined
          ? { labels: { some: { name: { in: deps.managedLabels } } } }
          : { updatedAt: { gt: new Date(since).toISOString() } };
      return collect(filter, null, []).map((nodes) => {
        const newest = nodes.reduce((max, n) => Math.max(max, Date.parse(n.updatedAt) || 0), 0);
        for (const key of keys) {
          const previous = teams.get(key);
          const cache: TeamCache =
            full || !previous
              ? { issues: new Map(), watermark: 0, fullReadAt: now }
              : { ...previous, issues: new Map(previous.issues) };
          if (newest > 0) cache.watermark = Math.max(cache.watermark, since ?? 0, newest - WATERMARK_MARGIN_MS);
          teams.set(key, cache);
        }
        if (full) outside = new Map();
        for (const node of nodes) {
          const issue = toTicketIssue(node);
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
          if (issue.labels.some((l) => managed.has(l))) cache.issues.set(issue.id, issue);
          else cache.issues.delete(issue.id);
        }
        return new Map(keys.map((k) => [k, [...(teams.get(k)?.issues.values() ?? [])]]));
      });
    },
    unmapped(mappedTeamKeys) {
      return [...outside.values()].filter((issue) => !mappedTeamKeys.includes(issue.teamKey));
    },
  };
}
