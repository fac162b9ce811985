import type { Job, Mapping } from '../../../core/model.js';
import { WORKFLOW_INPUTS } from '../../../plugins/workflow-templates/workflow-templates.js';

/**
 * Where each `workflow_dispatch` input of the workflow templates comes from in the run's
 * environment (the variables the templates hand on to the session as `AI_IMPLEMENT_*`).
 * `job_id`, `phase` and `issue_identifier` come from the job itself, so the marker that links
 * the run is always the job id whatever the environment says.
 */
const FROM_ENV = {
  [WORKFLOW_INPUTS.callbackUrl]: 'AI_IMPLEMENT_CALLBACK_URL',
  [WORKFLOW_INPUTS.resultToken]: 'AI_IMPLEMENT_RESULT_TOKEN',
  [WORKFLOW_INPUTS.progressToken]: 'AI_IMPLEMENT_PROGRESS_TOKEN',
  [WORKFLOW_INPUTS.nonce]: 'AI_IMPLEMENT_NONCE',
} as const;

/** Inputs only the implementation template declares; GitHub refuses undeclared inputs (422). */
const IMPLEMENTATION_ONLY = {
  [WORKFLOW_INPUTS.branch]: 'AI_IMPLEMENT_BRANCH',
  [WORKFLOW_INPUTS.prNumber]: 'AI_IMPLEMENT_PR_NUMBER',
} as const;

/** The workflow a job dispatches: the planning template for planning, else the implementation one. */
export function workflowFileFor(
  job: Pick<Job, 'phase'>,
  mapping: Pick<Mapping, 'workflowFile' | 'planningWorkflowFile'>,
): string {
  return job.phase === 'planning' ? mapping.planningWorkflowFile : mapping.workflowFile;
}

/**
 * The dispatch inputs of one run. Empty values are left out, so an optional input is absent
 * rather than blank, and a required one missing from the environment is refused by GitHub
 * with its own "Required input … not provided".
 */
export function workflowInputs(
  job: Pick<Job, 'id' | 'phase' | 'identifier'>,
  env: Record<string, string>,
): Record<string, string> {
  const inputs: Record<string, string> = {
    [WORKFLOW_INPUTS.jobId]: job.id,
    [WORKFLOW_INPUTS.phase]: job.phase,
    [WORKFLOW_INPUTS.issueIdentifier]: job.identifier,
  };
  const sources: Record<string, string> = job.phase === 'planning' ? { ...FROM_ENV } : { ...FROM_ENV, ...IMPLEMENTATION_ONLY };
  for (const [input, variable] of Object.entries(sources)) {
    const value = env[variable];
    if (value !== undefined && value !== '') inputs[input] = value;
  }
  return inputs;
}
