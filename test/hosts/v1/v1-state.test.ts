import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeView, StateView } from '../../../core/app/views/state.service.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, STORAGE_KINDS, startHarness, T0 } from '../harness.js';
import { getJson, localMapping, SHADOW, seedIssue } from './v1-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const V1_PATHS = ['/api/v1/state', '/api/v1/runtime', '/api/v1/events'];

describe('the v1 state routes are admin routes', () => {
  it('answer 401 without a token or with a wrong one', async () => {
    h = await startHarness('memory');
    for (const path of V1_PATHS) {
      const bare = await h.call('GET', path);
      expect(bare.status, path).toBe(401);
      expect(await bare.json()).toEqual({ error: 'Unauthorized' });
      expect((await h.call('GET', path, { token: 'not-a-token' })).status, path).toBe(401);
    }
  });

  it('do not exist without ADMIN_ACCESS_CODE', async () => {
    h = await startHarness('memory', {});
    for (const path of V1_PATHS) expect((await h.call('GET', path)).status, path).toBe(404);
  });
});

describe('GET /api/v1/state', () => {
  it('is empty but complete before anything ran, with token totals zero and marked unreported', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    const state = await getJson<StateView>(h, token, '/api/v1/state');
    expect(state).toEqual({
      generatedAt: T0,
      counts: { queued: 0, running: 0, completed: 0, failed: 0 },
      queued: [],
      running: [],
      completed: [],
      failed: [],
      mappings: [],
      lastReconcile: null,
      tokens: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0, total: 0, costUsd: 0, reported: false },
      connections: [],
    });
  });

  for (const kind of STORAGE_KINDS) {
    it(`shows the queue, the running job, the caps and the last cycle, then the finished job for 24 hours (${kind})`, async () => {
      h = await startHarness(kind, SHADOW, heldShadowRunner());
      const token = await h.login();
      await localMapping(h, token, { maxInProgressAiIssues: 1 });
      const urgent = await seedIssue(h, { title: 'urgent', priority: 1, labels: ['AI-Implement'] });
      const low = await seedIssue(h, { title: 'low', priority: 4, labels: ['AI-Implement'] });
      await seedIssue(h, { title: 'not triggered', priority: 1 });

      const report = await h.orchestrator.cradle.reconcile.request();
      expect(report.dispatched).toHaveLength(1);
      const jobId = report.dispatched[0]!.jobId;
      h.clock.advance(90_000);

      const state = await getJson<StateView>(h, token, '/api/v1/state');
      expect(state.counts).toEqual({ queued: 1, running: 1, completed: 0, failed: 0 });
      expect(state.running).toEqual([
        expect.objectContaining({
          jobId,
          identifier: urgent.identifier,
          teamKey: 'LOC',
          phase: 'planning',
          runner: 'shadow',
          dispatchedAt: T0,
          durationSeconds: 90,
        }),
      ]);
      expect(state.running[0]!.finishedAt).toBeUndefined();
      expect(state.queued).toEqual([
        {
          issueId: low.id,
          identifier: low.identifier,
          title: 'low',
          teamKey: 'LOC',
          priority: 4,
          url: expect.stringContaining(low.identifier),
          reason: 'concurrency',
          message: 'at concurrency cap (1/1). Waiting for a slot.',
        },
      ]);
      expect(state.mappings).toEqual([{ teamKey: 'LOC', ticketing: 'local', paused: false, inProgress: 1, cap: 1 }]);
      expect(state.lastReconcile).toEqual({ startedAt: T0, finishedAt: T0, durationMs: 0, dispatched: 1, errors: {} });

      await h.orchestrator.cradle.jobOutcome.record(jobId, { type: 'failed', error: 'the agent gave up', at: h.clock.now() });
      const after = await getJson<StateView>(h, token, '/api/v1/state');
      expect(after.running).toEqual([]);
      expect(after.mappings[0]!.inProgress).toBe(0);
      expect(after.failed).toEqual([
        expect.objectContaining({
          jobId,
          status: 'failed',
          error: 'the agent gave up',
          finishedAt: T0 + 90_000,
          durationSeconds: 90,
        }),
      ]);

      h.clock.advance(24 * 60 * 60 * 1000);
      // The admin token has expired by now too.
      const dayLater = await getJson<StateView>(h, await h.login(), '/api/v1/state');
      expect(dayLater.failed).toEqual([]);
      expect(dayLater.counts.failed).toBe(0);
    });
  }

  it('reports a failing mapping of the last cycle by team key', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    // A Linear mapping with no LINEAR_API_KEY: its fetch fails, the cycle goes on.
    const res = await h.call('POST', '/api/mappings', {
      token,
      body: { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' },
    });
    expect(res.status).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    const state = await getJson<StateView>(h, token, '/api/v1/state');
    expect(Object.keys(state.lastReconcile?.errors ?? {})).toEqual(['ENG']);
  });
});

describe('GET /api/v1/runtime', () => {
  const SECRETS = {
    RUNNER_TOKEN_SECRET: 'runner-token-secret-value-0001',
    GITHUB_TOKEN: 'ghp_runtime_secret_value_0002',
    GITHUB_WEBHOOK_SECRET: 'webhook-secret-value-0003',
    LINEAR_API_KEY: 'lin_api_runtime_secret_0004',
    FLY_API_TOKEN: 'fly-runtime-secret-value-0005',
  };

  it('says what it runs on, which connections are configured (booleans only) and the runner mode', async () => {
    h = await startHarness('sqlite', { ADMIN_ACCESS_CODE: ACCESS_CODE, ...SECRETS });
    const token = await h.login();
    h.clock.advance(61_000);
    const res = await h.call('GET', '/api/v1/runtime', { token });
    const raw = await res.text();
    for (const value of [ACCESS_CODE, ...Object.values(SECRETS)]) expect(raw).not.toContain(value);
    const runtime = JSON.parse(raw) as RuntimeView;
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(runtime).toMatchObject({
      version: pkg.version,
      node: process.version,
      startedAt: T0,
      uptimeSeconds: 61,
      dataDir: resolve(h.dataDir),
      storage: 'sqlite',
      runnerMode: { effective: 'default', source: 'default' },
    });
    expect(runtime.features).toMatchObject({
      adminApi: true,
      runnerTokens: true,
      github: true,
      githubApp: false,
      githubWebhook: true,
      linear: true,
      jira: false,
      fly: true,
      gapFillTrigger: false,
    });
    for (const value of Object.values(runtime.features)) expect(typeof value).toBe('boolean');
  });

  it('names the storage STORAGE_URL picked and RUNNER_MODE as the runner mode source', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    const runtime = await getJson<RuntimeView>(h, token, '/api/v1/runtime');
    expect(runtime.storage).toBe('memory');
    expect(runtime.runnerMode).toEqual({ effective: 'shadow', source: 'env' });
    expect(runtime.features.runnerModeEnv).toBe(true);
  });
});
