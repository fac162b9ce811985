import type { JobStatus, TimedOutReason } from '../../../core/domain/model.js';
import type { WorkflowRun } from '../../../ports/forge.port.js';

/** The spec's "around 10 minutes" for a dispatch to show up as a run (`run_not_found`). */
export const RUN_LINK_TIMEOUT_MS = 10 * 60_000;

export interface RunClassification {
  status: JobStatus;
  timedOutReason?: TimedOutReason;
  runId?: string;
  runUrl?: string;
  /** GitHub's conclusion of a finished run, kept for the failure message. */
  conclusion?: string;
}

/**
 * What a GitHub Actions run says about its job (spec: "Job status values"). Pure: the caller
 * passes `now`.
 * - No run linked yet: `dispatched`, until `linkTimeoutMs` after the dispatch, then
 *   `timed_out` / `run_not_found`.
 * - A linked run waiting to start stays `dispatched`; one in progress is `running`.
 * - Finished: `success` → `completed` as far as the run goes (the result callback still
 *   decides between completed, review_failed and failed); `timed_out` → `timed_out` /
 *   `timed_out`; any other conclusion (failure, cancelled, startup_failure, …) → `failed`.
 */
export function classifyRun(
  run: WorkflowRun | undefined,
  dispatchedAt: number,
  now: number,
  linkTimeoutMs: number = RUN_LINK_TIMEOUT_MS,
): RunClassification {
  if (!run) {
    return now - dispatchedAt >= linkTimeoutMs
      ? { status: 'timed_out', timedOutReason: 'run_not_found' }
      : { status: 'dispatched' };
  }
  const linked = { runId: run.id, runUrl: run.url };
  if (run.status === 'queued') return { status: 'dispatched', ...linked };
  if (run.status === 'in_progress') return { status: 'running', ...linked };
  const conclusion = run.conclusion ?? 'unknown';
  if (conclusion === 'success') return { status: 'completed', conclusion, ...linked };
  if (conclusion === 'timed_out') return { status: 'timed_out', timedOutReason: 'timed_out', conclusion, ...linked };
  return { status: 'failed', conclusion, ...linked };
}
