import { errAsync, okAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Forge } from '../../../ports/forge.port.js';
import type { Runner } from '../../../ports/runner.port.js';
import { RUN_LINK_TIMEOUT_MS } from '../../forge/github/classify-run.js';
import { observeWorkflowRun } from './observe-run.js';
import { type WorkflowInputNames, workflowFileFor, workflowInputs } from './workflow-inputs.js';

export interface GithubActionsRunnerOptions {
  /** The GitHub forge (adapters/forge/github) that dispatches the workflow. */
  forge: Forge;
  /** The templates' input names (`WORKFLOW_INPUTS` of plugins/workflow-templates). */
  inputNames: WorkflowInputNames;
  /** Receives what the runner did; input names only, never a value (tokens travel as inputs). */
  log?: (entry: GithubActionsLogEntry) => void;
  /** A dispatch without a run after this long is `run_not_found` (the spec's ~10 minutes). */
  runLinkTimeoutMs?: number;
}

export type GithubActionsLogEntry =
  | {
      event: 'workflow.dispatched';
      jobId: string;
      owner: string;
      repo: string;
      workflowFile: string;
      ref: string;
      inputKeys: string[];
    }
  /** The repository's workflow is older than `run_caps` (re-sync its templates); dispatched without it. */
  | { event: 'workflow.run-caps-refused'; jobId: string; owner: string; repo: string; workflowFile: string }
  /**
   * The dispatch went out and its answer was a 5xx or never came: GitHub may have started the
   * run. It is not sent again; the run watcher links the run, or ends the job `run_not_found`.
   */
  | { event: 'workflow.dispatch-unconfirmed'; jobId: string; owner: string; repo: string; workflowFile: string; error: string };

/**
 * Runner on GitHub Actions: a launch is one `workflow_dispatch` of the mapping's workflow on its
 * default branch — the planning workflow for planning, the implementation workflow otherwise —
 * with the run's inputs (named as the templates declare them).
 *
 * GitHub answers a dispatch with 204 and no run id, so the handle is the job id: the marker the
 * templates put in the run name, by which the run watcher links the dispatch to its run later
 * (`Forge.findRun`). Workflow runs are not sessions the orchestrator holds: GitHub ends them by
 * the workflow's own `timeout-minutes`, so `listSessions` is always empty and `destroy` has
 * nothing to do. `observe` finds the job's run by that marker (`observeWorkflowRun` says what it
 * means); a job whose mapping is gone has no known workflow, so it can only run out its link
 * timeout.
 */
export function createGithubActionsRunner(options: GithubActionsRunnerOptions): Runner {
  const { forge } = options;
  const linkTimeoutMs = options.runLinkTimeoutMs ?? RUN_LINK_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  return {
    kind: 'github-actions',

    launch({ job, mapping, env }) {
      const workflowFile = workflowFileFor(job, mapping);
      const inputs = workflowInputs(options.inputNames, job, env);
      const repo = { owner: mapping.owner, repo: mapping.repo };
      const runCaps = options.inputNames.runCaps;
      // A repository still on templates from before `run_caps` (version 3) refuses the input
      // with 422 and starts nothing: dispatch again without it, so the run starts (its caps then
      // hold on the orchestrator's side) and say the templates want a re-sync.
      const dispatched = forge.dispatchWorkflow(repo, workflowFile, mapping.defaultBranch, inputs).orElse((error) => {
        if (!(runCaps in inputs) || !refusedInput(error, runCaps)) return errAsync(error);
        const { [runCaps]: _dropped, ...older } = inputs;
        log({ event: 'workflow.run-caps-refused', jobId: job.id, owner: repo.owner, repo: repo.repo, workflowFile });
        return forge.dispatchWorkflow(repo, workflowFile, mapping.defaultBranch, older);
      });
      // A dispatch whose answer was lost may have started the run: it is left to the run
      // watcher (which links it by the job id, or ends the job `run_not_found`), never sent twice.
      return dispatched
        .map(() => true)
        .orElse((error) => {
          if (error.kind !== 'unavailable' || !error.maybeDone) return errAsync(error);
          log({
            event: 'workflow.dispatch-unconfirmed',
            jobId: job.id,
            owner: repo.owner,
            repo: repo.repo,
            workflowFile,
            error: error.message,
          });
          return okAsync(false);
        })
        .map((confirmed) => {
          if (confirmed)
            log({
              event: 'workflow.dispatched',
              jobId: job.id,
              owner: repo.owner,
              repo: repo.repo,
              workflowFile,
              ref: mapping.defaultBranch,
              inputKeys: Object.keys(inputs).sort(),
            });
          return { handle: job.id };
        });
    },

    listSessions: () => okAsync([]),

    destroy: () => okAsync(undefined),

    observe(job, { now, mapping }) {
      const found = mapping
        ? forge.findRun({ owner: job.owner, repo: job.repo }, workflowFileFor(job, mapping), job.id)
        : okAsync(undefined);
      return found.map((run) => observeWorkflowRun(run, job, now, linkTimeoutMs));
    },
  };
}

/** GitHub's 422 for an input the workflow does not declare names it: `Unexpected inputs provided: ["run_caps"]`. */
function refusedInput(error: ServiceError, input: string): boolean {
  return error.kind === 'invalid' && error.message.includes('Unexpected inputs') && error.message.includes(`"${input}"`);
}
