import type { AgentOutcome } from '../../../ports/agent.port.js';
import type { StepOutcome } from '../../define-step.js';
import type { RunContext } from '../../run-context.js';
import { safeTail } from './text.js';

/**
 * The spec's run failure messages for an agent that did not finish: `Reached max turns (N)`
 * and `LLM invocation failed with exit code N: …`. A stop caused by the run's own deadline or
 * an abort is reported by the runtime, so it only says that the run stopped here.
 */
export function agentFailure(ctx: RunContext, outcome: Exclude<AgentOutcome, { kind: 'finished' }>): StepOutcome {
  switch (outcome.kind) {
    case 'maxTurns':
      return { status: 'failed', message: `Reached max turns (${ctx.caps.maxTurns})`, output: { turns: outcome.turns } };
    case 'failed':
      return {
        status: 'failed',
        message: `LLM invocation failed with exit code ${outcome.exitCode}: ${safeTail(outcome.output, ctx.secretValues, 1000) || 'no output'}`,
      };
    case 'timedOut':
      return {
        status: 'failed',
        message: ctx.signal.aborted ? 'LLM invocation stopped: the run was stopped' : 'LLM invocation timed out',
      };
  }
}
