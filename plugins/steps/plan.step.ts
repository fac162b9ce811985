import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { agentFailure, runAgent } from './shared/agent-outcome.js';
import { DEFAULT_PLANNING_TEMPLATE, promptOrFailure, renderPrompt } from './shared/prompts.js';

/**
 * The planning run's work: the coding agent reads the repository and writes a plan (the
 * PLANNING.md model and template when the repository has them). The plan goes back with the
 * result and becomes the planning context of the implementation run.
 */
export default defineStep({
  name: 'plan',
  needs: ['agent'],
  config: z.object({
    /** A prompt template replacing PLANNING.md's body and the default. */
    template: z.string().optional(),
  }),
  async run(ctx, { agent }, settings) {
    const prompt = promptOrFailure(() =>
      renderPrompt(settings.template ?? ctx.templates.planning ?? DEFAULT_PLANNING_TEMPLATE, ctx),
    );
    if (typeof prompt !== 'string') return prompt;
    const outcome = await runAgent(ctx, agent, prompt, ctx.models.planning);
    if (outcome.kind !== 'finished') return agentFailure(ctx, outcome);
    const plan = outcome.output.trim();
    if (!plan) return { status: 'failed', message: 'LLM invocation failed with exit code 0: the agent returned an empty plan' };
    ctx.result.plan = plan;
    return { status: 'succeeded', output: { turns: outcome.turns, chars: plan.length } };
  },
});
