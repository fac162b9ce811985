import type { StepOutcome } from '../../plugins/define-step.js';

export interface RunStepOptions {
  /** The run's stop signal (a timeout, an abort). */
  signal: AbortSignal;
  /** How long a step that ignores the stop signal is given to notice before the run goes on without it. */
  graceMs: number;
  /** The step's id in its pipeline, and the file of its module, named in a failure it did not word itself. */
  step: string;
  file: string;
}

/**
 * Runs one step of a pipeline and returns how it ended. A throw, an answer that is not a step
 * outcome (a `run` that forgot its `return`) and a step still running `graceMs` after the stop
 * are failures whose message names the step and its file, so the reason posted on the ticket
 * says which plugin broke; a failure the step words itself is passed on as it is.
 */
export async function runStep(run: () => Promise<StepOutcome>, options: RunStepOptions): Promise<StepOutcome> {
  const { signal, graceMs } = options;
  const where = `(step "${options.step}", ${options.file})`;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<StepOutcome>((resolve) => {
    onAbort = () => {
      timer = setTimeout(() => resolve({ status: 'failed', message: `the step did not stop in time ${where}` }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      run().then(
        (outcome: unknown) => checkedOutcome(outcome, where),
        (error: unknown) => ({
          status: 'failed' as const,
          message: `the step failed unexpectedly: ${error instanceof Error ? error.message : String(error)} ${where}`,
        }),
      ),
      abandoned,
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** The outcome a step answered, when it is one; else a failure saying what came back. */
function checkedOutcome(outcome: unknown, where: string): StepOutcome {
  const status = (outcome as { status?: unknown } | null | undefined)?.status;
  if (status === 'succeeded' || status === 'skipped') return outcome as StepOutcome;
  if (status === 'failed') {
    const message = (outcome as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return outcome as StepOutcome;
    return { ...(outcome as object), status: 'failed', message: `the step failed without a message ${where}` };
  }
  const got = outcome === undefined ? 'nothing' : (JSON.stringify(outcome)?.slice(0, 80) ?? String(outcome));
  return {
    status: 'failed',
    message: `the step returned ${got}, not { status: 'succeeded' | 'skipped' | 'failed' } ${where}`,
  };
}
