import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { type RunObservation, SESSION_GONE_ERROR } from '../../../ports/runner.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { LOG_LABELS, type LogLabel } from '../../domain/comments.js';
import { IN_FLIGHT_STATUSES, isTerminal, type JobEvent } from '../../domain/job-status.js';
import type { Job, Mapping } from '../../domain/model.js';
import type { RunnerRegistry } from '../dispatch/runner-registry.js';
import { createPeriodicTask } from '../operations/periodic-task.js';
import type { Singleton } from '../operations/singleton.js';
import type { JobOutcomeService } from './job-outcome.service.js';
import type { PostLogExcerpt } from './log-excerpt.js';

export { SESSION_GONE_ERROR };

export interface RunWatcherOptions {
  /** A session may be missing from its runner's listing this long after dispatch (2 minutes). */
  sessionGoneGraceMs?: number;
}

export interface RunWatcherDeps {
  /** Timed sweeps run in one replica at a time (the `run-watcher` lease). */
  singleton?: Singleton;
  /** What runners see on their own (`run.observed`: a local session's exit) arrives here. */
  eventBus?: EventBus;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  runnerRegistry: RunnerRegistry;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  /** Posts the labelled log excerpt of a failed or timed-out run on its ticket (redacted there). */
  postLogExcerpt?: PostLogExcerpt;
  runWatcherOptions?: RunWatcherOptions;
}

export interface RunWatcherService {
  /** One pass over every job still in flight; resolves when its events are recorded. */
  sweep(): Promise<void>;
  /** What a runner saw on its own (a local session's exit), recorded as a sweep would. */
  report(jobId: string, seen: RunObservation): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const isLogLabel = (value: string): value is LogLabel => (LOG_LABELS as readonly string[]).includes(value);

/**
 * Follows the jobs that were dispatched but have not finished, by asking each job's runner what
 * it sees (`Runner.observe`; spec "Job status values", `timed_out` reasons). What a runner sees
 * is recorded the same way whatever the runner: a newly linked run as `run-linked`, a run seen
 * starting as `started`, a run over without a result as failed, a timeout with its reason (after
 * ending the session the runner names), and a session gone for longer than the grace period as
 * failed. Every change goes through `jobOutcome.record`, so a job that finished meanwhile
 * ignores it; a failure that carries the session's output posts it as the log excerpt.
 */
export function createRunWatcherService(deps: RunWatcherDeps): RunWatcherService {
  const { storage, clock, logger, runnerRegistry, jobOutcome } = deps;
  const goneGraceMs = deps.runWatcherOptions?.sessionGoneGraceMs ?? 2 * 60_000;

  /** Records an ending; when it finished the job and the runner had output, posts its tail. */
  async function end(job: Job, event: JobEvent, label: LogLabel, log: string | undefined) {
    const recorded = await jobOutcome.record(job.id, event);
    if (!recorded?.changed || !log?.trim() || !deps.postLogExcerpt) return;
    await deps
      .postLogExcerpt(recorded.job, label, log)
      .catch((error) => logger.warn('log excerpt not posted', { jobId: job.id, error }));
  }

  async function settle(job: Job, seen: RunObservation, now: number) {
    if (seen.state === 'untracked') return;
    const { run, log } = seen;
    if (run && (job.runId !== run.runId || job.runUrl !== run.runUrl)) {
      await jobOutcome.record(job.id, { type: 'run-linked', runId: run.runId, runUrl: run.runUrl, at: now });
    }
    switch (seen.state) {
      case 'running':
        await jobOutcome.record(job.id, { type: 'started', at: now });
        return;
      case 'finished':
        await end(job, { type: 'failed', error: seen.error, logLabel: seen.logLabel, at: now }, seen.logLabel, log);
        return;
      case 'timed_out': {
        if (seen.endSession) {
          const ended = await runnerRegistry.get(job.runner)?.destroy(seen.endSession);
          if (ended?.isErr())
            logger.warn('run watcher: could not end a timed-out session', { jobId: job.id, error: ended.error.message });
        }
        const label = isLogLabel(seen.reason) ? seen.reason : 'session_failed';
        await end(job, { type: 'timed-out', reason: seen.reason, at: now }, label, log);
        return;
      }
      case 'gone':
        if (now - job.dispatchedAt > goneGraceMs) {
          await end(job, { type: 'failed', error: SESSION_GONE_ERROR, logLabel: seen.logLabel, at: now }, seen.logLabel, log);
        }
        return;
      default:
        return;
    }
  }

  async function observe(job: Job, now: number, mappings: Map<string, Promise<Mapping | undefined>>) {
    const runner = runnerRegistry.get(job.runner);
    if (!runner) return;
    if (!mappings.has(job.teamKey)) mappings.set(job.teamKey, storage.mappings.get(job.teamKey));
    const mapping = await mappings.get(job.teamKey);
    const seen = await runner.observe(job, { now, ...(mapping ? { mapping } : {}) });
    if (seen.isErr()) {
      // A runner not configured yet (Fly without a sessions app) has nothing to say.
      if (seen.error.kind !== 'notConfigured')
        logger.warn('run watcher: could not observe the run', { jobId: job.id, runner: job.runner, error: seen.error.message });
      return;
    }
    await settle(job, seen.value, now);
  }

  async function sweepOnce() {
    const now = clock.now();
    const live = await storage.jobs.list({ statuses: IN_FLIGHT_STATUSES });
    // One mapping read per team and sweep (a job's workflow file and lifetime come from it).
    const mappings = new Map<string, Promise<Mapping | undefined>>();
    // One lane per runner, side by side: a hung GitHub (15 s a request until its circuit opens)
    // delays only the Actions runs, never a Fly machine's or a local session's ending.
    const lanes = new Map<string, Job[]>();
    for (const job of live) lanes.set(job.runner, [...(lanes.get(job.runner) ?? []), job]);
    await Promise.all(
      [...lanes.values()].map(async (jobs) => {
        for (const job of jobs) await observe(job, now, mappings);
      }),
    );
  }

  const sweeps = createPeriodicTask(
    'run watcher sweep',
    sweepOnce,
    logger,
    deps.singleton ? { singleton: deps.singleton, name: 'run-watcher' } : undefined,
  );

  async function report(jobId: string, seen: RunObservation) {
    const job = await storage.jobs.get(jobId);
    if (!job || isTerminal(job.status)) return;
    await settle(job, seen, clock.now());
  }
  const unsubscribe = deps.eventBus?.subscribe((event) => {
    if (event.type === 'run.observed')
      void report(event.jobId, event.data).catch((error) => logger.error('run observation not recorded', { error }));
  });

  return {
    sweep: sweeps.run,
    report,
    start: sweeps.start,
    async stop() {
      unsubscribe?.();
      await sweeps.stop();
    },
  };
}
