import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { doctor, findExecutable } from '../../../hosts/cli/doctor-command.js';
import { main } from '../../../hosts/cli/main.js';
import { capture } from './capture.js';

const work = mkdtempSync(join(tmpdir(), 'ai-implement-doctor-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH holding exactly the named programs (links to the real ones, or stub scripts). */
function pathWith(name: string, programs: Record<string, string | 'stub'>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [program, source] of Object.entries(programs)) {
    if (source === 'stub') {
      writeFileSync(join(dir, program), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, program), 0o755);
    } else symlinkSync(source, join(dir, program));
  }
  return dir;
}

const SYSTEM = process.env.PATH ?? '';
const real = (program: string) => {
  const found = findExecutable(program, SYSTEM);
  if (!found) throw new Error(`${program} is needed on PATH for this test`);
  return found;
};
const noDocker = { detectContainer: async () => undefined };
const base = { STORAGE_URL: 'memory:', RUNNER_TOKEN_SECRET: 'doctor-runner-secret-0123' };

describe('doctor', () => {
  it('lists connections without values, and prints the admin URL', async () => {
    const { io, out, all } = capture();
    const env = {
      ...base,
      GITHUB_TOKEN: 'ghp_verysecret',
      LINEAR_API_KEY: 'lin_verysecret',
      ADMIN_ACCESS_CODE: 'code-verysecret',
    };
    expect(await doctor({ ...env, PUBLIC_URL: 'https://ai.example.com' }, io, noDocker)).toBe(0);
    expect(out[0]).toBe('Configuration is valid.');
    expect(all()).toContain('✓ GitHub: token; https://api.github.com');
    expect(all()).toContain('✓ Linear: API key set');
    expect(all()).toContain('· Jira: no JIRA_HOST');
    expect(all()).toContain('✓ Storage: reachable');
    expect(out.at(-1)).toBe('Admin: https://ai.example.com/admin (sign in with ADMIN_ACCESS_CODE)');
    expect(all()).not.toMatch(/verysecret/);
  });

  it('says the admin is off without an access code, and how to get one', async () => {
    const { io, out } = capture();
    expect(await doctor(base, io, noDocker)).toBe(0);
    expect(out.at(-1)).toBe('Admin: disabled until ADMIN_ACCESS_CODE is set (ai-implement init writes one)');
  });

  it('for the local runner: passes with the agent CLI, git and bubblewrap on PATH', async () => {
    const PATH = pathWith('all', { claude: 'stub', git: real('git'), bwrap: real('bwrap') });
    const { io, all, err } = capture();
    expect(await doctor({ ...base, PATH, RUNNER_MODE: 'local' }, io, noDocker)).toBe(0);
    expect(all()).toContain('Runner: local (RUNNER_MODE)');
    expect(all()).toContain(`✓ Agent CLI: claude (${join(PATH, 'claude')})`);
    expect(all()).toContain(`✓ git: ${join(PATH, 'git')}`);
    expect(all()).toContain(`✓ Agent sandbox: bubblewrap (${join(PATH, 'bwrap')})`);
    expect(all()).toContain(
      '✓ Agent egress: allow-list (the model provider, the package registries, the forge); refused requests are listed on the ticket',
    );
    expect(all()).toContain('· Docker: not reachable (no docker, or no daemon); local sessions run as processes');
    expect(err).toEqual([]);
  });

  it('for the local runner: says what the sandbox may reach, and fails on an allow-list entry that is no host', async () => {
    const PATH = pathWith('egress', { claude: 'stub', git: real('git'), bwrap: real('bwrap') });
    const run = async (extra: Record<string, string>) => {
      const { io, all } = capture();
      const code = await doctor({ ...base, PATH, RUNNER_MODE: 'local', ...extra }, io, noDocker);
      return { code, lines: all() };
    };
    const listed = await run({ AI_IMPLEMENT_EGRESS_ALLOW: 'npm.corp.example, *.corp.example' });
    expect(listed.code).toBe(0);
    expect(listed.lines).toContain(
      '✓ Agent egress: allow-list (the model provider, the package registries, the forge, and 2 from AI_IMPLEMENT_EGRESS_ALLOW); refused requests are listed on the ticket',
    );
    const bad = await run({ AI_IMPLEMENT_EGRESS_ALLOW: 'ok.example bad/host' });
    expect(bad.code).toBe(1);
    expect(bad.lines).toContain('✗ Agent egress: AI_IMPLEMENT_EGRESS_ALLOW has entries that are no host: bad/host');
    const open = await run({ AI_IMPLEMENT_EGRESS: 'open' });
    expect(open.code).toBe(0);
    expect(open.lines).toContain("· Agent egress: open (AI_IMPLEMENT_EGRESS=open): the sandbox shares this machine's network");
  });

  it('for the local runner: fails naming each missing tool, and exits 1', async () => {
    const PATH = pathWith('none', {});
    const { io, all, err } = capture();
    expect(await doctor({ ...base, PATH }, io, { ...noDocker, runner: 'local' })).toBe(1);
    expect(all()).toContain('Runner: local (--runner)');
    expect(all()).toContain(
      '✗ Agent CLI: claude not found on PATH; install Claude Code (claude) or set AI_IMPLEMENT_AGENT_COMMAND',
    );
    expect(all()).toContain('✗ git: not found on PATH');
    expect(all()).toContain('✗ Agent sandbox: bubblewrap (bwrap) not found');
    expect(err).toEqual(['3 checks failed']);
  });

  it('checks AI_IMPLEMENT_AGENT_COMMAND instead of claude, and an unconfined sandbox is only noted', async () => {
    const PATH = pathWith('custom-agent', { 'my-agent': 'stub', git: real('git') });
    const { io, all } = capture();
    const env = {
      ...base,
      PATH,
      AI_IMPLEMENT_AGENT_COMMAND: '["my-agent", "--prompt", "{prompt}"]',
      AI_IMPLEMENT_SANDBOX: 'off',
    };
    expect(await doctor(env, io, { ...noDocker, runner: 'local' })).toBe(0);
    expect(all()).toContain(`✓ Agent CLI: my-agent (AI_IMPLEMENT_AGENT_COMMAND) (${join(PATH, 'my-agent')})`);
    expect(all()).toContain('· Agent sandbox: off (AI_IMPLEMENT_SANDBOX=off)');
  });

  it('says when docker is reachable (local sessions then run in containers)', async () => {
    const { io, all } = capture();
    expect(await doctor(base, io, { detectContainer: async () => 'docker' })).toBe(0);
    expect(all()).toContain('✓ Docker: reachable; local sessions run in containers');
  });

  it('for GitHub Actions and Fly: fails without their credentials', async () => {
    const gha = capture();
    expect(await doctor({ ...base, RUNNER_MODE: 'gha' }, gha.io, noDocker)).toBe(1);
    expect(gha.all()).toContain('✗ GitHub Actions: needs GITHUB_TOKEN or a GitHub App');
    const fly = capture();
    expect(await doctor({ ...base, RUNNER_MODE: 'fly' }, fly.io, noDocker)).toBe(1);
    expect(fly.all()).toContain('✗ Fly Machines: needs FLY_API_TOKEN');
    const flyOk = capture();
    expect(await doctor({ ...base, RUNNER_MODE: 'fly', FLY_API_TOKEN: 'fo1_x', FLY_SESSIONS_APP: 's' }, flyOk.io, noDocker)).toBe(
      0,
    );
    expect(flyOk.all()).toContain('✓ Fly Machines: API token set; sessions app s');
  });

  it('fails when storage is unreachable, without echoing its URL', async () => {
    const { io, all } = capture();
    const STORAGE_URL = 'postgres://ai:pw-verysecret@127.0.0.1:1/ai';
    expect(await doctor({ STORAGE_URL }, io, noDocker)).toBe(1);
    expect(all()).toMatch(/✗ Storage: not reachable: /);
    expect(all()).not.toContain('pw-verysecret');
  });

  it('exits 1 on a bad configuration or runner', async () => {
    const bad = capture();
    expect(await doctor({ RUNNER_MODE: 'warp' }, bad.io)).toBe(1);
    expect(bad.err[0]).toContain('RUNNER_MODE');
    const runner = capture();
    expect(await doctor(base, runner.io, { runner: 'warp' })).toBe(1);
    expect(runner.err).toEqual(['--runner must be one of: default, gha, fly, local, shadow']);
  });

  it('reads a .env file under the environment (`--dotenv`); the environment wins', async () => {
    const file = join(work, 'doctor.env');
    writeFileSync(
      file,
      '# comment\nADMIN_ACCESS_CODE=from-file-verysecret\nPUBLIC_URL=https://file.example.com\nSTORAGE_URL=memory:\n',
    );
    const { io, out, all } = capture();
    const code = await main(['doctor', '--dotenv', file, '--runner', 'shadow'], { PUBLIC_URL: 'https://env.example.com' }, io);
    expect(code).toBe(0);
    expect(all()).toContain('✓ Admin UI and API: ADMIN_ACCESS_CODE set');
    expect(out.at(-1)).toBe('Admin: https://env.example.com/admin (sign in with ADMIN_ACCESS_CODE)');
    expect(all()).not.toContain('verysecret');
  });
});
