import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { safeTail } from './shared/text.js';

/**
 * Writes the run's own comments into the result: the plan of a planning run, the agent's
 * summary of an implementation. The runtime sends the result itself — exactly once, also when
 * a step before this one failed — so this step only prepares what it says.
 */
export default defineStep({
  name: 'report',
  needs: [],
  config: z.object({
    /** Post the agent's summary of an implementation as a comment. */
    summary: z.boolean().default(true),
  }),
  async run(ctx, _services, settings) {
    if (ctx.phase === 'planning') {
      if (!ctx.result.plan) return { status: 'failed', message: 'Planning produced no plan' };
      ctx.result.comments.push({
        body: `📋 Implementation plan for ${ctx.issue.identifier}\n\n${safeTail(ctx.result.plan, ctx.secretValues, 30_000)}`,
      });
    } else if (settings.summary && ctx.result.summary) {
      ctx.result.comments.push({ body: `🤖 Claude's summary\n\n${safeTail(ctx.result.summary, ctx.secretValues, 8000)}` });
    }
    return { status: 'succeeded', output: { comments: ctx.result.comments.length } };
  },
});
