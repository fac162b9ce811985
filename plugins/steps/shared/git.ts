import type { RunContext, Shell, ShellResult } from '../../run-context.js';

/** The identity of the commits a run makes. */
export const RUN_IDENTITY = { name: 'AI-Implement', email: 'ai-implement@users.noreply.github.com' };

/** git's environment: PATH and HOME, no prompts, no system config, and the repository credential if any. */
export function gitEnv(ctx: RunContext): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', ...ctx.repo.gitEnv };
  if (ctx.agentEnv.PATH) env.PATH = ctx.agentEnv.PATH;
  if (ctx.agentEnv.HOME) env.HOME = ctx.agentEnv.HOME;
  return env;
}

/** Runs git in the repository (or `cwd`), bounded by the run's deadline and abort. */
export function git(ctx: RunContext, shell: Shell, args: string[], cwd = ctx.repoDir): Promise<ShellResult> {
  return shell.run({
    argv: ['git', ...args],
    cwd,
    env: gitEnv(ctx),
    timeoutMs: Math.max(1000, ctx.remainingMs()),
    signal: ctx.signal,
  });
}

/** Paths changed in the working tree (tracked changes and untracked files, ignores respected). */
export async function changedPaths(ctx: RunContext, shell: Shell): Promise<string[] | ShellResult> {
  const status = await git(ctx, shell, ['status', '--porcelain=v1', '--untracked-files=all']);
  if (status.exitCode !== 0) return status;
  return status.output
    .split('\n')
    .map((l) => l.slice(3).trim())
    .filter(Boolean);
}
