import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStep } from '../define-step.js';
import { safeTail } from './shared/text.js';

/** Whether the tree holds `path`; a link counts as itself, never followed to a file of the host. */
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * The install command for the repository's package manager, or undefined when it has none.
 * Lockfiles are installed frozen, so setup never changes a tracked file (which would
 * otherwise count as the agent's change).
 */
export async function detectInstall(repoDir: string): Promise<{ manager: string; argv: string[] } | undefined> {
  if (await exists(join(repoDir, 'pnpm-lock.yaml'))) return { manager: 'pnpm', argv: ['pnpm', 'install', '--frozen-lockfile'] };
  if (await exists(join(repoDir, 'yarn.lock'))) return { manager: 'yarn', argv: ['yarn', 'install', '--frozen-lockfile'] };
  if (await exists(join(repoDir, 'package-lock.json'))) return { manager: 'npm', argv: ['npm', 'ci', '--no-audit', '--no-fund'] };
  if (await exists(join(repoDir, 'package.json')))
    return { manager: 'npm', argv: ['npm', 'install', '--no-audit', '--no-fund', '--no-package-lock'] };
  return undefined;
}

/**
 * Installs the target repository's dependencies (npm, pnpm, yarn, or nothing), then tells
 * the ticket the environment is ready. A custom `command` replaces the detection.
 */
export default defineStep({
  name: 'setup',
  needs: ['shell', 'status'],
  config: z.object({
    /** A command to run instead of the detected install, through `sh -c`. */
    command: z.string().optional(),
    /** Post "✅ Environment ready" when done (the implementation phases). */
    announce: z.boolean().default(true),
  }),
  async run(ctx, { shell, status }, settings) {
    const install = settings.command
      ? { manager: 'custom', argv: ['sh', '-c', settings.command] }
      : await detectInstall(ctx.repoDir);
    let output: Record<string, unknown> = { manager: 'none' };
    if (install) {
      const result = await shell.run({
        argv: install.argv,
        cwd: ctx.repoDir,
        env: { ...ctx.agentEnv, CI: 'true' },
        timeoutMs: Math.max(1000, ctx.remainingMs()),
        signal: ctx.signal,
      });
      if (result.exitCode !== 0) {
        return {
          status: 'failed',
          message: `Dependency installation failed (${install.argv[0]} exit ${result.exitCode}): ${safeTail(result.output, ctx.secretValues, 1000)}`,
        };
      }
      output = { manager: install.manager };
    }
    if (settings.announce && ctx.phase !== 'planning') await status({ type: 'environment_ready' });
    return { status: install ? 'succeeded' : 'skipped', output };
  },
});
