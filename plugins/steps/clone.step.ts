import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { modelOf, readFrontMatter } from './shared/front-matter.js';
import { cloneRepository, git, RUN_IDENTITY } from './shared/git.js';
import { readRepoFile } from './shared/repo-file.js';
import { safeTail } from './shared/text.js';

/**
 * Clones the repository into the run's fresh workspace and checks out the working branch:
 * the existing branch when the run continues one (review changes, gap analysis), else a new
 * branch off the default branch. Then reads the models and prompt templates from WORKFLOW.md
 * and PLANNING.md. Failure: `git clone failed (exit N): …`.
 */
export default defineStep({
  name: 'clone',
  needs: ['shell'],
  config: z.object({
    /** Shallow clone depth; 0 clones the whole history. */
    depth: z.number().int().min(0).default(0),
    workflowFile: z.string().default('WORKFLOW.md'),
    planningFile: z.string().default('PLANNING.md'),
  }),
  async run(ctx, { shell }, settings) {
    const depth = settings.depth > 0 ? ['--depth', String(settings.depth), '--no-single-branch'] : [];
    const cloned = await cloneRepository(ctx, shell, depth);
    if (cloned.exitCode !== 0) {
      return {
        status: 'failed',
        message: `git clone failed (exit ${cloned.exitCode}): ${safeTail(cloned.output, ctx.secretValues, 1000)}`,
      };
    }
    for (const [key, value] of [
      ['user.name', RUN_IDENTITY.name],
      ['user.email', RUN_IDENTITY.email],
    ] as const) {
      await git(ctx, shell, ['config', key, value]);
    }
    // Installed dependencies are never part of the change.
    await appendFile(join(ctx.repoDir, '.git', 'info', 'exclude'), '\nnode_modules/\n');

    const base = ctx.repo.defaultBranch;
    const checkout =
      ctx.phase === 'planning'
        ? await git(ctx, shell, ['checkout', '--quiet', base])
        : (await git(ctx, shell, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${ctx.branch}`])).exitCode === 0
          ? await git(ctx, shell, ['checkout', '--quiet', '-B', ctx.branch, `origin/${ctx.branch}`])
          : await git(ctx, shell, ['checkout', '--quiet', '-B', ctx.branch, `origin/${base}`]);
    if (checkout.exitCode !== 0) {
      return {
        status: 'failed',
        message: `git clone failed (exit ${checkout.exitCode}): ${safeTail(checkout.output, ctx.secretValues, 1000)}`,
      };
    }

    // Never through a symbolic link the repository committed (`WORKFLOW.md -> /proc/self/environ`).
    const workflow = await readRepoFile(ctx.repoDir, settings.workflowFile);
    const planning = await readRepoFile(ctx.repoDir, settings.planningFile);
    if (workflow !== undefined) {
      const { data, body } = readFrontMatter(workflow);
      const model = modelOf(data);
      // An operator's per-issue override, already in ctx, wins over the repository's file.
      if (model) ctx.models.implementation ??= model;
      if (body.trim()) ctx.templates.implementation ??= body.trim();
    }
    if (planning !== undefined) {
      const { data, body } = readFrontMatter(planning);
      const model = modelOf(data);
      if (model) ctx.models.planning ??= model;
      if (body.trim()) ctx.templates.planning ??= body.trim();
    }
    ctx.models.planning ??= ctx.models.implementation;
    return { status: 'succeeded', output: { branch: ctx.phase === 'planning' ? base : ctx.branch, models: ctx.models } };
  },
});
