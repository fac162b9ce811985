import { expect } from 'vitest';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../testing/fakes/fly/fake-fly.server.js';
import { type FakeGithub, startFakeGithub } from '../../testing/fakes/github/fake-github.js';
import { APP_ID, APP_PERMISSIONS, appKeys, INSTALLATION_ID, OWNER, REPO, seedAcme } from '../../testing/fakes/github/seed.js';
import { ACCESS_CODE, RUNNER_SECRET, type ServerProcess, startServerProcess } from './server.js';

export const WEBHOOK_SECRET = 'conformance-webhook-secret-5b8e01';
export const GAP_FILL_SECRET = 'conformance-gap-fill-secret-93ad7c';
export const TEAM = 'ENG';

/**
 * The real server with every outside service faked on loopback: Fly Machines (the sessions
 * app, so runs launch as machines whose env carries the run's credentials) and GitHub (as a
 * GitHub App installed on `acme`). Issues live on the embedded tracker.
 */
export interface World {
  s: ServerProcess;
  fly: FakeFly;
  github: FakeGithub;
  /** Creates a mapping with `extra` on top of a local-tracker, fly-machines, no-planning base. */
  mapping(extra?: Record<string, unknown>, teamKey?: string): Promise<void>;
  /** Files an issue with the trigger label and waits for its run's machine; answers the machine's env. */
  dispatch(title: string, teamKey?: string): Promise<{ identifier: string; env: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const fly = await startFakeFly();
  const github = await startFakeGithub();
  const keys = appKeys();
  seedAcme(github);
  github.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  github.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
  const s = await startServerProcess({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    RUNNER_TOKEN_SECRET: RUNNER_SECRET,
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GAP_FILL_TRIGGER_SECRET: GAP_FILL_SECRET,
    FLY_API_TOKEN: fly.token,
    FLY_API_URL: fly.url,
    FLY_SESSIONS_APP: FAKE_FLY_APP,
    GITHUB_APP_ID: String(APP_ID),
    GITHUB_APP_PRIVATE_KEY: keys.privateKey,
    GITHUB_API_URL: github.url,
    STORAGE_URL: 'memory:',
    POLL_INTERVAL_MS: '3600000',
    ...env,
  });
  s.neverReveal(fly.token);

  return {
    s,
    fly,
    github,
    async mapping(extra = {}, teamKey = TEAM) {
      const res = await s.call('POST', '/api/mappings', {
        token: true,
        body: {
          teamKey,
          owner: OWNER,
          repo: REPO,
          defaultBranch: 'main',
          ticketing: 'local',
          executionMode: 'fly-machines',
          planningEnabled: false,
          ...extra,
        },
      });
      expect(res.status, res.text).toBe(200);
    },
    async dispatch(title, teamKey = TEAM) {
      const created = await s.call('POST', '/api/tracker/issues', {
        token: true,
        body: { teamKey, title, labels: ['AI-Implement'] },
      });
      expect(created.status, created.text).toBe(201);
      const identifier = (created.body.issue as { identifier: string }).identifier;
      const refresh = await s.call('POST', '/api/v1/refresh', { token: true });
      expect(refresh.status).toBe(202);
      const env = await waitFor(() => {
        const machine = fly.machines().find((m) => (m.config.env as Record<string, string>)?.AI_IMPLEMENT_ISSUE === identifier);
        return machine ? (machine.config.env as Record<string, string>) : undefined;
      }, `a machine for ${identifier}`);
      return { identifier, env };
    },
    async close() {
      await s.close();
      await fly.close();
      await github.close();
    },
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
