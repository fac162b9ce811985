import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { RunnerSession } from '../../../ports/runner.port.js';
import { type Storage, stream } from '../../../ports/storage.port.js';
import type { JobEvent } from '../../domain/job-status.js';
import { isTerminal } from '../../domain/job-status.js';
import type { Job, RunnerKind, TicketIssue } from '../../domain/model.js';
import { planReaping, REAPER_RULES, type ReaperRule, type SessionSnapshot } from '../../domain/reaper.js';
import type { RunnerRegistry } from '../dispatch/runner-registry.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { JobOutcomeService } from '../runs/job-outcome.service.js';
import { createPeriodicTask } from './periodic-task.js';
import type { RunnerModeService } from './runner-mode.service.js';
import type { Singleton } from './singleton.js';

export interface ReaperOptions {
  /** A session older than this is destroyed whatever it does (4 hours). */
  maxAgeMs?: number;
  /** How long a session may outlive its job, or go without one (10 minutes). */
  staleGraceMs?: number;
  /** Actions kept in the record log (1000). */
  keep?: number;
}

export interface ReaperDeps {
  /** Timed sweeps run in one replica at a time (the `reaper` lease). */
  singleton?: Singleton;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  runnerRegistry: RunnerRegistry;
  ticketingRegistry: TicketingRegistry;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  runnerMode: Pick<RunnerModeService, 'get'>;
  reaperOptions?: ReaperOptions;
  /** Each session destroyed is published (`reaper.destroyed`), for the operator's notifications. */
  eventBus?: Pick<EventBus, 'publish'>;
}

/** One row of the Reaper page's table. */
export interface ReaperAction {
  at: number;
  rule: ReaperRule;
  runner: RunnerKind;
  machineId: string;
  /** The mapping's team key, where known. */
  tenant: string | null;
  /** The issue identifier, where known. */
  issue: string | null;
  jobId: string | null;
  ageSeconds: number;
  /** `dry-run` in shadow mode (nothing was destroyed), `destroyed` otherwise. */
  action: 'dry-run' | 'destroyed';
}

export interface ReaperSummary {
  windowHours: 24;
  since: number;
  total: number;
  destroyed: number;
  dryRun: number;
  byRule: Record<ReaperRule, number>;
}

export interface ReaperService {
  /** One sweep over every runner that holds sessions; resolves the actions it recorded. */
  sweep(): Promise<ReaperAction[]>;
  summary(): Promise<ReaperSummary>;
  /** Newest first. */
  recent(limit?: number): Promise<ReaperAction[]>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export const REAPER_STREAM = stream<ReaperAction>('reaper-actions');
const DAY_MS = 24 * 60 * 60_000;
/** Runners whose sessions the orchestrator holds (GitHub runs end by their own timeout; shadow has none). */
const SESSION_RUNNERS: RunnerKind[] = ['fly-machines', 'local'];

/**
 * The reaper (admin "Reaper"): lists each runner's live sessions, applies the core's rules
 * (core/reaper.ts `planReaping`), destroys what they pick — or, in shadow mode, only records it
 * as a dry run — and keeps a bounded record of every action. A live job whose session it
 * destroys is ended too, so its issue is not held in flight: `max-age-exceeded` as the runner's
 * timeout, `issue-terminal` as a failed session.
 */
export function createReaperService(deps: ReaperDeps): ReaperService {
  const { storage, clock, logger, runnerRegistry, ticketingRegistry, jobOutcome, runnerMode } = deps;
  const maxAgeMs = deps.reaperOptions?.maxAgeMs ?? 4 * 60 * 60_000;
  const staleGraceMs = deps.reaperOptions?.staleGraceMs ?? 10 * 60_000;
  const keep = deps.reaperOptions?.keep ?? 1000;
  // A dry run is recorded once per session and rule, not on every sweep.
  const dryRunSeen = new Set<string>();

  async function liveIssues(
    sessions: RunnerSession[],
    jobsById: Map<string, Job>,
  ): Promise<Pick<TicketIssue, 'id' | 'identifier' | 'stateType'>[]> {
    const wanted = new Map<string, Job>();
    for (const s of sessions) {
      const job = s.jobId ? jobsById.get(s.jobId) : undefined;
      if (job && !isTerminal(job.status)) wanted.set(job.issueId, job);
    }
    const issues: Pick<TicketIssue, 'id' | 'identifier' | 'stateType'>[] = [];
    for (const job of wanted.values()) {
      const target = await ticketingFor(storage, ticketingRegistry, job);
      if (!target) continue;
      const issue = await target.ticketing.getIssue(job.issueId, target.mapping);
      if (issue.isOk()) issues.push({ id: issue.value.id, identifier: issue.value.identifier, stateType: issue.value.stateType });
    }
    return issues;
  }

  function endJob(kind: RunnerKind, rule: ReaperRule, job: Job | undefined): JobEvent | undefined {
    if (!job || isTerminal(job.status)) return undefined;
    const at = clock.now();
    if (rule === 'max-age-exceeded')
      return { type: 'timed-out', reason: kind === 'local' ? 'container_timeout' : 'machine_timeout', at };
    if (rule === 'issue-terminal')
      return { type: 'failed', error: 'Session reaped: the issue was closed', logLabel: 'session_failed', at };
    return undefined;
  }

  async function sweepRunner(kind: RunnerKind, dryRun: boolean): Promise<ReaperAction[]> {
    const runner = runnerRegistry.get(kind);
    if (!runner) return [];
    const listed = await runner.listSessions();
    if (listed.isErr()) {
      if (listed.error.kind !== 'notConfigured')
        logger.warn('reaper: could not list sessions', { runner: kind, error: listed.error.message });
      return [];
    }
    const sessions = listed.value;
    if (sessions.length === 0) return [];
    const jobs = await storage.jobs.list({ ids: sessions.flatMap((s) => (s.jobId ? [s.jobId] : [])) });
    const jobsById = new Map(jobs.map((j) => [j.id, j]));
    const snapshots: SessionSnapshot[] = sessions.map((s) => ({
      id: s.id,
      name: s.name,
      startedAt: s.startedAt,
      ...(s.jobId ? { jobId: s.jobId } : {}),
      ...(s.issueIdentifier ? { issueIdentifier: s.issueIdentifier } : {}),
    }));
    const now = clock.now();
    const decisions = planReaping({
      sessions: snapshots,
      jobs,
      issues: await liveIssues(sessions, jobsById),
      now,
      maxAgeMs,
      staleGraceMs,
    });
    const actions: ReaperAction[] = [];
    for (const decision of decisions) {
      const session = sessions.find((s) => s.id === decision.sessionId);
      const job = decision.jobId ? jobsById.get(decision.jobId) : undefined;
      if (dryRun) {
        const key = `${kind}:${decision.sessionId}:${decision.rule}`;
        if (dryRunSeen.has(key)) continue;
        dryRunSeen.add(key);
      } else {
        const destroyed = await runner.destroy(decision.sessionId);
        if (destroyed.isErr()) {
          logger.warn('reaper: destroy failed', {
            runner: kind,
            sessionId: decision.sessionId,
            rule: decision.rule,
            error: destroyed.error.message,
          });
          continue;
        }
        const event = endJob(kind, decision.rule, job);
        if (event && job) await jobOutcome.record(job.id, event);
      }
      const action: ReaperAction = {
        at: now,
        rule: decision.rule,
        runner: kind,
        machineId: decision.sessionId,
        tenant: job?.teamKey ?? null,
        issue: job?.identifier ?? session?.issueIdentifier ?? null,
        jobId: job?.id ?? null,
        ageSeconds: decision.ageSeconds,
        action: dryRun ? 'dry-run' : 'destroyed',
      };
      await storage.streams.append(REAPER_STREAM, action, keep);
      logger.info(dryRun ? '[dry-run] reaper would destroy a session' : 'reaper destroyed a session', { ...action });
      if (!dryRun)
        deps.eventBus?.publish({
          type: 'reaper.destroyed',
          at: now,
          ...(job ? { jobId: job.id, issueId: job.issueId, teamKey: job.teamKey } : {}),
          ...(action.issue ? { identifier: action.issue } : {}),
          data: { rule: action.rule, runner: action.runner, machineId: action.machineId, ageSeconds: action.ageSeconds },
        });
      actions.push(action);
    }
    return actions;
  }

  async function sweepOnce(): Promise<ReaperAction[]> {
    const dryRun = (await runnerMode.get()).mode === 'shadow';
    const actions: ReaperAction[] = [];
    for (const kind of SESSION_RUNNERS) actions.push(...(await sweepRunner(kind, dryRun)));
    return actions;
  }

  const sweeps = createPeriodicTask(
    'reaper sweep',
    sweepOnce,
    logger,
    deps.singleton ? { singleton: deps.singleton, name: 'reaper' } : undefined,
  );

  return {
    sweep: sweeps.run,

    async summary() {
      const since = clock.now() - DAY_MS;
      const recent = (await storage.streams.list(REAPER_STREAM)).filter((a) => a.at >= since);
      const byRule = Object.fromEntries(REAPER_RULES.map((rule) => [rule, 0])) as Record<ReaperRule, number>;
      for (const action of recent) byRule[action.rule] = (byRule[action.rule] ?? 0) + 1;
      const destroyed = recent.filter((a) => a.action === 'destroyed').length;
      return { windowHours: 24, since, total: recent.length, destroyed, dryRun: recent.length - destroyed, byRule };
    },

    async recent(limit = 100) {
      const all = await storage.streams.list(REAPER_STREAM);
      return all.slice(-limit).reverse();
    },

    start: sweeps.start,
    stop: sweeps.stop,
  };
}
