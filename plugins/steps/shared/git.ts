import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitCredential, RunContext, Shell, ShellResult } from '../../run-context.js';

/** The identity of the commits a run makes. */
export const RUN_IDENTITY = { name: 'AI-Implement', email: 'ai-implement@users.noreply.github.com' };

/**
 * Settings on every git call of the session that may win over what the repository says: no
 * hooks, no fsmonitor, no `ext::` transport (each runs a program of the repository's choice).
 */
export const PROTECTED_GIT_ARGS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'protocol.ext.allow=never',
] as const;

/** git's environment for the working tree: PATH, no prompts, no system or user config, no credential. */
export function gitEnv(ctx: RunContext): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  if (ctx.agentEnv.PATH) env.PATH = ctx.agentEnv.PATH;
  return env;
}

/**
 * Runs git on the working tree, sandboxed like the agent: the repository's config, hooks and
 * fsmonitor are the agent's to edit, so whatever they run sees no credential and no session.
 */
export function git(ctx: RunContext, shell: Shell, args: string[], cwd = ctx.repoDir): Promise<ShellResult> {
  return shell.run({
    argv: ['git', ...PROTECTED_GIT_ARGS, ...args],
    cwd,
    env: gitEnv(ctx),
    timeoutMs: Math.max(1000, ctx.remainingMs()),
    signal: ctx.signal,
    // Everything it needs is in the working tree: no network, not even allow-listed hosts.
    offline: true,
  });
}

/**
 * Runs git with the repository credential, outside the sandbox. Only for commands that read
 * no repository the agent has touched: the first clone (nothing of the agent exists yet) and
 * the push from a bare repository of the session's own (`pushBranch`).
 */
async function credentialedGit(
  ctx: RunContext,
  shell: Shell,
  args: string[],
  cwd: string,
  needsCredential = true,
): Promise<ShellResult> {
  const run = (helper: string[]) =>
    shell.run({
      argv: ['git', ...PROTECTED_GIT_ARGS, ...helper, ...args],
      cwd,
      env: gitEnv(ctx),
      timeoutMs: Math.max(1000, ctx.remainingMs()),
      signal: ctx.signal,
      unsandboxed: true,
    });
  const credential = ctx.repo.credential;
  // A local path or file:// remote asks for no credential: none is handed out.
  if (!needsCredential || !credential || !/^https?:\/\//i.test(ctx.repo.cloneUrl)) return run(['-c', 'credential.helper=']);
  return withCredentialHelper(credential, ctx.repo.cloneUrl, run);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Hands `credential` to git through a credential helper for the duration of `run` only: a
 * 0600 file in a 0700 directory of the session's (outside the workspace, and the sandbox has
 * a private /tmp), answered by a helper that only `cat`s it on `get`. The token is in no
 * process's environment or argv (only the file's path is), every helper of any config is reset
 * first, and the helper is scoped to the clone URL's origin, so git gives the token to no
 * other host (a redirect, a submodule). The file is removed when `run` ends.
 */
export async function withCredentialHelper<T>(
  credential: GitCredential,
  cloneUrl: string,
  run: (helperArgs: string[]) => Promise<T>,
): Promise<T> {
  for (const value of [credential.username, credential.password])
    if (/[\0\r\n]/.test(value)) throw new Error('git credential: a value holds a line break or NUL');
  const origin = new URL(cloneUrl).origin;
  const dir = await mkdtemp(join(tmpdir(), 'ai-implement-credential-'));
  try {
    await chmod(dir, 0o700);
    const file = join(dir, 'credential');
    await writeFile(file, `username=${credential.username}\npassword=${credential.password}\n`, { mode: 0o600 });
    return await run([
      '-c',
      'credential.helper=',
      '-c',
      `credential.${origin}.helper=!f() { test "$1" = get && cat ${shellQuote(file)}; }; f`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Clones the repository into `ctx.repoDir` with the credential, before any agent ran. A clone
 * from a path (the local forge) copies the objects: git's default hard-links them, and the
 * agent, writing its clone's `.git/objects` in place, would rewrite the forge's repository.
 */
export function cloneRepository(ctx: RunContext, shell: Shell, extra: string[]): Promise<ShellResult> {
  return credentialedGit(
    ctx,
    shell,
    ['clone', '--quiet', '--no-hardlinks', ...extra, '--', ctx.repo.cloneUrl, ctx.repoDir],
    ctx.workspace,
  );
}

/**
 * Pushes HEAD of the working tree to `branch` without running git in it with the credential:
 * the sandbox bundles HEAD's history into a file, a fresh bare repository of the session's
 * (outside the sandbox's reach) fetches the bundle, and pushes from there to the clone URL.
 * So neither `.git/config` (pushurl, proxy, insteadOf, includes) nor a hook of the working
 * tree takes part in a command that holds the credential.
 */
export async function pushBranch(ctx: RunContext, shell: Shell, branch: string): Promise<ShellResult> {
  const bundle = join(ctx.repoDir, '.git', 'ai-implement-push.bundle');
  const bundled = await git(ctx, shell, ['bundle', 'create', bundle, 'HEAD']);
  if (bundled.exitCode !== 0) return bundled;
  const bare = await mkdtemp(join(tmpdir(), 'ai-implement-push-'));
  try {
    // Only the push gets the credential; the bare repository's setup is local.
    for (const [args, needsCredential] of [
      [['init', '--quiet', '--bare', bare], false],
      [['-C', bare, 'fetch', '--quiet', '--no-tags', bundle, `HEAD:refs/heads/${branch}`], false],
      [['-C', bare, 'push', '--quiet', ctx.repo.cloneUrl, `refs/heads/${branch}:refs/heads/${branch}`], true],
    ] as const) {
      const r = await credentialedGit(ctx, shell, [...args], bare, needsCredential);
      if (r.exitCode !== 0) return r;
    }
    return { exitCode: 0, output: '', killed: false };
  } finally {
    await rm(bare, { recursive: true, force: true });
    await rm(bundle, { force: true });
  }
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
