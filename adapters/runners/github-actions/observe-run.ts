import type { Job } from '../../../core/domain/model.js';
import type { WorkflowRun } from '../../../ports/forge.port.js';
import type { RunObservation } from '../../../ports/runner.port.js';
import { classifyRun } from '../../forge/github/classify-run.js';

/**
 * What a GitHub Actions run says about its job, as the `Runner.observe` answer. Pure: the
 * caller passes `now`. No run linked within `linkTimeoutMs` of the dispatch is `run_not_found`;
 * a run GitHub timed out is `timed_out`; a run over (whatever its conclusion) while the job is
 * still waiting for its result means the session never sent one.
 */
export function observeWorkflowRun(
  run: WorkflowRun | undefined,
  job: Pick<Job, 'dispatchedAt'>,
  now: number,
  linkTimeoutMs: number,
): RunObservation {
  const seen = classifyRun(run, job.dispatchedAt, now, linkTimeoutMs);
  const linked = seen.runId && seen.runUrl ? { run: { runId: seen.runId, runUrl: seen.runUrl } } : {};
  switch (seen.status) {
    case 'running':
      return { state: 'running', ...linked };
    case 'timed_out':
      return { state: 'timed_out', reason: seen.timedOutReason ?? 'timed_out', ...linked };
    case 'completed':
    case 'failed':
      return {
        state: 'finished',
        error: `GitHub Actions run finished (${seen.conclusion ?? 'unknown'}) without a result from the session`,
        logLabel: 'session_failed',
        ...linked,
      };
    default:
      return { state: 'waiting', ...linked };
  }
}
