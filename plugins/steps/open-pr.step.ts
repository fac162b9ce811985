import { z } from 'zod';
import type { ServiceError } from '../../ports/errors.js';
import { defineStep } from '../define-step.js';
import { safeTail } from './shared/text.js';

/** The HTTP status a forge failure stands for, for `PR creation failed with HTTP N: …`. */
function httpStatus(error: ServiceError): number {
  switch (error.kind) {
    case 'invalid':
      return error.status ?? 422;
    case 'unavailable':
      return error.status ?? 503;
    case 'auth':
      return 401;
    case 'notFound':
      return 404;
    case 'rateLimited':
      return 429;
    case 'notConfigured':
      return 501;
  }
}

/**
 * Opens the pull request for the pushed branch (or finds the one already open for it) and
 * announces it on the ticket. Failure: `PR creation failed with HTTP N: …`.
 */
export default defineStep({
  name: 'open-pr',
  needs: ['forge', 'status'],
  config: z.object({
    draft: z.boolean().default(false),
    /** `{identifier}` and `{title}` are replaced. */
    title: z.string().default('{identifier}: {title}'),
  }),
  async run(ctx, { forge, status }, settings) {
    const title = settings.title
      .replaceAll('{identifier}', ctx.issue.identifier)
      .replaceAll('{title}', ctx.issue.title || 'changes');
    const body = [
      `Closes ${ctx.issue.identifier}${ctx.issue.url ? ` (${ctx.issue.url})` : ''}`,
      ctx.result.summary ? `## Summary\n\n${ctx.result.summary}` : '',
      ctx.plan ? `<details><summary>Implementation plan</summary>\n\n${ctx.plan}\n\n</details>` : '',
      '_Opened by AI-Implement._',
    ]
      .filter(Boolean)
      .join('\n\n');
    const opened = await forge.openPullRequest(
      { owner: ctx.repo.owner, repo: ctx.repo.repo },
      { branch: ctx.branch, base: ctx.repo.defaultBranch, title, body: safeTail(body, ctx.secretValues, 60_000) },
    );
    if (opened.isErr()) {
      return {
        status: 'failed',
        message: `PR creation failed with HTTP ${httpStatus(opened.error)}: ${safeTail(opened.error.message, ctx.secretValues, 500)}`,
      };
    }
    const pr = opened.value;
    ctx.pullRequest = { number: pr.number, url: pr.url };
    ctx.result.prUrl = pr.url;
    ctx.result.prNumber = pr.number;
    await status({ type: 'pr_opened', prNumber: pr.number, prUrl: pr.url });
    return { status: 'succeeded', output: { number: pr.number, url: pr.url } };
  },
});
