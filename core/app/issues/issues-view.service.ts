import { err, ok, type Result } from 'neverthrow';
import type { Storage } from '../../../ports/storage.port.js';
import { IN_FLIGHT_STATUSES } from '../../domain/job-status.js';
import { STAGE_TABLE } from '../../domain/lifecycle.js';
import type { Job, Mapping, TicketIssue } from '../../domain/model.js';
import { redactSecrets } from '../../domain/redaction.js';
import {
  DEFAULT_FETCH_DEADLINE_MS,
  type MappingSnapshot,
  type ReconcileService,
  trackerName,
} from '../dispatch/reconcile.service.js';

export interface IssuesViewDeps {
  storage: Storage;
  reconcile: ReconcileService;
  /**
   * How long a view waits for the reconcile cycle it asks for (before the first cycle, or for a
   * mapping no cycle has fetched yet); past it, the view answers from what was fetched, and a
   * mapping still unfetched counts as failed. Default: the default fetch deadline and 2 s for the
   * rest of the cycle (VIEW_WAIT_MS); the composition root gives the fetch deadline in force + 2 s.
   */
  waitMs?: number;
  /** Values redacted from the tracker errors a view shows (the configured secrets). */
  secretValues?: () => readonly string[];
}

/** A view's wait for a cycle: the fetch deadline, and 2 s for the rest of it. */
export const VIEW_WAIT_MARGIN_MS = 2_000;
const VIEW_WAIT_MS = DEFAULT_FETCH_DEADLINE_MS + VIEW_WAIT_MARGIN_MS;

/** A mapping whose tracker failed, or did not answer in time: its issues are missing from the view. */
export interface MappingErrorRow {
  teamKey: string;
  error: string;
}

export interface IssueRow {
  id: string;
  identifier: string;
  title: string;
  teamKey: string;
  url: string;
  stage: TicketIssue['stage'];
  stageName: string;
  /** The tracker's state type: started / completed / cancelled / unstarted … */
  state: string | null;
  stateName: string | null;
  labels: string[];
  priority: number;
  createdAt: string;
  /** Planning has yet to run or finish before implementation may start. */
  planningPending: boolean;
  /** Implementation may be dispatched (plan done and approved, or planning off). */
  readyForImplementation: boolean;
  activeJob: { id: string; phase: Job['phase']; status: Job['status'] } | null;
}

export interface BlockerRow {
  issueId: string;
  identifier: string;
  title: string;
  teamKey: string;
  mapping: string;
  reason: string;
  message: string;
  url: string;
}

/**
 * A mapping none of whose issues could be looked at this cycle: its tracker is rate limited
 * (`rate-limited`, until when) or failed or did not answer in time (`tracker-unavailable`).
 */
export interface MappingBlockerRow {
  mapping: string;
  teamKey: string;
  reason: 'rate-limited' | 'tracker-unavailable';
  message: string;
  until?: number;
}

export type IssuesViewError = { kind: 'upstream'; message: string };

/** A page of the Issues list: a long list is read a page at a time (2,000 issues are 0.9 MB). */
export interface IssuesPage {
  /** Identifier, title or team containing this, in any case. */
  q?: string;
  /** At most this many (0: only the total and the counts); none: all. */
  limit?: number;
  offset?: number;
}

export interface IssuesViewService {
  /**
   * Every mapping's issues, or one page of those matching `q` (`total` counts them all). A mapping
   * whose tracker failed has its issues missing and an entry in `errors` (the error redacted);
   * when every mapping failed, the view is the first error (502).
   */
  issues(page?: IssuesPage): Promise<
    Result<
      {
        issues: IssueRow[];
        total: number;
        inProgress: { teamKey: string; count: number; cap: number }[];
        errors: MappingErrorRow[];
      },
      IssuesViewError
    >
  >;
  /** Every blocked issue, or one page of them (the KPIs count them all). */
  blockers(page?: Pick<IssuesPage, 'limit' | 'offset'>): Promise<
    Result<
      {
        kpis: {
          totalBlocked: number;
          teamsAffected: number;
          blockedByConcurrency: number;
          blockedByDedup: number;
          blockedByBudget: number;
        };
        blockers: BlockerRow[];
        mappings: MappingBlockerRow[];
      },
      IssuesViewError
    >
  >;
}

/** The reasons the Blockers view lists (spec "Blocker reasons"); paused and blocked-by-issue are eligibility checks. */
const BLOCKER_REASONS = new Set(['concurrency', 'dedup', 'no-mapping', 'budget']);

/**
 * The Issues and Blockers views, served from the reconcile loop's latest fetch so that looking
 * at the admin never costs the tracker a request; before the first cycle it runs one, and a
 * mapping no cycle has fetched yet (one created since) is fetched first, so a new mapping's
 * issues, or its provider's failure (502), show at once rather than after the next poll.
 */
export function createIssuesViewService(deps: IssuesViewDeps): IssuesViewService {
  const { storage, reconcile } = deps;
  const waitMs = deps.waitMs ?? VIEW_WAIT_MS;
  const redact = (text: string) => redactSecrets(text, deps.secretValues?.() ?? []);

  /** Resolves once `request` settles, or after `waitMs`, whichever comes first. */
  async function waitFor(request: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref?.();
    });
    try {
      await Promise.race([request.then(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The reconcile loop's latest fetch per mapping; a mapping the cycle asked for could not fetch
   * within the wait is a failed snapshot, so the view never holds an operator for a hung tracker.
   */
  async function current() {
    let view = reconcile.snapshot();
    const mappings = await storage.mappings.list();
    const unfetched = mappings.map((m) => m.teamKey).filter((key) => !view.mappings.has(key));
    if (!view.last || unfetched.length > 0) {
      await waitFor(reconcile.request(view.last ? unfetched : undefined));
      view = reconcile.snapshot();
    }
    const snapshots = mappings.map((m) => view.mappings.get(m.teamKey) ?? notYetFetched(m));
    return { last: view.last, snapshots };
  }

  function notYetFetched(mapping: Mapping): MappingSnapshot {
    return {
      teamKey: mapping.teamKey,
      fetchedAt: 0,
      issues: [],
      error: `${trackerName(mapping)}: no answer within ${waitMs % 1000 === 0 ? `${waitMs / 1000} s` : `${waitMs} ms`}`,
    };
  }

  function upstreamFailure(snapshots: MappingSnapshot[]): IssuesViewError | undefined {
    const failed = snapshots.filter((s) => s.error);
    return snapshots.length > 0 && failed.length === snapshots.length
      ? { kind: 'upstream', message: redact(failed[0]!.error!) }
      : undefined;
  }

  return {
    async issues(page = {}) {
      const view = await current();
      const { snapshots } = view;
      const failure = upstreamFailure(snapshots);
      if (failure) return err(failure);
      const mappings = new Map((await storage.mappings.list()).map((m) => [m.teamKey, m]));
      const activeJobs = new Map<string, Job>();
      for (const job of await storage.jobs.list({ statuses: IN_FLIGHT_STATUSES })) activeJobs.set(job.issueId, job);

      const q = page.q?.trim().toLowerCase() ?? '';
      const matching = snapshots.flatMap((snapshot) =>
        snapshot.issues
          .filter(
            (issue) => q === '' || [issue.identifier, issue.title, snapshot.teamKey].some((v) => v.toLowerCase().includes(q)),
          )
          .map((issue) => ({ snapshot, issue })),
      );
      // Newest first, in an order that holds between two reads, so that pages neither repeat nor skip.
      matching.sort(
        (a, b) =>
          b.issue.createdAt - a.issue.createdAt || a.issue.identifier.localeCompare(b.issue.identifier, 'en', { numeric: true }),
      );
      const offset = page.offset ?? 0;
      const shown = page.limit === undefined ? matching.slice(offset) : matching.slice(offset, offset + page.limit);
      const issues = shown.map(({ snapshot, issue }): IssueRow => {
        const mapping = mappings.get(snapshot.teamKey);
        const planningOn = mapping?.planningEnabled ?? true;
        const approved = issue.planApproved === true || mapping?.autoApprovePlans === true;
        const job = activeJobs.get(issue.id);
        return {
          id: issue.id,
          identifier: issue.identifier,
          title: issue.title,
          teamKey: snapshot.teamKey,
          url: issue.url,
          stage: issue.stage,
          stageName: STAGE_TABLE[issue.stage].displayName,
          state: issue.stateType ?? null,
          stateName: issue.state ?? null,
          labels: issue.labels,
          priority: issue.priority,
          createdAt: new Date(issue.createdAt).toISOString(),
          planningPending:
            planningOn &&
            (issue.stage === 'triggered' || issue.stage === 'planning' || (issue.stage === 'plan_complete' && !approved)),
          readyForImplementation: (issue.stage === 'triggered' && !planningOn) || (issue.stage === 'plan_complete' && approved),
          activeJob: job ? { id: job.id, phase: job.phase, status: job.status } : null,
        };
      });
      const inProgress = Object.entries(view.last?.inProgress ?? {}).map(([teamKey, v]) => ({
        teamKey,
        count: v.count,
        cap: v.cap,
      }));
      const errors = snapshots
        .filter((snapshot) => snapshot.error)
        .map((snapshot): MappingErrorRow => ({ teamKey: snapshot.teamKey, error: redact(snapshot.error!) }));
      return ok({ issues, total: matching.length, inProgress, errors });
    },

    async blockers(page = {}) {
      const view = await current();
      const failure = upstreamFailure(view.snapshots);
      if (failure) return err(failure);
      const rows: BlockerRow[] = (view.last?.skipped ?? [])
        .filter((s) => BLOCKER_REASONS.has(s.reason))
        .map((s) => ({
          issueId: s.issue.id,
          identifier: s.issue.identifier,
          title: s.issue.title,
          teamKey: s.teamKey,
          mapping: s.teamKey,
          reason: s.reason,
          message: s.message,
          url: s.issue.url,
        }));
      const kinds = new Map((await storage.mappings.list()).map((m) => [m.teamKey, m]));
      const mappings = view.snapshots
        .filter((s) => s.error)
        .map((s): MappingBlockerRow => {
          const tracker = trackerName(kinds.get(s.teamKey) ?? { ticketing: 'local' });
          const base = { mapping: s.teamKey, teamKey: s.teamKey };
          if (s.limitedUntil === undefined) return { ...base, reason: 'tracker-unavailable', message: redact(s.error!) };
          return {
            ...base,
            reason: 'rate-limited',
            message: `${tracker} rate limited until ${utcMinute(s.limitedUntil)}`,
            until: s.limitedUntil,
          };
        });
      return ok({
        mappings,
        kpis: {
          totalBlocked: rows.length,
          teamsAffected: new Set(rows.map((r) => r.teamKey)).size,
          blockedByConcurrency: rows.filter((r) => r.reason === 'concurrency').length,
          blockedByDedup: rows.filter((r) => r.reason === 'dedup').length,
          blockedByBudget: rows.filter((r) => r.reason === 'budget').length,
        },
        blockers:
          page.limit === undefined ? rows.slice(page.offset ?? 0) : rows.slice(page.offset ?? 0, (page.offset ?? 0) + page.limit),
      });
    },
  };
}

/** "17:42 UTC", rounded up: the operator should not look again before it. */
function utcMinute(ms: number): string {
  return `${new Date(Math.ceil(ms / 60_000) * 60_000).toISOString().slice(11, 16)} UTC`;
}
