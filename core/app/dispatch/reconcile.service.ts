import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { DailySpend } from '../../domain/budget.js';
import { activeDedup, DEDUP_WINDOW_MS } from '../../domain/dedup.js';
import { IN_FLIGHT_STATUSES, TERMINAL_STATUSES } from '../../domain/job-status.js';
import { advanceIssue, jiraStatusForStage, linearLabelsForStage } from '../../domain/lifecycle.js';
import type { Mapping, TicketIssue } from '../../domain/model.js';
import { type DispatchPlan, type PlannedDispatch, planDispatches } from '../../domain/planner.js';
import { JOB_RETENTION_MS } from '../../domain/retention.js';
import { describeMissingTicketing, type TicketingRegistry } from '../issues/ticketing-registry.js';
import { answerWithin, formatDeadline } from '../operations/operator-deadline.js';
import type { LeaseHold, Singleton } from '../operations/singleton.js';
import type { DispatchService } from './dispatch.service.js';

export interface ReconcileDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  eventBus: EventBus;
  ticketingRegistry: TicketingRegistry;
  dispatcher: DispatchService;
  singleton: Singleton;
  /**
   * How long one mapping's fetch may take in a cycle (default 10 s). Past it the mapping is
   * reported and left out of this cycle's plan, and the others are planned without waiting.
   */
  fetchDeadlineMs?: number;
  /** Today's spend and the global daily budget (issue 17): the planner holds teams past theirs. */
  dailySpend?: (now: number) => Promise<DailySpend>;
}

/** What one mapping's fetch gave in the last cycle that covered it. */
export interface MappingSnapshot {
  teamKey: string;
  fetchedAt: number;
  issues: TicketIssue[];
  error?: string;
  /** When the tracker (or its request governor) said to wait: no request for this mapping before then. */
  limitedUntil?: number;
}

export interface CycleReport {
  startedAt: number;
  finishedAt: number;
  /** The team keys the cycle covered (every mapping, or the ones a webhook named). */
  teamKeys: string[];
  dispatched: { jobId: string; identifier: string; phase: string }[];
  skipped: DispatchPlan['skipped'];
  inProgress: DispatchPlan['inProgress'];
  /** Per team key: why its issues could not be fetched or dispatched this cycle. */
  errors: Record<string, string>;
}

export interface ReconcileService {
  /**
   * Asks for a cycle, of the named teams or of every mapping. Requests that arrive while a
   * cycle runs are coalesced into at most one more cycle; the promise settles when a cycle
   * that covers this request has finished.
   */
  request(teamKeys?: string[]): Promise<CycleReport>;
  /** The latest fetch per mapping and the latest plan, for the issue and blocker views. */
  snapshot(): { mappings: Map<string, MappingSnapshot>; last?: CycleReport; completedAt?: number };
  /** Starts polling every `intervalMs` (the first cycle at once). */
  start(intervalMs: number): void;
  /** Stops for good: no more polling or requests; waits for a running cycle to finish. */
  stop(): Promise<void>;
}

/** Two replicas never run a cycle at the same time: the lease lapses if its holder dies. */
export const RECONCILE_LEASE = 'reconcile';
/** A replica waiting for the lease tries this long after it lapses (the holder's clock may run a little ahead). */
const LEASE_LAPSE_MARGIN_MS = 50;
/** A recorded job still `unknown` this long after its dispatch lost its launch (see recoverLaunches). */
const LAUNCH_CONFIRM_MS = 60_000;
const PRUNE_BATCH = 500;
/** Concurrent fetches per tracker kind: a hung tracker holds its own lanes, never another's. */
const FETCH_CONCURRENCY = 4;
export const DEFAULT_FETCH_DEADLINE_MS = 10_000;

/**
 * The reconcile loop: fetch each mapping's candidates, run the core planner, and start what
 * it decides. A failing mapping is reported and skipped; the others go on. One cycle at a
 * time in this process, one across replicas (a lease in Storage).
 */
export function createReconcileService(deps: ReconcileDeps): ReconcileService {
  const { storage, clock, logger, eventBus, ticketingRegistry, dispatcher, singleton } = deps;
  const fetchDeadlineMs = deps.fetchDeadlineMs ?? DEFAULT_FETCH_DEADLINE_MS;
  const snapshots = new Map<string, MappingSnapshot>();
  /** A fetch that outlived its cycle's deadline: the next cycle waits on it rather than sending another. */
  const inFlight = new Map<string, Promise<unknown>>();
  let last: CycleReport | undefined;
  /** When the last cycle ended without throwing, led here or skipped for another replica's lease (readiness). */
  let completedAt: number | undefined;

  let running: Promise<CycleReport> | undefined;
  let pending:
    | { teamKeys: Set<string> | 'all'; waiters: ((r: CycleReport) => void)[]; failers: ((e: unknown) => void)[] }
    | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  /** When the reconcile lease that another replica held at the last try lapses. */
  let heldElsewhereUntil: number | undefined;
  let disposed = false;

  async function fetchCandidates(mapping: Mapping): Promise<MappingSnapshot> {
    const ticketing = ticketingRegistry.get(mapping.ticketing);
    const fetchedAt = clock.now();
    if (!ticketing)
      return { teamKey: mapping.teamKey, fetchedAt, issues: [], error: describeMissingTicketing(mapping.ticketing) };
    const listed = await ticketing.listCandidates(mapping);
    if (listed.isErr()) {
      const { error } = listed;
      const limited = error.kind === 'rateLimited' ? { limitedUntil: clock.now() + error.retryAfterMs } : {};
      return { teamKey: mapping.teamKey, fetchedAt, issues: [], error: error.message, ...limited };
    }
    return { teamKey: mapping.teamKey, fetchedAt, issues: listed.value };
  }

  /**
   * Triggered issues of teams without a mapping, from trackers that can list them cheaply: each
   * tracker side by side under the fetch deadline, as the candidates are. Awaited one by one
   * without it, a hung Jira or GitHub held every cycle (and every dispatch) for the client's
   * 15 s request timeout, however short the poll.
   */
  async function fetchUnmapped(mapped: readonly Mapping[]): Promise<TicketIssue[]> {
    const couldNot = (kind: string, error: string): TicketIssue[] => {
      logger.warn('reconcile: could not list unmapped issues', { tracker: kind, error });
      return [];
    };
    const lists = await Promise.all(
      ticketingRegistry.kinds().map(async (kind) => {
        const ticketing = ticketingRegistry.get(kind);
        if (!ticketing?.listUnmapped) return [];
        const start = async () => {
          const listed = await ticketing.listUnmapped!(mapped);
          return listed.isOk() ? listed.value : couldNot(kind, listed.error.message);
        };
        return withDeadline(
          `${UNMAPPED_KEY}${kind}`,
          () => start().catch((error: unknown) => couldNot(kind, error instanceof Error ? error.message : String(error))),
          (error) => couldNot(kind, error),
          trackerName({ ticketing: kind }),
        );
      }),
    );
    return lists.flat();
  }

  /**
   * A fetch bounded by the deadline. One that outlives it stays in `inFlight`: the next cycle
   * takes its result (or waits on it again) instead of sending another, so a slow tracker's
   * answer is planned one cycle late rather than never, and a hung tracker never gets a pile
   * of requests.
   */
  async function withDeadline<T>(key: string, start: () => Promise<T>, late: (what: string) => T, name: string): Promise<T> {
    let pending = inFlight.get(key) as Promise<T> | undefined;
    const carried = pending !== undefined;
    if (!pending) {
      pending = start();
      inFlight.set(key, pending);
    }
    const result = await answerWithin(pending, fetchDeadlineMs, (): typeof TIMED_OUT => TIMED_OUT);
    if (result !== TIMED_OUT) {
      inFlight.delete(key);
      return result;
    }
    return late(
      `${name}: ${carried ? 'still fetching since an earlier cycle' : `no answer within ${formatDeadline(fetchDeadlineMs)}`}`,
    );
  }

  const failed = (mapping: Mapping, error: unknown): MappingSnapshot => ({
    teamKey: mapping.teamKey,
    fetchedAt: clock.now(),
    issues: [],
    error: error instanceof Error ? error.message : String(error),
  });

  function fetchWithDeadline(mapping: Mapping): Promise<MappingSnapshot> {
    return withDeadline(
      mapping.teamKey,
      () => fetchCandidates(mapping).catch((error: unknown) => failed(mapping, error)),
      (error) => ({ teamKey: mapping.teamKey, fetchedAt: clock.now(), issues: [], error }),
      trackerName(mapping),
    );
  }

  /** Every mapping of a tracker that lists many at once: one request stream, one deadline. */
  async function fetchTogether(ticketing: Ticketing, group: Mapping[]): Promise<MappingSnapshot[]> {
    const key = `batch:${ticketing.kind}:${group.map((m) => m.teamKey).join(',')}`;
    const start = async (): Promise<MappingSnapshot[]> => {
      const fetchedAt = clock.now();
      const listed = await ticketing.listCandidatesOf!(group);
      if (listed.isOk()) return group.map((m) => ({ teamKey: m.teamKey, fetchedAt, issues: listed.value.get(m.teamKey) ?? [] }));
      const { error } = listed;
      // The tracker refused the shared query itself (one mapping's repo value that no longer
      // exists, say): each mapping is asked alone, so only the one at fault misses its cycle.
      if (error.kind === 'invalid' && group.length > 1) {
        logger.warn('reconcile: a shared search was refused; asking its mappings one by one', {
          teamKeys: group.map((m) => m.teamKey),
          error: error.message,
        });
        return mapLimited(group, FETCH_CONCURRENCY, fetchWithDeadline);
      }
      const limited = error.kind === 'rateLimited' ? { limitedUntil: clock.now() + error.retryAfterMs } : {};
      return group.map((m) => ({ teamKey: m.teamKey, fetchedAt, issues: [], error: error.message, ...limited }));
    };
    return withDeadline(
      key,
      () => start().catch((error: unknown) => group.map((m) => failed(m, error))),
      (error) => group.map((m) => ({ teamKey: m.teamKey, fetchedAt: clock.now(), issues: [], error })),
      trackerName(group[0]!),
    );
  }

  async function fetchGroup(group: Mapping[]): Promise<MappingSnapshot[]> {
    const ticketing = ticketingRegistry.get(group[0]!.ticketing);
    if (!ticketing?.listCandidatesOf) return mapLimited(group, FETCH_CONCURRENCY, fetchWithDeadline);
    if (!ticketing.listingGroups) return fetchTogether(ticketing, group);
    const groups = ticketing.listingGroups(group);
    const together = groups.filter((g) => g.length > 1);
    const alone = groups.filter((g) => g.length === 1).flat();
    const [listed, single] = await Promise.all([
      Promise.all(together.map((g) => fetchTogether(ticketing, g))),
      mapLimited(alone, FETCH_CONCURRENCY, fetchWithDeadline),
    ]);
    return [...listed.flat(), ...single];
  }

  async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    const lane = async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await work(items[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    return out;
  }

  /** The snapshot shows a dispatched issue at the stage, and with the labels or status, the dispatch gave it. */
  function showDispatched({ mapping, issue: dispatched, phase }: PlannedDispatch) {
    const snap = snapshots.get(mapping.teamKey);
    if (!snap) return;
    snap.issues = snap.issues.map((issue) => {
      if (issue.id !== dispatched.id) return issue;
      const stage = advanceIssue(issue.stage, { type: 'dispatched', phase }).stage;
      return mapping.ticketing === 'jira'
        ? { ...issue, stage, state: jiraStatusForStage(stage) }
        : { ...issue, stage, labels: linearLabelsForStage(issue.labels, stage) };
    });
  }

  /** Retention: the dedup window's lapsed entries, and finished jobs past core/retention.ts. */
  async function prune(now: number) {
    await storage.dedup.removeBefore(now - DEDUP_WINDOW_MS + 1);
    const expired = await storage.jobs.list({
      statuses: TERMINAL_STATUSES,
      updatedBefore: now - JOB_RETENTION_MS + 1,
      limit: PRUNE_BATCH,
    });
    for (const job of expired) {
      if (await storage.jobs.delete(job.id))
        eventBus.publish({ type: 'job.pruned', at: now, jobId: job.id, issueId: job.issueId });
    }
  }

  async function cycle(teamKeys: Set<string> | 'all', hold?: LeaseHold): Promise<CycleReport> {
    const startedAt = clock.now();
    await dispatcher.recoverLaunches(LAUNCH_CONFIRM_MS);
    const all = await storage.mappings.list();
    const mappings = teamKeys === 'all' ? all : all.filter((m) => teamKeys.has(m.teamKey));
    const errors: Record<string, string> = {};

    // Lanes per tracker kind, each fetch with its own deadline: a hung Linear delays no local or Jira mapping.
    const byKind = new Map<string, Mapping[]>();
    for (const m of mappings) byKind.set(m.ticketing, [...(byKind.get(m.ticketing) ?? []), m]);
    const settled = await Promise.all([...byKind.values()].map(fetchGroup));
    const byTeam = new Map(settled.flat().map((snap) => [snap.teamKey, snap]));
    const fetched = mappings.map((m) => byTeam.get(m.teamKey)!);
    for (const snap of fetched) {
      snapshots.set(snap.teamKey, snap);
      if (snap.error) errors[snap.teamKey] = snap.error;
    }
    for (const key of snapshots.keys()) if (!all.some((m) => m.teamKey === key)) snapshots.delete(key);
    // A fetch for a mapping since removed is not carried (batched and unmapped keys are dropped when taken).
    for (const key of inFlight.keys())
      if (!key.startsWith('batch:') && !key.startsWith(UNMAPPED_KEY) && !all.some((m) => m.teamKey === key)) inFlight.delete(key);

    // A mapping whose fetch failed is left out of the plan: nothing is known of its issues.
    const healthy = new Set(fetched.filter((s) => !s.error).map((s) => s.teamKey));
    // Issues no mapping's scope covers are for the Blockers view only. One whose tracker-given
    // team (a Jira issue's project key) equals a mapping's team key is outside that mapping's
    // scope (another repo field value, say): it must never be planned as that mapping's.
    const unmapped = (teamKeys === 'all' ? await fetchUnmapped(all) : []).filter(
      (issue) => !all.some((m) => m.teamKey === issue.teamKey),
    );
    const now = clock.now();
    await prune(now);
    const plan = planDispatches({
      mappings: mappings.filter((m) => healthy.has(m.teamKey)),
      issues: [...fetched.filter((s) => !s.error).flatMap((s) => s.issues), ...unmapped],
      // Finished jobs do not change what may run now (dispatch numbers are the decision's).
      jobs: await storage.jobs.list({ statuses: IN_FLIGHT_STATUSES }),
      dedup: activeDedup(await storage.dedup.list(), now),
      now,
      ...(deps.dailySpend ? { spend: await deps.dailySpend(now) } : {}),
    });

    const dispatched: CycleReport['dispatched'] = [];
    for (const planned of plan.dispatch) {
      // Let timers and requests in between dispatches: a synchronous store (SQLite) would otherwise
      // hold the event loop for a whole backlog — no lease renewal, no shutdown signal, no answer.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (disposed) break; // shutting down: nothing new starts
      if (hold && !hold.held()) break; // the lease lapsed: another replica plans from here
      try {
        const result = await dispatcher.dispatch({ kind: 'planned', ...planned }, hold?.fence);
        if (result.isOk()) {
          dispatched.push({ jobId: result.value.id, identifier: planned.issue.identifier, phase: planned.phase });
          showDispatched(planned);
        } else if (result.error.kind !== 'claimed' && result.error.kind !== 'refused')
          errors[planned.mapping.teamKey] = result.error.message;
      } catch (error) {
        errors[planned.mapping.teamKey] = error instanceof Error ? error.message : String(error);
        logger.error('dispatch threw', { issue: planned.issue.identifier, error });
      }
    }

    const report: CycleReport = {
      startedAt,
      finishedAt: clock.now(),
      teamKeys: mappings.map((m) => m.teamKey),
      dispatched,
      skipped: plan.skipped,
      inProgress: plan.inProgress,
      errors,
    };
    last = teamKeys === 'all' || !last ? report : mergeReports(last, report);
    eventBus.publish({
      type: 'reconcile.finished',
      at: report.finishedAt,
      data: {
        dispatched: dispatched.length,
        skipped: plan.skipped.length,
        errors: Object.keys(errors).length,
        // For /metrics: which teams failed this cycle (keys only, never the message) and how long it took.
        errorTeams: Object.keys(errors),
        durationMs: report.finishedAt - report.startedAt,
      },
    });
    for (const [teamKey, error] of Object.entries(errors)) logger.warn('reconcile: mapping failed', { teamKey, error });
    return report;
  }

  async function leasedCycle(teamKeys: Set<string> | 'all'): Promise<CycleReport> {
    const report = await singleton.run(RECONCILE_LEASE, (hold) => cycle(teamKeys, hold));
    const now = clock.now();
    completedAt = now;
    if (report) return report;
    heldElsewhereUntil = await singleton.lapsesAt(RECONCILE_LEASE).catch(() => undefined);
    logger.info('reconcile: another replica holds the lease; skipping this cycle');
    return { startedAt: now, finishedAt: now, teamKeys: [], dispatched: [], skipped: [], inProgress: {}, errors: {} };
  }

  function drain(teamKeys: Set<string> | 'all'): Promise<CycleReport> {
    const current = leasedCycle(teamKeys);
    running = current;
    void current
      .catch((error) => logger.error('reconcile cycle failed', { error }))
      .finally(() => {
        running = undefined;
        const next = pending;
        pending = undefined;
        if (!next) return;
        if (disposed) {
          for (const reject of next.failers) reject(new Error('reconcile stopped'));
          return;
        }
        drain(next.teamKeys).then(
          (report) => {
            for (const resolve of next.waiters) resolve(report);
          },
          (error) => {
            for (const reject of next.failers) reject(error);
          },
        );
      });
    return current;
  }

  function request(teamKeys?: string[]): Promise<CycleReport> {
    if (disposed) return Promise.reject(new Error('reconcile stopped'));
    const wanted: Set<string> | 'all' = teamKeys ? new Set(teamKeys) : 'all';
    if (!running) return drain(wanted);
    return new Promise((resolve, reject) => {
      if (!pending) pending = { teamKeys: wanted, waiters: [], failers: [] };
      else if (pending.teamKeys !== 'all')
        pending.teamKeys = wanted === 'all' ? 'all' : new Set([...pending.teamKeys, ...wanted]);
      pending.waiters.push(resolve);
      pending.failers.push(reject);
    });
  }

  // A finished run can ask for its team's next dispatch (job-outcome.service.ts).
  const unsubscribe = eventBus.subscribe((event) => {
    if (event.type === 'reconcile.requested' && event.teamKey && !disposed) void request([event.teamKey]).catch(() => undefined);
  });

  function schedule(intervalMs: number) {
    if (stopped) return;
    // Another replica held the lease at the last try: try again as it lapses, if that is sooner.
    const lapse = heldElsewhereUntil;
    heldElsewhereUntil = undefined;
    const left = lapse === undefined ? 0 : lapse - clock.now();
    const delay = left > 0 ? Math.min(intervalMs, left + LEASE_LAPSE_MARGIN_MS) : intervalMs;
    timer = setTimeout(() => {
      request()
        .catch(() => undefined)
        .finally(() => schedule(intervalMs));
    }, delay);
    timer.unref?.();
  }

  return {
    request,
    snapshot: () => ({ mappings: snapshots, ...(last ? { last } : {}), ...(completedAt === undefined ? {} : { completedAt }) }),
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      request()
        .catch(() => undefined)
        .finally(() => schedule(intervalMs));
    },
    async stop() {
      stopped = true;
      disposed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

const TRACKER_NAMES: Record<string, string> = { linear: 'Linear', jira: 'Jira', local: 'Embedded tracker' };
export const trackerName = (mapping: Pick<Mapping, 'ticketing'>) => TRACKER_NAMES[mapping.ticketing] ?? mapping.ticketing;
const TIMED_OUT = Symbol('timed out');
/** The in-flight key of a tracker's unmapped listing (no team key has a colon). */
const UNMAPPED_KEY = 'unmapped:';

/** The fetch deadline for a poll interval: half of it, between 0.5 s and the 10 s default. */
export function fetchDeadlineFor(pollIntervalMs: number): number {
  return Math.min(DEFAULT_FETCH_DEADLINE_MS, Math.max(500, Math.round(pollIntervalMs / 2)));
}

/** A partial cycle's report replaces only its own teams' part of the last full one. */
function mergeReports(previous: CycleReport, partial: CycleReport): CycleReport {
  const covered = new Set(partial.teamKeys);
  const errors = Object.fromEntries(Object.entries(previous.errors).filter(([key]) => !covered.has(key)));
  const inProgress = Object.fromEntries(Object.entries(previous.inProgress).filter(([key]) => !covered.has(key)));
  return {
    ...partial,
    teamKeys: [...new Set([...previous.teamKeys, ...partial.teamKeys])],
    skipped: [...previous.skipped.filter((s) => !covered.has(s.teamKey)), ...partial.skipped],
    inProgress: { ...inProgress, ...partial.inProgress },
    errors: { ...errors, ...partial.errors },
  };
}
