import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { changedPaths, git, pushBranch } from './shared/git.js';
import { safeTail } from './shared/text.js';

export const NOTHING_TO_COMMIT = 'Nothing to commit: Claude left no file changes in the working tree';

/**
 * Commits what the agent left in the working tree and pushes the working branch. No change
 * at all is the spec's failure `Nothing to commit: Claude left no file changes in the working tree`.
 */
export default defineStep({
  name: 'commit-push',
  needs: ['shell'],
  config: z.object({
    /** The commit message; `{identifier}` and `{title}` are replaced. */
    message: z.string().default('{identifier}: {title}'),
  }),
  async run(ctx, { shell }, settings) {
    const changed = await changedPaths(ctx, shell);
    if (!Array.isArray(changed)) {
      return {
        status: 'failed',
        message: `git status failed (exit ${changed.exitCode}): ${safeTail(changed.output, ctx.secretValues, 500)}`,
      };
    }
    if (changed.length === 0) return { status: 'failed', message: NOTHING_TO_COMMIT };
    const message = settings.message
      .replaceAll('{identifier}', ctx.issue.identifier)
      .replaceAll('{title}', ctx.issue.title || 'changes');
    for (const args of [
      ['add', '--all'],
      ['commit', '--quiet', '--no-verify', '-m', message],
    ]) {
      const r = await git(ctx, shell, args);
      if (r.exitCode !== 0)
        return {
          status: 'failed',
          message: `git ${args[0]} failed (exit ${r.exitCode}): ${safeTail(r.output, ctx.secretValues, 1000)}`,
        };
    }
    const pushed = await pushBranch(ctx, shell, ctx.branch);
    if (pushed.exitCode !== 0) {
      return {
        status: 'failed',
        message: `git push failed (exit ${pushed.exitCode}): ${safeTail(pushed.output, ctx.secretValues, 1000)}`,
      };
    }
    const head = await git(ctx, shell, ['rev-parse', 'HEAD']);
    return { status: 'succeeded', output: { branch: ctx.branch, files: changed.length, commit: head.output.trim() } };
  },
});
