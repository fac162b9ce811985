import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNoSandbox } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createShell } from '../../hosts/session/shell.js';
import type { RunContext, Shell, ShellCommand } from '../../plugins/run-context.js';
import { cloneRepository, git, pushBranch, withCredentialHelper } from '../../plugins/steps/shared/git.js';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.js';

/**
 * Issue 13: the session's git credential goes to git through a credential helper, for its own
 * clone and push only; it is in no git process's environment or argv, and every git call of
 * the session carries `core.fsmonitor`, `core.hooksPath` and `protocol.ext.allow` overrides.
 * Real git against real smart HTTP (`git http-backend`) behind Basic auth on loopback.
 */

const TOKEN = `ghs_${'Cr3dHelper'.repeat(4)}`;
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');

let root = '';
let server: GitHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (root) await rm(root, { recursive: true, force: true });
});

const run = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', GIT_CONFIG_GLOBAL: '/dev/null' } });

/** Every readable process's argv and environment, searched for the token in any form given. */
function processesHolding(needles: string[]): { gitProcesses: number; leaks: string[] } {
  let gitProcesses = 0;
  const leaks: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    for (const file of ['cmdline', 'environ']) {
      let text = '';
      try {
        text = readFileSync(`/proc/${pid}/${file}`).toString('utf8');
      } catch {
        continue;
      }
      if (file === 'cmdline' && /(^|\/)git(-remote-https?)?\0/.test(text)) gitProcesses++;
      for (const needle of needles) if (text.includes(needle)) leaks.push(`/proc/${pid}/${file}`);
    }
  }
  return { gitProcesses, leaks };
}

async function setup() {
  root = await mkdtemp(join(tmpdir(), 'ai-implement-credential-helper-'));
  const forgeRoot = join(root, 'forge');
  const bare = join(forgeRoot, 'acme', 'app.git');
  const seed = join(root, 'seed');
  run(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  run(['config', 'http.receivepack', 'true'], bare);
  run(['clone', '--quiet', bare, seed]);
  run(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'init'], seed);
  run(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], seed);

  const scans: ReturnType<typeof processesHolding>[] = [];
  server = await startGitHttpServer({
    root: forgeRoot,
    username: 'x-access-token',
    password: TOKEN,
    onRequest: () => scans.push(processesHolding([TOKEN, BASIC])),
  });
  const workspace = join(root, 'workspace');
  await mkdir(workspace);
  const commands: ShellCommand[] = [];
  const inner = createShell({ sandbox: createNoSandbox() });
  const shell: Shell = {
    run: (command) => {
      commands.push(command);
      return inner.run(command);
    },
  };
  const ctx = {
    workspace,
    repoDir: join(workspace, 'repo'),
    agentEnv: { PATH: process.env.PATH ?? '' },
    repo: {
      owner: 'acme',
      repo: 'app',
      forge: 'github',
      cloneUrl: `${server.url}/acme/app.git`,
      defaultBranch: 'main',
      credential: { username: 'x-access-token', password: TOKEN },
    },
    remainingMs: () => 30_000,
    signal: new AbortController().signal,
  } as unknown as RunContext;
  return { ctx, shell, commands, scans, bare, server };
}

describe("the session's git credential, through a credential helper", () => {
  it('clones and pushes over authenticated HTTP, with the token in no process environment or argv', async () => {
    const { ctx, shell, commands, scans, bare, server } = await setup();
    expect(await cloneRepository(ctx, shell, [])).toMatchObject({ exitCode: 0 });
    for (const args of [
      ['config', 'user.name', 't'],
      ['config', 'user.email', 't@t'],
      ['commit', '--quiet', '--allow-empty', '-m', 'change'],
    ])
      expect((await git(ctx, shell, args)).exitCode).toBe(0);
    expect(await pushBranch(ctx, shell, 'ai-implement/ENG-1')).toMatchObject({ exitCode: 0 });
    expect(run(['log', '--format=%s', 'ai-implement/ENG-1'], bare).trim().split('\n')).toEqual(['change', 'init']);

    // git asked without a credential first, got 401, then sent the helper's answer.
    expect(server.authorizations).toContain(undefined);
    expect(server.authorizations).toContain(`Basic ${BASIC}`);
    // While git talked to the server, git was running and nothing held the token.
    expect(scans.length).toBeGreaterThan(0);
    expect(Math.min(...scans.map((s) => s.gitProcesses))).toBeGreaterThan(0);
    expect(scans.flatMap((s) => s.leaks)).toEqual([]);

    // Every git call carried the overrides, none carried the token in argv or environment.
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const command of commands) {
      expect(command.argv[0]).toBe('git');
      const flags = command.argv.slice(1, 7).join(' ');
      expect(flags).toBe('-c core.hooksPath=/dev/null -c core.fsmonitor=false -c protocol.ext.allow=never');
      expect(JSON.stringify(command)).not.toContain(TOKEN);
      expect(JSON.stringify(command)).not.toContain(BASIC);
    }
    // The helper's file is gone once the credentialed call ended.
    const helperFiles = commands
      .flatMap((c) => c.argv)
      .map((a) => /cat '([^']+)'/.exec(a)?.[1])
      .filter((f): f is string => f !== undefined);
    // Two helpers: the clone and the push; the push repository's setup got none.
    expect(helperFiles.length).toBe(2);
    for (const file of helperFiles) expect(existsSync(file)).toBe(false);
  });

  it('without the credential the clone is refused: no helper of any config answers for it', async () => {
    const { ctx, shell, server } = await setup();
    const anonymous = { ...ctx, repo: { ...ctx.repo, credential: undefined } } as RunContext;
    const cloned = await cloneRepository(anonymous, shell, []);
    expect(cloned.exitCode).not.toBe(0);
    expect(server.authorizations.every((a) => a === undefined)).toBe(true);
  });

  it('gives the credential to the clone URL’s origin only', async () => {
    const { ctx, shell, server } = await setup();
    // The helper is scoped to another origin than the one git talks to: git gets no answer.
    const result = await withCredentialHelper(
      { username: 'x-access-token', password: TOKEN },
      'http://127.0.0.1:1/acme/app.git',
      (helper) =>
        shell.run({
          argv: ['git', ...helper, 'ls-remote', `${server.url}/acme/app.git`],
          cwd: ctx.workspace,
          env: {
            PATH: process.env.PATH ?? '',
            GIT_TERMINAL_PROMPT: '0',
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_CONFIG_GLOBAL: '/dev/null',
          },
          timeoutMs: 10_000,
        }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(server.authorizations.length).toBeGreaterThan(0);
    expect(server.authorizations.every((a) => a === undefined)).toBe(true);
  });

  it('refuses a credential that would break the helper protocol', async () => {
    await expect(
      withCredentialHelper({ username: 'x-access-token', password: 'a\nhost=evil' }, 'https://github.com/a/b.git', async () => 0),
    ).rejects.toThrow('line break');
  });
});
