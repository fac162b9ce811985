import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { runAgent } from './shared/agent-outcome.js';
import { git } from './shared/git.js';
import { promptOrFailure, REVIEW_TEMPLATE, renderPrompt } from './shared/prompts.js';
import { safeTail } from './shared/text.js';

const MAX_DIFF = 60_000;

/**
 * After the push, the agent reviews the pushed change for blockers. `VERDICT: REQUEST_CHANGES`
 * makes the result `reviewApproved: false` (the job ends `review_failed`, log label
 * `post_push_review_not_approved`) with the findings as a comment. A review that cannot run
 * does not fail a run whose pull request is already open: it is noted and left undecided.
 */
export default defineStep({
  name: 'post-push-review',
  needs: ['agent', 'shell'],
  config: z.object({
    enabled: z.boolean().default(true),
    template: z.string().optional(),
  }),
  async run(ctx, { agent, shell }, settings) {
    if (!settings.enabled) return { status: 'skipped' };
    if (!ctx.pullRequest) return { status: 'skipped', output: { reason: 'no pull request' } };
    const diff = await git(ctx, shell, ['diff', `origin/${ctx.repo.defaultBranch}...HEAD`]);
    const text = diff.output.length > MAX_DIFF ? `${diff.output.slice(0, MAX_DIFF)}\n… (diff cut)` : diff.output;
    const prompt = promptOrFailure(() =>
      renderPrompt(settings.template ?? REVIEW_TEMPLATE, ctx, { diff: `\`\`\`diff\n${text}\n\`\`\`` }),
    );
    if (typeof prompt !== 'string') return prompt;
    const outcome = await runAgent(ctx, agent, prompt, ctx.models.implementation);
    if (outcome.kind !== 'finished') {
      if (ctx.signal.aborted) return { status: 'failed', message: 'Post-push review stopped: the run was stopped' };
      ctx.result.comments.push({
        body: `🔎 Post-push review could not run (${outcome.kind}); the pull request is left for a person to review.`,
      });
      return { status: 'skipped', output: { reason: outcome.kind } };
    }
    const verdict = /VERDICT:\s*(APPROVE|REQUEST_CHANGES)\s*$/i.exec(outcome.output.trim())?.[1]?.toUpperCase();
    if (verdict === 'REQUEST_CHANGES') {
      ctx.result.reviewApproved = false;
      ctx.result.comments.push({
        body: `🔎 Post-push review flagged blockers:\n\n${safeTail(outcome.output, ctx.secretValues, 4000)}`,
      });
    } else if (verdict === 'APPROVE') {
      ctx.result.reviewApproved = true;
    }
    return { status: 'succeeded', output: { verdict: verdict ?? 'none' } };
  },
});
