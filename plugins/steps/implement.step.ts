import { z } from 'zod';
import type { Agent } from '../../ports/agent.port.js';
import { defineStep, type StepOutcome } from '../define-step.js';
import type { RunContext } from '../run-context.js';
import { NOTHING_TO_COMMIT } from './commit-push.step.js';
import { agentFailure, runAgent } from './shared/agent-outcome.js';
import { changedPaths } from './shared/git.js';
import { DEFAULT_IMPLEMENTATION_TEMPLATE, promptOrFailure, renderPrompt } from './shared/prompts.js';

/**
 * One implementation pass of the coding agent; the verify step calls it again with the
 * failure to fix. Turns and time are capped by the agent adapter itself.
 */
export async function runImplementation(
  ctx: RunContext,
  agent: Agent,
  template: string | undefined,
  feedback?: string,
): Promise<StepOutcome> {
  const prompt = promptOrFailure(() =>
    renderPrompt(template ?? ctx.templates.implementation ?? DEFAULT_IMPLEMENTATION_TEMPLATE, ctx, feedback ? { feedback } : {}),
  );
  if (typeof prompt !== 'string') return prompt;
  const outcome = await runAgent(ctx, agent, prompt, ctx.models.implementation);
  if (outcome.kind !== 'finished') return agentFailure(ctx, outcome);
  if (outcome.output.trim()) ctx.result.summary = outcome.output.trim();
  return { status: 'succeeded', output: { turns: outcome.turns } };
}

/**
 * The coding agent implements the issue (and the plan, when there is one) in the working tree.
 * An agent that finishes without changing a file fails the run at once with the spec's
 * `Nothing to commit: …` — verifying an untouched tree would only hide that.
 */
export default defineStep({
  name: 'implement',
  needs: ['agent', 'shell'],
  config: z.object({
    /** A prompt template replacing WORKFLOW.md's body and the default. */
    template: z.string().optional(),
  }),
  async run(ctx, { agent, shell }, settings) {
    ctx.state['implement.template'] = settings.template;
    const outcome = await runImplementation(ctx, agent, settings.template);
    if (outcome.status !== 'succeeded') return outcome;
    const changed = await changedPaths(ctx, shell);
    if (Array.isArray(changed) && changed.length === 0) return { status: 'failed', message: NOTHING_TO_COMMIT };
    return { ...outcome, output: { ...(outcome.output as object), files: Array.isArray(changed) ? changed.length : undefined } };
  },
});
