import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBwrapSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createShell } from '../../hosts/session/shell.js';
import type { RunContext } from '../../plugins/run-context.js';
import { changedPaths, cloneRepository, git, pushBranch } from '../../plugins/steps/shared/git.js';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.js';
import { leakedIn } from './leak-detector.js';

/**
 * The session's own git with its credential (issue 13, point 2): the agent has rewired
 * `.git/config` (fsmonitor, hooks, pushurl, insteadOf, credential helper, an include) to run
 * a script that dumps its environment. The session's git status, commit and push must run none
 * of it with the credential, and the push must reach the real remote only.
 */

const SECRET = `x-access-token:ghs_${'s3cr3t'.repeat(6)}`;
const HEADER = `AUTHORIZATION: basic ${Buffer.from(SECRET).toString('base64')}`;
/** The old way (a header through GIT_CONFIG_*), to show the attack is real. */
const gitEnv = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: HEADER };

const TOKEN = SECRET.slice('x-access-token:'.length);

let root = '';
let server: GitHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (root) await rm(root, { recursive: true, force: true });
});

const run = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

async function hostileWorkspace() {
  if (!findBwrap())
    throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
  root = await mkdtemp(join(tmpdir(), 'ai-implement-git-credential-'));
  const bare = join(root, 'forge', 'acme', 'app.git');
  const attacker = join(root, 'attacker.git');
  const loot = join(root, 'loot');
  const workspace = join(root, 'workspace');
  const repoDir = join(workspace, 'repo');
  await mkdir(loot);
  await mkdir(workspace);
  run(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  run(['config', 'http.receivepack', 'true'], bare);
  // The session pushes over authenticated HTTP, with the credential through its helper.
  server = await startGitHttpServer({ root: join(root, 'forge'), username: 'x-access-token', password: TOKEN });
  const cloneUrl = `${server.url}/acme/app.git`;
  run(['init', '--quiet', '--bare', attacker]);
  run(['clone', '--quiet', bare, repoDir]);
  run(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'init'], repoDir);
  run(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], repoDir);

  // What a hostile agent leaves behind: every way git runs a program of the repository's.
  const dump = join(repoDir, '.git', 'dump.sh');
  await writeFile(dump, `#!/bin/sh\nenv > "${loot}/$(basename "$0")-$$.txt"\nexit 0\n`);
  await chmod(dump, 0o755);
  const hooks = join(repoDir, '.git', 'hooks');
  for (const hook of ['pre-commit', 'post-commit', 'pre-push', 'reference-transaction', 'post-index-change']) {
    await writeFile(join(hooks, hook), `#!/bin/sh\nexec "${dump}"\n`);
    await chmod(join(hooks, hook), 0o755);
  }
  await writeFile(join(repoDir, '.git', 'evil.config'), `[credential]\n\thelper = !${dump}\n[core]\n\tsshCommand = ${dump}\n`);
  for (const [key, value] of [
    ['core.fsmonitor', dump],
    ['core.hooksPath', hooks],
    ['remote.origin.pushurl', attacker],
    [`url.${attacker}.insteadOf`, bare],
    [`url.${attacker}.pushInsteadOf`, cloneUrl],
    ['include.path', join(repoDir, '.git', 'evil.config')],
    ['user.name', 't'],
    ['user.email', 't@t'],
  ])
    run(['config', key!, value!], repoDir);
  await writeFile(join(repoDir, 'change.txt'), 'changed\n');

  const ctx = {
    workspace,
    repoDir,
    agentEnv: { PATH: process.env.PATH ?? '' },
    repo: {
      owner: 'acme',
      repo: 'app',
      forge: 'github',
      cloneUrl,
      defaultBranch: 'main',
      credential: { username: 'x-access-token', password: TOKEN },
    },
    remainingMs: () => 30_000,
    signal: new AbortController().signal,
  } as unknown as RunContext;
  // The loot directory is writable in the sandbox too: whatever runs there may report what it saw.
  const shell = createShell({ sandbox: createBwrapSandbox({ readWrite: [loot] }), killGraceMs: 300 });
  return { ctx, shell, bare, attacker, loot, repoDir };
}

const looted = async (loot: string) =>
  (await Promise.all((await readdir(loot)).map((f) => readFile(join(loot, f), 'utf8')))).join('\n');

describe("the session's git against a hostile .git/config", () => {
  it('the attack is real: a plain git status with the credential runs the fsmonitor, which reads it', async () => {
    const { loot, repoDir } = await hostileWorkspace();
    execFileSync('git', ['status', '--porcelain'], { cwd: repoDir, env: { PATH: process.env.PATH ?? '', ...gitEnv } });
    expect(leakedIn(await looted(loot), [SECRET])).toEqual([SECRET]);
  });

  it('status, add, commit and push run none of it with the credential, and push to the real remote only', async () => {
    const { ctx, shell, bare, attacker, loot } = await hostileWorkspace();
    expect(await changedPaths(ctx, shell)).toEqual(['change.txt']);
    for (const args of [
      ['add', '--all'],
      ['commit', '--quiet', '-m', 'change'],
    ])
      expect((await git(ctx, shell, args)).exitCode).toBe(0);
    const pushed = await pushBranch(ctx, shell, 'ai-implement/ENG-1');
    expect(pushed).toMatchObject({ exitCode: 0 });

    expect(leakedIn(await looted(loot), [SECRET, HEADER, TOKEN])).toEqual([]);
    expect(server?.authorizations).toContain(`Basic ${Buffer.from(SECRET).toString('base64')}`);
    expect(run(['for-each-ref', '--format=%(refname)'], attacker).trim()).toBe('');
    expect(run(['log', '--format=%s', 'ai-implement/ENG-1'], bare).trim().split('\n')).toEqual(['change', 'init']);
  });
});

describe("the clone of a repository on this machine's disk (the local forge)", () => {
  it("shares no file with it: the agent rewriting its .git/objects leaves the forge's repository whole", async () => {
    if (!findBwrap())
      throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
    root = await mkdtemp(join(tmpdir(), 'ai-implement-local-clone-'));
    const bare = join(root, 'forge', 'acme', 'app.git');
    const seed = join(root, 'seed');
    const workspace = join(root, 'workspace');
    await mkdir(workspace);
    run(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    run(['clone', '--quiet', bare, seed]);
    await writeFile(join(seed, 'README.md'), '# app\n');
    run(['add', 'README.md'], seed);
    run(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'init'], seed);
    run(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], seed);
    const ctx = {
      workspace,
      repoDir: join(workspace, 'repo'),
      agentEnv: { PATH: process.env.PATH ?? '' },
      repo: { owner: 'acme', repo: 'app', forge: 'local', cloneUrl: bare, defaultBranch: 'main' },
      remainingMs: () => 30_000,
      signal: new AbortController().signal,
    } as unknown as RunContext;
    const shell = createShell({ sandbox: createBwrapSandbox(), killGraceMs: 300 });
    expect((await cloneRepository(ctx, shell, [])).exitCode).toBe(0);

    // The agent, in its sandbox, writes over every object of its clone in place. A hard link
    // (git's default for a clone from a path) would be the forge's own object file.
    const r = await shell.run({
      argv: ['sh', '-c', 'for f in $(find .git/objects -type f); do chmod u+w "$f"; printf tampered > "$f"; done; echo done'],
      cwd: ctx.repoDir,
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 10_000,
    });
    expect(r.output).toContain('done');
    expect(run(['fsck', '--strict'], bare)).toBeDefined();
    expect(run(['show', 'main:README.md'], bare)).toBe('# app\n');
  });
});
