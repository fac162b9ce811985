import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNoSandbox } from '../../adapters/sandbox/bwrap.sandbox.js';
import type { SessionConfig } from '../../hosts/session/session-env.js';
import { sessionForge } from '../../hosts/session/session-forge.js';
import { createShell } from '../../hosts/session/shell.js';
import type { RunContext } from '../../plugins/run-context.js';
import { cloneRepository } from '../../plugins/steps/shared/git.js';

describe('the session forge for GitHub', () => {
  it('gives git the repository token through its credential helper, never in the clone URL or .git/config', async () => {
    const seen: (string | undefined)[] = [];
    // Asks for a credential (401) until it gets one, as GitHub does for a private repository.
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization) res.writeHead(404).end();
      else res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = await mkdtemp(join(tmpdir(), 'ai-implement-forge-'));
    try {
      const config = {
        forge: 'github',
        owner: 'acme',
        repo: 'app',
        defaultBranch: 'main',
        githubApiUrl: base,
        githubServerUrl: base,
      } as SessionConfig;
      const made = await sessionForge(config, { repoToken: async () => ({ ok: { token: 'ghs_session_token_42' } }) } as never);
      if ('error' in made) throw new Error(made.error);
      expect(made.repo.cloneUrl).toBe(`${base}/acme/app.git`);
      expect(made.repo.cloneUrl).not.toContain('ghs_');
      expect(made.secrets).toContain('ghs_session_token_42');

      const ctx = {
        workspace: dir,
        repoDir: join(dir, 'repo'),
        agentEnv: { PATH: process.env.PATH ?? '' },
        repo: made.repo,
        remainingMs: () => 10_000,
        signal: new AbortController().signal,
      } as unknown as RunContext;
      const result = await cloneRepository(ctx, createShell({ sandbox: createNoSandbox() }), []);
      expect(result.exitCode).not.toBe(0);
      expect(seen.at(-1)).toBe(`Basic ${Buffer.from('x-access-token:ghs_session_token_42').toString('base64')}`);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says why when /api/token refuses', async () => {
    const made = await sessionForge(
      { forge: 'github', owner: 'acme' } as SessionConfig,
      { repoToken: async () => ({ error: 'HTTP 403 Owner mismatch' }) } as never,
    );
    expect(made).toEqual({ error: 'could not get a repository token from /api/token: HTTP 403 Owner mismatch' });
  });

  it('pushes with the runner’s own GITHUB_TOKEN when /api/token hands out none (token mode, issue 13)', async () => {
    const made = await sessionForge(
      {
        forge: 'github',
        owner: 'acme',
        repo: 'app',
        githubApiUrl: 'http://127.0.0.1:9',
        githubServerUrl: 'http://127.0.0.1:9',
        runnerGithubToken: 'ghs_actions_own_token',
      } as SessionConfig,
      { repoToken: async () => ({ error: 'HTTP 500 Failed to generate token' }) } as never,
    );
    if ('error' in made) throw new Error(made.error);
    expect(made.secrets).toContain('ghs_actions_own_token');
    expect(made.repo.credential).toEqual({ username: 'x-access-token', password: 'ghs_actions_own_token' });
  });
});
