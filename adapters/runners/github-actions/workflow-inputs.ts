import type { Job, Mapping } from '../../../core/domain/model.js';

/**
 * The `workflow_dispatch` input names of the workflow templates, by meaning. The templates'
 * own list (`WORKFLOW_INPUTS` in plugins/workflow-templates) is handed in by the host: adapters
 * do not import plugins.
 */
export interface WorkflowInputNames {
  jobId: string;
  phase: string;
  issueIdentifier: string;
  callbackUrl: string;
  resultToken: string;
  progressToken: string;
  nonce: string;
  /** Declared by the implementation template only. */
  branch: string;
  /** Declared by the implementation template only. */
  prNumber: string;
  /** One JSON object of the run caps and budget (`RUN_CAPS_ENV`), keyed by their variable names. */
  runCaps: string;
}

/**
 * The run caps and budget a session reads (core/app/dispatch/run-environment.ts). GitHub allows
 * 10 `workflow_dispatch` inputs and the implementation template declares 9 others, so they travel
 * together as one JSON input, which the templates unpack into the session step's environment.
 */
export const RUN_CAPS_ENV = [
  'AI_IMPLEMENT_MAX_TURNS',
  'AI_IMPLEMENT_MAX_ITERATIONS',
  'AI_IMPLEMENT_MAX_JOB_MINUTES',
  'AI_IMPLEMENT_MAX_COST_USD',
  'AI_IMPLEMENT_MAX_TOKENS',
] as const;

/**
 * Where each input comes from in the run's environment (the variables the templates hand on to
 * the session as `AI_IMPLEMENT_*`). `job_id`, `phase` and `issue_identifier` come from the job
 * itself, so the marker that links the run is always the job id whatever the environment says.
 */
const FROM_ENV = {
  callbackUrl: 'AI_IMPLEMENT_CALLBACK_URL',
  resultToken: 'AI_IMPLEMENT_RESULT_TOKEN',
  progressToken: 'AI_IMPLEMENT_PROGRESS_TOKEN',
  nonce: 'AI_IMPLEMENT_NONCE',
} as const satisfies Partial<Record<keyof WorkflowInputNames, string>>;

/** Inputs only the implementation template declares; GitHub refuses undeclared inputs (422). */
const IMPLEMENTATION_ONLY = {
  branch: 'AI_IMPLEMENT_BRANCH',
  prNumber: 'AI_IMPLEMENT_PR_NUMBER',
} as const satisfies Partial<Record<keyof WorkflowInputNames, string>>;

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
  names: WorkflowInputNames,
  job: Pick<Job, 'id' | 'phase' | 'identifier'>,
  env: Record<string, string>,
): Record<string, string> {
  const inputs: Record<string, string> = {
    [names.jobId]: job.id,
    [names.phase]: job.phase,
    [names.issueIdentifier]: job.identifier,
  };
  const sources: Partial<Record<keyof WorkflowInputNames, string>> =
    job.phase === 'planning' ? { ...FROM_ENV } : { ...FROM_ENV, ...IMPLEMENTATION_ONLY };
  for (const [meaning, variable] of Object.entries(sources) as [keyof WorkflowInputNames, string][]) {
    const value = env[variable];
    if (value !== undefined && value !== '') inputs[names[meaning]] = value;
  }
  const caps = Object.fromEntries(RUN_CAPS_ENV.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
  if (Object.keys(caps).length > 0) inputs[names.runCaps] = JSON.stringify(caps);
  return inputs;
}
