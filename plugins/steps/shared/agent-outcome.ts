import type { Agent, AgentOutcome } from '../../../ports/agent.port.js';
import type { StepOutcome } from '../../define-step.js';
import type { RunContext } from '../../run-context.js';
import { safeTail } from './text.js';

/**
 * One agent invocation in the run's repository, within the run's caps: its turn limit, what is
 * left of its time budget, its stop signal, and the agent's own environment.
 */
export function runAgent(ctx: RunContext, agent: Agent, prompt: string, model: string | undefined): Promise<AgentOutcome> {
  return agent.run({
    cwd: ctx.repoDir,
    prompt,
    ...(model ? { model } : {}),
    maxTurns: ctx.caps.maxTurns,
    env: ctx.agentEnv,
    timeoutMs: Math.max(1000, ctx.remainingMs()),
    signal: ctx.signal,
  });
}

/**
 * Claude Code's exit code when it stops at its turn limit (`error_max_turns`); the CLI adapter
 * may stop it there itself, and the message reads the same either way.
 */
const MAX_TURNS_EXIT_CODE = 1;

/**
 * The spec's run failure messages for an agent that did not finish: `LLM invocation failed
 * with exit code N: …`, and at the turn limit the same with `Reached max turns (N)` as its
 * detail (the spec's example: `LLM invocation failed with exit code 1 … Reached max turns
 * (50)`). A stop caused by the run's own deadline or an abort is reported by the runtime, so
 * it only says that the run stopped here.
 */
export function agentFailure(ctx: RunContext, outcome: Exclude<AgentOutcome, { kind: 'finished' }>): StepOutcome {
  switch (outcome.kind) {
    case 'maxTurns':
      return {
        status: 'failed',
        message: `LLM invocation failed with exit code ${MAX_TURNS_EXIT_CODE}: Reached max turns (${ctx.caps.maxTurns})`,
        output: { turns: outcome.turns },
      };
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
