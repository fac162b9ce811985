/**
 * The job state machine — spec "Job status values": the statuses a dispatch moves through,
 * which of them are terminal, the `timed_out` reasons, and the dispatch number of a re-dispatch.
 *
 * `applyJobEvent` is the pure transition `(job, event) → { job, effects }`. A terminal status
 * is the final outcome and never changes, so a terminal job ignores every event: late or
 * duplicated callbacks (a progress call after the result, a second timeout sweep) are harmless.
 */
import type { LogLabel } from './comments.js';
import type { Job, JobStatus, Phase, TimedOutReason } from './model.js';

export const JOB_STATUSES = [
  'unknown',
  'dispatched',
  'running',
  'completed',
  'review_failed',
  'failed',
  'timed_out',
] as const satisfies readonly JobStatus[];

export type TerminalStatus = 'completed' | 'review_failed' | 'failed' | 'timed_out';

export const TERMINAL_STATUSES = [
  'completed',
  'review_failed',
  'failed',
  'timed_out',
] as const satisfies readonly TerminalStatus[];

/** The statuses of a job still in flight (not terminal): what the watcher and the planner ask for. */
export const IN_FLIGHT_STATUSES = ['unknown', 'dispatched', 'running'] as const satisfies readonly JobStatus[];

export const TIMED_OUT_REASONS = [
  'container_timeout',
  'machine_timeout',
  'run_not_found',
  'timed_out',
] as const satisfies readonly TimedOutReason[];

/** The note of a job a dry-run runner (shadow) settled: it is `completed`, and nothing ran. */
export const DRY_RUN_NOTE = 'Dry run (shadow mode): nothing ran and nothing was changed';

/** The error a job gets when an implementation run reports success without a PR. */
export const PR_NOT_FOUND_ERROR = 'Run finished without opening a PR';

export function isTerminal(status: JobStatus): status is TerminalStatus {
  return status === 'completed' || status === 'review_failed' || status === 'failed' || status === 'timed_out';
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function isTimedOutReason(value: unknown): value is TimedOutReason {
  return typeof value === 'string' && (TIMED_OUT_REASONS as readonly string[]).includes(value);
}

const ORDER: Record<JobStatus, number> = {
  unknown: 0,
  dispatched: 1,
  running: 2,
  completed: 3,
  review_failed: 3,
  failed: 3,
  timed_out: 3,
};

/**
 * Whether a job at `from` may move to `to`. Statuses only move forward
 * (unknown → dispatched → running → terminal, skipping steps allowed: a run can be
 * found already running, or fail before it was ever linked). Staying put is a no-op and
 * allowed for every status; a terminal status goes nowhere else.
 */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  if (from === to) return true;
  if (isTerminal(from)) return false;
  return ORDER[to] > ORDER[from];
}

/** What the outside world reports about a job. `at` is epoch ms, supplied by the shell. */
export type JobEvent =
  | { type: 'dispatched'; at: number }
  | { type: 'run-linked'; runId: string; runUrl?: string; machineId?: string; at: number }
  | { type: 'started'; at: number }
  | { type: 'succeeded'; prUrl?: string; prNumber?: number; at: number }
  | { type: 'review-failed'; prUrl: string; prNumber?: number; at: number }
  | { type: 'failed'; error: string; logLabel?: 'container_failed' | 'session_failed' | 'pr_not_found'; at: number }
  /** `error` keeps the run's own account of the timeout, for the failure comment. */
  | { type: 'timed-out'; reason: TimedOutReason; error?: string; at: number }
  /**
   * A dry-run runner accepted the launch and ran nothing: the job is `completed` with the note
   * at once (freeing its slot), and the issue lifecycle is left alone — there is no outcome.
   */
  | { type: 'dry-run-settled'; note: string; at: number };

/**
 * What the shell must do after a transition.
 * - `job-finished`: the job reached its final status; the shell feeds the issue lifecycle
 *   (`issueEventForFinishedJob` in lifecycle.ts) and records the outcome.
 * - `post-log-excerpt`: post the run's log tail on the ticket under this label, if the shell
 *   can get one (redacted with `redactSecrets`).
 */
export type JobEffect =
  | {
      kind: 'job-finished';
      jobId: string;
      issueId: string;
      phase: Phase;
      status: TerminalStatus;
      prUrl?: string;
      prNumber?: number;
      error?: string;
      timedOutReason?: TimedOutReason;
    }
  | { kind: 'post-log-excerpt'; jobId: string; issueId: string; label: LogLabel };

export interface JobTransition {
  job: Job;
  effects: JobEffect[];
  /** True when the event changed nothing (terminal job, same state, or a backwards move). */
  ignored: boolean;
}

const unchanged = (job: Job): JobTransition => ({ job, effects: [], ignored: true });

/**
 * A timeout's log label: a session that ran out of lifetime has logs worth showing; a run
 * that was never found has none, and a GitHub Actions timeout keeps its logs on the run page
 * (the spec's labels name only the container and machine timeouts).
 */
function timeoutLabel(reason: TimedOutReason): LogLabel | undefined {
  if (reason === 'container_timeout') return 'container_timeout';
  if (reason === 'machine_timeout') return 'machine_timeout';
  return undefined;
}

export function applyJobEvent(job: Job, event: JobEvent): JobTransition {
  if (isTerminal(job.status)) return unchanged(job);

  switch (event.type) {
    case 'dispatched':
      if (job.status !== 'unknown') return unchanged(job);
      return { job: { ...job, status: 'dispatched', updatedAt: event.at }, effects: [], ignored: false };

    case 'run-linked': {
      // A found run proves the dispatch happened; it never moves a running job back.
      const status: JobStatus = job.status === 'unknown' ? 'dispatched' : job.status;
      const same =
        status === job.status &&
        job.runId === event.runId &&
        (event.runUrl === undefined || event.runUrl === job.runUrl) &&
        (event.machineId === undefined || event.machineId === job.machineId);
      if (same) return unchanged(job);
      const next: Job = { ...job, status, runId: event.runId, updatedAt: event.at };
      if (event.runUrl !== undefined) next.runUrl = event.runUrl;
      if (event.machineId !== undefined) next.machineId = event.machineId;
      return { job: next, effects: [], ignored: false };
    }

    case 'started':
      if (job.status === 'running') return unchanged(job);
      return { job: { ...job, status: 'running', updatedAt: event.at }, effects: [], ignored: false };

    case 'succeeded': {
      // An implementation "success" without a PR is the spec's failure "finished without opening a PR".
      if (job.phase === 'implementation' && !event.prUrl) {
        return finish(job, { status: 'failed', error: PR_NOT_FOUND_ERROR }, event.at, 'pr_not_found');
      }
      const outcome: Partial<Job> & { status: TerminalStatus } = { status: 'completed' };
      if (event.prUrl) outcome.prUrl = event.prUrl;
      if (event.prNumber !== undefined) outcome.prNumber = event.prNumber;
      return finish(job, outcome, event.at, undefined);
    }

    case 'review-failed': {
      const outcome: Partial<Job> & { status: TerminalStatus } = { status: 'review_failed', prUrl: event.prUrl };
      if (event.prNumber !== undefined) outcome.prNumber = event.prNumber;
      return finish(job, outcome, event.at, 'post_push_review_not_approved');
    }

    case 'failed': {
      const label = event.logLabel ?? (job.runner === 'local' ? 'container_failed' : 'session_failed');
      return finish(job, { status: 'failed', error: event.error }, event.at, label);
    }

    case 'dry-run-settled':
      return { job: { ...job, status: 'completed', note: event.note, updatedAt: event.at }, effects: [], ignored: false };

    case 'timed-out':
      return finish(
        job,
        { status: 'timed_out', timedOutReason: event.reason, ...(event.error !== undefined ? { error: event.error } : {}) },
        event.at,
        timeoutLabel(event.reason),
      );
  }
}

function finish(
  job: Job,
  outcome: Partial<Job> & { status: TerminalStatus },
  at: number,
  label: LogLabel | undefined,
): JobTransition {
  const next: Job = { ...job, ...outcome, updatedAt: at };
  const finished: JobEffect = {
    kind: 'job-finished',
    jobId: job.id,
    issueId: job.issueId,
    phase: job.phase,
    status: outcome.status,
  };
  if (next.prUrl !== undefined) finished.prUrl = next.prUrl;
  if (next.prNumber !== undefined) finished.prNumber = next.prNumber;
  if (outcome.error !== undefined) finished.error = outcome.error;
  if (outcome.timedOutReason !== undefined) finished.timedOutReason = outcome.timedOutReason;
  const effects: JobEffect[] = [finished];
  if (label) effects.push({ kind: 'post-log-excerpt', jobId: job.id, issueId: job.issueId, label });
  return { job: next, effects, ignored: false };
}

/**
 * The dispatch number of the next dispatch of an issue's phase: 1 for the first, then one
 * more than the dispatches already recorded. Takes the highest recorded number into account
 * too, so a pruned job history never hands out a number twice.
 */
export function nextDispatchNumber(jobs: readonly Job[], issueId: string, phase: Phase): number {
  let count = 0;
  let highest = 0;
  for (const job of jobs) {
    if (job.issueId !== issueId || job.phase !== phase) continue;
    count++;
    if (job.dispatchNumber > highest) highest = job.dispatchNumber;
  }
  return Math.max(count, highest) + 1;
}
