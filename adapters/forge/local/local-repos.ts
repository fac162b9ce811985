import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RepoRef } from '../../../ports/forge.port.js';
import { FORGE_IDENTITY, git } from './git-cli.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Owner and repo become path segments: only plain names, never `..` or a separator. */
export function isSafeRepoRef(ref: RepoRef): boolean {
  return NAME.test(ref.owner) && NAME.test(ref.repo) && !ref.owner.includes('..') && !ref.repo.includes('..');
}

/** Where a repository lives under the forge root: `<root>/<owner>/<repo>.git`. */
export function repoPath(root: string, ref: RepoRef): string {
  return join(root, ref.owner, `${ref.repo}.git`);
}

export async function repoExists(root: string, ref: RepoRef): Promise<boolean> {
  if (!isSafeRepoRef(ref)) return false;
  try {
    await access(join(repoPath(root, ref), 'HEAD'));
    return true;
  } catch {
    return false;
  }
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (exit ${exitCode}): ${stderr.trim()}`);
  }
}

/** Runs git in a bare repository and returns stdout; a non-zero exit throws GitCommandError. */
export async function gitIn(path: string, args: string[], input?: string, env?: Record<string, string>): Promise<string> {
  const result = await git(['--git-dir', path, ...args], { ...(input === undefined ? {} : { input }), ...(env ? { env } : {}) });
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr);
  return result.stdout;
}

/** The commit a ref points at, or undefined when the ref does not exist. */
export async function resolveRef(path: string, ref: string): Promise<string | undefined> {
  const result = await git(['--git-dir', path, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** A file's text at `ref`, or undefined when the ref or the path does not exist. */
export async function readFileAt(path: string, ref: string, file: string): Promise<string | undefined> {
  const commit = await resolveRef(path, ref);
  if (!commit) return undefined;
  const result = await git(['--git-dir', path, 'cat-file', 'blob', `${commit}:${file}`]);
  return result.exitCode === 0 ? result.stdout : undefined;
}

/**
 * Creates a bare repository whose `defaultBranch` holds one commit with `files`. The commit
 * is made in a scratch clone and pushed, exactly as a person would seed a repository.
 */
export async function initRepository(
  root: string,
  ref: RepoRef,
  defaultBranch: string,
  files: Record<string, string>,
): Promise<string> {
  const path = repoPath(root, ref);
  await mkdir(dirname(path), { recursive: true });
  await gitOk(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
  const scratch = await mkdtemp(join(tmpdir(), 'ai-implement-seed-'));
  try {
    await gitOk(['init', '--quiet', `--initial-branch=${defaultBranch}`, scratch]);
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(scratch, file)), { recursive: true });
      await writeFile(join(scratch, file), content);
    }
    await gitOk(['-C', scratch, 'add', '--all']);
    await gitOk(['-C', scratch, 'commit', '--quiet', '--allow-empty', '-m', 'Initial commit'], FORGE_IDENTITY);
    await gitOk(['-C', scratch, 'push', '--quiet', path, `HEAD:refs/heads/${defaultBranch}`]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return path;
}

async function gitOk(args: string[], env?: Record<string, string>): Promise<void> {
  const result = await git(args, env ? { env } : {});
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr);
}

/**
 * Writes one file on `branch` of a bare repository with git plumbing (no work tree): the
 * branch's tree plus this blob becomes a new commit, and the ref moves only if nobody moved
 * it meanwhile (`update-ref` with the old value). Writing the same text again changes nothing.
 */
export async function commitFile(path: string, branch: string, file: string, content: string, message: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const parent = await resolveRef(path, ref);
  if (parent && (await readFileAt(path, parent, file)) === content) return;
  const blob = (await gitIn(path, ['hash-object', '-w', '--stdin'], content)).trim();
  const scratch = await mkdtemp(join(tmpdir(), 'ai-implement-index-'));
  const env = { ...FORGE_IDENTITY, GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    if (parent) await gitIn(path, ['read-tree', parent], undefined, env);
    await gitIn(path, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], undefined, env);
    const tree = (await gitIn(path, ['write-tree'], undefined, env)).trim();
    const commit = (
      await gitIn(path, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], undefined, env)
    ).trim();
    await gitIn(path, ['update-ref', ref, commit, parent ?? '0'.repeat(40)]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
