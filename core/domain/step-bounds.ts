import { cutText } from './text-limit.js';

/**
 * How much of a step report a job's history keeps: a run may send 1 MiB a report and each job
 * keeps 200 entries — 200 MB of one job's history from one hostile or looping session. Its
 * output is kept up to STEP_OUTPUT_MAX_CHARS (a longer text: its head and a note of what was
 * left out; a larger JSON value: the head of its JSON text), its other fields up to
 * STEP_FIELD_MAX_CHARS.
 */
export const STEP_OUTPUT_MAX_CHARS = 65_536;
export const STEP_FIELD_MAX_CHARS = 1_000;

interface StepFields {
  id: string;
  type: string;
  status: string;
  started_at: string;
  finished_at?: string;
  output?: unknown;
}

export function boundedStep<T extends StepFields>(step: T): T {
  const field = (text: string) => cutText(text, STEP_FIELD_MAX_CHARS);
  const bounded = {
    ...step,
    id: field(step.id),
    type: field(step.type),
    status: field(step.status),
    started_at: field(step.started_at),
  };
  if (step.finished_at !== undefined) bounded.finished_at = field(step.finished_at);
  if (step.output !== undefined) bounded.output = boundedOutput(step.output);
  return bounded;
}

/** A string is measured as it is; anything else by its JSON text, which it becomes when cut. */
function boundedOutput(output: unknown): unknown {
  if (typeof output === 'string') return cutText(output, STEP_OUTPUT_MAX_CHARS);
  if (output === null || typeof output !== 'object') return output;
  let text: string;
  try {
    text = JSON.stringify(output);
  } catch {
    return output; // Too deep to write: the store says so, as it would have.
  }
  return text.length <= STEP_OUTPUT_MAX_CHARS ? output : cutText(text, STEP_OUTPUT_MAX_CHARS);
}
