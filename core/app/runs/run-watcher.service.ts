import { classifyRun, RUN_LINK_TIMEOUT_MS } from '../../../adapters/forge/github/classify-run.js';
import { DEFAULT_MACHINE_LIFETIME_MINUTES, machineTimeout } from '../../../adapters/runners/fly-machines/machine-lifetime.js';
import { workflowFileFor } from '../../../adapters/runners/github-actions/workflow-inputs.js';
import { DEFAULT_LOCAL_LIFETIME_MINUTES, type LocalSessionExit } from '../../../adapters/runners/local/local.runner.js';
import type { Clock } from '../../../ports/clock.port.js';
import type { Forge, WorkflowRun } from '../../../ports/forge.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { RunnerSession } from '../../../ports/runner.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { LogLabel } from '../../domain/comments.js';
import { isTerminal, type JobEvent } from '../../domain/job-status.js';
import type { Job } from '../../domain/model.js';
import type { RunnerRegistry } from '../dispatch/runner-registry.js';
import { createPeriodicTask } from '../operations/periodic-task.js';
import type { JobOutcomeService } from './job-outcome.service.js';

export interface RunWatcherOptions {
  /** A dispatch without a run after this long is `run_not_found` (the spec's ~10 minutes). */
  runLinkTimeoutMs?: number;
  /** Fly machine lifetime (the spec's ~60 minutes) before `machine_timeout`. */
  machineLifetimeMinutes?: number;
  /** A session may be missing from its runner's listing this long after dispatch (2 minutes). */
  sessionGoneGraceMs?: number;
}

export interface RunWatcherDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  runnerRegistry: RunnerRegistry;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  /** The GitHub forge, when GitHub credentials are configured. */
  githubForge: () => Forge | undefined;
  /** The end of a local session's output, by job id (the local runner's tail). */
  localOutput?: (jobId: string) => string | undefined;
  /** Posts the labelled log excerpt of a failed or timed-out run on its ticket (redacted there). */
  postLogExcerpt?: (job: Job, label: LogLabel, log: string) => Promise<void>;
  runWatcherOptions?: RunWatcherOptions;
}

export interface RunWatcherService {
  /** One pass over every job still in flight; resolves when its events are recorded. */
  sweep(): Promise<void>;
  /** What the local runner reports when a session ends (wired as its `onExit`). */
  localExit(exit: LocalSessionExit): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export const SESSION_GONE_ERROR = 'Session ended without reporting a result';

/**
 * Follows the jobs that were dispatched but have not finished, on runners that can be asked
 * (spec "Job status values", `timed_out` reasons):
 * - GitHub Actions: links the dispatch to its workflow run by the job id in the run name
 *   (`run-linked`); no run within 10 minutes → `run_not_found`; a run GitHub timed out →
 *   `timed_out`; a run that finished while the job still waits for its result → failed
 *   (`session_failed`): the session never reported.
 * - Fly: a machine past its lifetime → `machine_timeout`; a machine gone without a result →
 *   failed (`session_failed`).
 * - Local: past the mapping's `maxJobMinutes` → `container_timeout` (and the session is
 *   destroyed); a session that exited without a result → failed (`container_failed` for a
 *   non-zero exit).
 * Every change goes through `jobOutcome.record`, so a job that finished meanwhile ignores it.
 */
export function createRunWatcherService(deps: RunWatcherDeps): RunWatcherService {
  const { storage, clock, logger, runnerRegistry, jobOutcome } = deps;
  const linkTimeoutMs = deps.runWatcherOptions?.runLinkTimeoutMs ?? RUN_LINK_TIMEOUT_MS;
  const lifetimeMinutes = deps.runWatcherOptions?.machineLifetimeMinutes ?? DEFAULT_MACHINE_LIFETIME_MINUTES;
  const goneGraceMs = deps.runWatcherOptions?.sessionGoneGraceMs ?? 2 * 60_000;

  const record = (job: Job, event: JobEvent) => jobOutcome.record(job.id, event);

  /** Records a local session's end; when that finished the job, posts the output's tail. */
  async function recordLocal(jobId: string, event: JobEvent, label: LogLabel, log: string | undefined) {
    const recorded = await jobOutcome.record(jobId, event);
    if (!recorded?.changed || !log?.trim() || !deps.postLogExcerpt) return;
    await deps.postLogExcerpt(recorded.job, label, log).catch((error) => logger.warn('log excerpt not posted', { jobId, error }));
  }

  async function watchGithub(job: Job, now: number) {
    const forge = deps.githubForge();
    if (!forge) return;
    const mapping = await storage.mappings.get(job.teamKey);
    // Without its mapping the workflow is unknown: the job can only run out its link timeout.
    let run: WorkflowRun | undefined;
    if (mapping) {
      const found = await forge.findRun({ owner: job.owner, repo: job.repo }, workflowFileFor(job, mapping), job.id);
      if (found.isErr()) {
        logger.warn('run watcher: could not look for the workflow run', { jobId: job.id, error: found.error.message });
        return;
      }
      run = found.value;
    }
    const seen = classifyRun(run, job.dispatchedAt, now, linkTimeoutMs);
    if (seen.runId && seen.runUrl && (job.runId !== seen.runId || job.runUrl !== seen.runUrl)) {
      await record(job, { type: 'run-linked', runId: seen.runId, runUrl: seen.runUrl, at: now });
    }
    switch (seen.status) {
      case 'running':
        await record(job, { type: 'started', at: now });
        return;
      case 'timed_out':
        await record(job, { type: 'timed-out', reason: seen.timedOutReason ?? 'timed_out', at: now });
        return;
      case 'completed':
      case 'failed':
        // The run is over and the job still has no result: the session never sent one.
        await record(job, {
          type: 'failed',
          error: `GitHub Actions run finished (${seen.conclusion ?? 'unknown'}) without a result from the session`,
          logLabel: 'session_failed',
          at: now,
        });
        return;
      default:
        return;
    }
  }

  const sessionOf = (job: Job, sessions: RunnerSession[]) =>
    sessions.find((s) => s.id === job.runId || s.id === job.machineId || s.jobId === job.id);

  async function watchFly(jobs: Job[], now: number) {
    const runner = runnerRegistry.get('fly-machines');
    if (!runner || jobs.length === 0) return;
    const listed = await runner.listSessions();
    if (listed.isErr()) {
      if (listed.error.kind !== 'notConfigured')
        logger.warn('run watcher: could not list Fly sessions', { error: listed.error.message });
      return;
    }
    for (const job of jobs) {
      const session = sessionOf(job, listed.value);
      if (session && machineTimeout(session, now, lifetimeMinutes)) {
        await record(job, { type: 'timed-out', reason: 'machine_timeout', at: now });
      } else if (!session && now - job.dispatchedAt > goneGraceMs) {
        await record(job, { type: 'failed', error: SESSION_GONE_ERROR, logLabel: 'session_failed', at: now });
      }
    }
  }

  async function watchLocal(jobs: Job[], now: number) {
    const runner = runnerRegistry.get('local');
    if (!runner || jobs.length === 0) return;
    const listed = await runner.listSessions();
    if (listed.isErr()) return;
    for (const job of jobs) {
      const session = sessionOf(job, listed.value);
      const mapping = await storage.mappings.get(job.teamKey);
      const limitMs = (mapping?.maxJobMinutes ?? DEFAULT_LOCAL_LIFETIME_MINUTES) * 60_000;
      if (now - job.dispatchedAt > limitMs) {
        if (session) await runner.destroy(session.id);
        const log = deps.localOutput?.(job.id);
        await recordLocal(job.id, { type: 'timed-out', reason: 'container_timeout', at: now }, 'container_timeout', log);
      } else if (!session && now - job.dispatchedAt > goneGraceMs) {
        // Its exit was not seen (the orchestrator restarted since the launch).
        await record(job, { type: 'failed', error: SESSION_GONE_ERROR, logLabel: 'container_failed', at: now });
      }
    }
  }

  async function sweepOnce() {
    const now = clock.now();
    const live = (await storage.jobs.list()).filter((job) => !isTerminal(job.status));
    for (const job of live.filter((j) => j.runner === 'github-actions')) await watchGithub(job, now);
    await watchFly(
      live.filter((j) => j.runner === 'fly-machines'),
      now,
    );
    await watchLocal(
      live.filter((j) => j.runner === 'local'),
      now,
    );
  }

  const sweeps = createPeriodicTask('run watcher sweep', sweepOnce, logger);

  return {
    sweep: sweeps.run,

    async localExit(exit) {
      const at = clock.now();
      if (exit.reason === 'destroyed') return; // whoever destroyed it settles the job
      const log = exit.outputTail;
      if (exit.reason === 'timed_out') {
        await recordLocal(exit.jobId, { type: 'timed-out', reason: 'container_timeout', at }, 'container_timeout', log);
        return;
      }
      const job = await storage.jobs.get(exit.jobId);
      if (!job || isTerminal(job.status)) return;
      if (exit.code === 0) {
        const event: JobEvent = { type: 'failed', error: SESSION_GONE_ERROR, logLabel: 'session_failed', at };
        await recordLocal(exit.jobId, event, 'session_failed', log);
      } else {
        const how = exit.code === null ? `by signal ${exit.signal ?? 'unknown'}` : `with code ${exit.code}`;
        const event: JobEvent = {
          type: 'failed',
          error: `Local session exited ${how} without a result`,
          logLabel: 'container_failed',
          at,
        };
        await recordLocal(exit.jobId, event, 'container_failed', log);
      }
    },

    start: sweeps.start,
    stop: sweeps.stop,
  };
}
