import { createHmac } from 'node:crypto';
import { asValue } from 'awilix';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShadowRunner } from '../../../adapters/runners/shadow/shadow.runner.js';
import { createRunnerRegistry } from '../../../core/app/dispatch/runner-registry.js';
import { PROGRESS_AUDIENCE, type TokenClaims } from '../../../core/app/runs/run-tokens.service.js';
import { DRY_RUN_NOTE } from '../../../core/domain/job-status.js';
import type { Runner } from '../../../ports/runner.port.js';
import { collection } from '../../../ports/storage.port.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

const WEBHOOK_SECRET = 'linear-webhook-secret-for-tests';
const SHADOW = { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_MODE: 'shadow' };

let h: Harness | undefined;
let linear: FakeLinear | undefined;
afterEach(async () => {
  await h?.close();
  await linear?.close();
  h = undefined;
  linear = undefined;
});

async function localMapping(harness: Harness, token: string, extra: Record<string, unknown> = {}) {
  const res = await harness.call('POST', '/api/mappings', {
    token,
    body: { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main', ...extra },
  });
  expect(res.status).toBe(200);
}

/** Through the API: a change reconciles the team at once, as a webhook would. */
async function createIssue(harness: Harness, token: string, body: Record<string, unknown>) {
  const res = await harness.call('POST', '/api/tracker/issues', { token, body: { teamKey: 'LOC', ...body } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { issue: { id: string; identifier: string } }).issue;
}

/** Straight into the store: no reconcile, so a test decides when the cycle runs. */
async function seedIssue(harness: Harness, input: { title: string; priority?: number; labels?: string[] }) {
  const created = await harness.orchestrator.cradle.trackerStore.create({ teamKey: 'LOC', ...input });
  if ('missing' in created) throw new Error('unexpected');
  return created;
}

async function get<T>(harness: Harness, token: string, path: string): Promise<T> {
  const res = await harness.call('GET', path, { token });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A Jira mapping while Jira is not configured: its tracker fails every cycle. */
async function unconfiguredJiraMapping(h: Harness, token: string) {
  const jira = await h.call('POST', '/api/mappings', {
    token,
    body: {
      teamKey: 'JIR',
      ticketing: 'jira',
      jql: 'project = JIR',
      repoFieldValue: 'app',
      owner: 'acme',
      repo: 'app',
      defaultBranch: 'main',
    },
  });
  expect(jira.status).toBe(200);
}

describe('the reconcile loop on the embedded tracker and the shadow runner', () => {
  it('dispatches by priority up to the cap, and explains every issue it holds back', async () => {
    h = await startHarness('memory', SHADOW, heldShadowRunner());
    const token = await h.login();
    await localMapping(h, token, { maxInProgressAiIssues: 1 });
    await seedIssue(h, { title: 'low', priority: 4, labels: ['AI-Implement'] });
    const urgent = await seedIssue(h, { title: 'urgent', priority: 1, labels: ['AI-Implement'] });
    await seedIssue(h, { title: 'medium', priority: 3, labels: ['AI-Implement'] });
    await seedIssue(h, { title: 'not triggered', priority: 1 });

    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toEqual([expect.objectContaining({ identifier: urgent.identifier, phase: 'planning' })]);

    const log = await get<{
      entries: { identifier: string; phase: string; runner: string; dispatchNumber: number; status: string }[];
    }>(h, token, '/api/log');
    expect(log.entries).toEqual([
      expect.objectContaining({
        identifier: urgent.identifier,
        phase: 'planning',
        runner: 'shadow',
        dispatchNumber: 1,
        status: 'dispatched',
      }),
    ]);

    const blockers = await get<{
      kpis: Record<string, number>;
      blockers: { identifier: string; reason: string; message: string; url: string; mapping: string }[];
    }>(h, token, '/api/blockers');
    expect(blockers.kpis).toEqual({
      totalBlocked: 2,
      teamsAffected: 1,
      blockedByConcurrency: 2,
      blockedByDedup: 0,
      blockedByBudget: 0,
    });
    for (const row of blockers.blockers) {
      expect(row).toMatchObject({
        reason: 'concurrency',
        message: 'at concurrency cap (1/1). Waiting for a slot.',
        mapping: 'LOC',
      });
      expect(row.url).toMatch(/^http:\/\/127\.0\.0\.1:4000\/api\/tracker\/issues\/LOC-\d+$/);
    }

    const issues = await get<{
      issues: { identifier: string; stage: string; planningPending: boolean }[];
      inProgress: unknown[];
    }>(h, token, '/api/issues');
    expect(issues.issues).toHaveLength(3);
    expect(issues.issues.find((i) => i.identifier === urgent.identifier)).toMatchObject({
      stage: 'planning',
      planningPending: true,
      labels: ['AI-Implement', 'AI-Planning'],
    });
    expect(issues.inProgress).toEqual([{ teamKey: 'LOC', count: 1, cap: 1 }]);

    const tracked = await get<{ issue: { labels: string[] } }>(h, token, `/api/tracker/issues/${urgent.identifier}`);
    expect(tracked.issue.labels).toEqual(expect.arrayContaining(['AI-Implement', 'AI-Planning']));

    const dedup = await get<{ entries: { identifier: string; phase: string; expiresAt: string }[] }>(h, token, '/api/dedup');
    expect(dedup.entries).toEqual([expect.objectContaining({ identifier: urgent.identifier, phase: 'planning' })]);
  });

  it('settles a shadow dispatch as completed with a dry-run note at once, leaving the ticket alone and freeing its slot', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token, { maxInProgressAiIssues: 1 });
    const urgent = await seedIssue(h, { title: 'urgent', priority: 1, labels: ['AI-Implement'] });
    const next = await seedIssue(h, { title: 'next', priority: 2, labels: ['AI-Implement'] });

    const first = await h.orchestrator.cradle.reconcile.request();
    expect(first.dispatched).toEqual([expect.objectContaining({ identifier: urgent.identifier, phase: 'planning' })]);
    const [job] = await h.orchestrator.cradle.storage.jobs.list();
    expect(job).toMatchObject({ identifier: urgent.identifier, runner: 'shadow', status: 'completed', note: DRY_RUN_NOTE });
    expect(job).not.toHaveProperty('error');
    // A dry run changes nothing outside: no label moved, no comment.
    const tracked = await get<{ issue: { labels: string[]; comments: unknown[] } }>(
      h,
      token,
      `/api/tracker/issues/${urgent.identifier}`,
    );
    expect(tracked.issue.labels).toEqual(['AI-Implement']);
    expect(tracked.issue.comments).toEqual([]);
    const state = await get<{ completed: { identifier: string; note?: string }[] }>(h, token, '/api/v1/state');
    expect(state.completed).toEqual([expect.objectContaining({ identifier: urgent.identifier, note: DRY_RUN_NOTE })]);

    // The slot is free: the next cycle dispatches the next issue, and the first stays deduplicated.
    const second = await h.orchestrator.cradle.reconcile.request();
    expect(second.dispatched).toEqual([expect.objectContaining({ identifier: next.identifier })]);
    // The log says what would have run.
    const shadowLines = h.logs.filter((line) => line.includes('[shadow] nothing ran'));
    expect(shadowLines).toHaveLength(2);
    expect(shadowLines[0]).toContain(urgent.identifier);
    expect(JSON.parse(shadowLines[0]!).shadow).toMatchObject({ dryRun: true, effect: 'none' });
  });

  it('names a triggered issue of a team without a mapping: no-mapping, and nothing dispatched', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    const stray = await h.orchestrator.cradle.trackerStore.create({ teamKey: 'OPS', title: 'stray', labels: ['AI-Implement'] });
    if ('missing' in stray) throw new Error('unexpected');
    await h.orchestrator.cradle.trackerStore.create({ teamKey: 'OPS', title: 'not triggered' });
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toEqual([]);
    const blockers = await get<{
      kpis: Record<string, number>;
      blockers: { identifier: string; reason: string; message: string }[];
    }>(h, token, '/api/blockers');
    expect(blockers.blockers).toEqual([
      expect.objectContaining({
        identifier: stray.identifier,
        reason: 'no-mapping',
        message: 'No mapping for team OPS. Add one in Projects.',
      }),
    ]);
    expect(blockers.kpis).toMatchObject({ totalBlocked: 1, teamsAffected: 1, blockedByConcurrency: 0, blockedByDedup: 0 });
  });

  it('never dispatches one issue twice inside the dedup window, until it is removed from the window', async () => {
    h = await startHarness('sqlite', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    const issue = await createIssue(h, token, { title: 'once', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    expect(await h.orchestrator.cradle.storage.jobs.list()).toHaveLength(1);
    // A person puts it back to Triggered while the first job is in flight.
    await h.call('PATCH', `/api/tracker/issues/${issue.identifier}`, { token, body: { labels: ['AI-Implement'] } });
    const second = await h.orchestrator.cradle.reconcile.request();
    expect(second.dispatched).toEqual([]);
    expect(second.skipped).toEqual([
      expect.objectContaining({ reason: 'dedup', message: 'Already dispatched recently. Waiting for the in-flight job.' }),
    ]);

    // The in-flight job ends; the window still holds the issue for 24 hours.
    const [job] = await h.orchestrator.cradle.storage.jobs.list();
    await h.orchestrator.cradle.jobOutcome.record(job!.id, { type: 'failed', error: 'boom', at: h.clock.now() });
    await h.call('PATCH', `/api/tracker/issues/${issue.identifier}`, { token, body: { labels: ['AI-Implement'] } });
    expect((await h.orchestrator.cradle.reconcile.request()).dispatched).toEqual([]);

    expect((await h.call('DELETE', `/api/dedup/${issue.identifier}`, { token })).status).toBe(200);
    expect((await h.call('DELETE', `/api/dedup/${issue.identifier}`, { token })).status).toBe(404);
    const third = await h.orchestrator.cradle.reconcile.request();
    expect(third.dispatched).toEqual([expect.objectContaining({ identifier: issue.identifier })]);
    const log = await get<{ entries: { dispatchNumber: number }[] }>(h, token, '/api/log');
    expect(log.entries.map((e) => e.dispatchNumber)).toEqual([2, 1]);

    h.clock.advance(24 * 60 * 60 * 1000 + 1);
    expect((await get<{ entries: unknown[] }>(h, await h.login(), '/api/dedup')).entries).toEqual([]);
  });

  it('records the decision before the runner is called, and a failed launch fails the job visibly', async () => {
    const failing: Runner = {
      ...createShadowRunner(),
      launch: () => errAsync({ kind: 'unavailable', message: 'runner is down' }),
    };
    h = await startHarness('memory', SHADOW, { runnerRegistry: asValue(createRunnerRegistry({ shadow: failing })) });
    const token = await h.login();
    await localMapping(h, token);
    const issue = await seedIssue(h, { title: 'doomed', labels: ['AI-Implement'] });
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.errors.LOC).toBe('shadow launch failed: runner is down');
    const [job] = await h.orchestrator.cradle.storage.jobs.list();
    expect(job).toMatchObject({ identifier: issue.identifier, status: 'failed', error: 'shadow launch failed: runner is down' });
    expect(await h.orchestrator.cradle.storage.dedup.list()).toEqual([expect.objectContaining({ issueId: issue.id })]);
    const tracked = await get<{ issue: { labels: string[]; comments: { body: string }[] } }>(
      h,
      token,
      `/api/tracker/issues/${issue.id}`,
    );
    expect(tracked.issue.labels).not.toContain('AI-Planning');
    expect(tracked.issue.comments.map((c) => c.body).join('\n')).toContain(
      '⚠️ Planning failed: shadow launch failed: runner is down',
    );
  });

  it('a session environment that cannot be built fails the recorded job instead of leaving it in limbo', async () => {
    h = await startHarness('memory', SHADOW, {
      runEnvironment: asValue(async () => {
        throw new Error('credentials unavailable');
      }),
    });
    const token = await h.login();
    await localMapping(h, token);
    await seedIssue(h, { title: 'no env', labels: ['AI-Implement'] });
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.errors.LOC).toBe('shadow launch failed: credentials unavailable');
    expect(await h.orchestrator.cradle.storage.jobs.list()).toEqual([expect.objectContaining({ status: 'failed' })]);
  });

  it('a mapping whose tracker fails is reported and skipped; the others still dispatch', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    await unconfiguredJiraMapping(h, token);
    await seedIssue(h, { title: 'fine', labels: ['AI-Implement'] });
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.errors.JIR).toMatch(/jira ticketing is not configured/);
    expect(report.dispatched).toHaveLength(1);
  });

  it('names a mapping whose tracker failed in `errors` of GET /api/issues, beside the issues of the others', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    await unconfiguredJiraMapping(h, token);
    const fine = await seedIssue(h, { title: 'fine', labels: ['AI-Implement'] });
    const issues = await get<{ issues: { identifier: string }[]; errors: unknown[] }>(h, token, '/api/issues');
    expect(issues.issues.map((i) => i.identifier)).toEqual([fine.identifier]);
    expect(issues.errors).toEqual([{ teamKey: 'JIR', error: expect.stringMatching(/jira ticketing is not configured/) }]);
  });

  it('answers 502 with the provider message when every mapping fails to fetch', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await h.call('POST', '/api/mappings', {
      token,
      body: {
        teamKey: 'JIR',
        ticketing: 'jira',
        jql: 'project = JIR',
        repoFieldValue: 'app',
        owner: 'acme',
        repo: 'app',
        defaultBranch: 'main',
      },
    });
    for (const path of ['/api/issues', '/api/blockers']) {
      const res = await h.call('GET', path, { token });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/jira ticketing is not configured/) });
    }
  });

  it('prunes finished jobs after 30 days, with their run records, and never a job in flight', async () => {
    h = await startHarness('sqlite', { ...SHADOW, RUNNER_TOKEN_SECRET: 'runner-secret-for-retention-test' }, heldShadowRunner());
    const token = await h.login();
    await localMapping(h, token, { maxInProgressAiIssues: 2 });
    await seedIssue(h, { title: 'finishes', labels: ['AI-Implement'] });
    await seedIssue(h, { title: 'hangs', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const { storage } = h.orchestrator.cradle;
    const [done, hanging] = await storage.jobs.list();
    // Its session took its session env (as a Fly session does): who took it is kept until the job goes.
    const claims: TokenClaims = {
      kind: 'progress',
      jti: 'retention-jti',
      jobId: done!.id,
      phase: done!.phase,
      aud: [PROGRESS_AUDIENCE],
      exp: h.clock.now() + 60_000,
    };
    expect((await h.orchestrator.cradle.sessionEnvHandOff.take(done!, claims, 'a'.repeat(22))).isOk()).toBe(true);
    expect(await storage.documents.get(collection('run-session-env'), done!.id)).toBeDefined();
    await h.orchestrator.cradle.jobOutcome.record(done!.id, { type: 'failed', error: 'boom', at: h.clock.now() });
    expect(await storage.documents.get(collection('run-credentials'), done!.id)).toBeDefined();
    await h.orchestrator.cradle.stepHistory.append(done!.id, {
      id: 'clone',
      type: 'git',
      status: 'succeeded',
      started_at: new Date(h.clock.now()).toISOString(),
      source: 'progress',
      receivedAt: h.clock.now(),
    });

    h.clock.advance(30 * 24 * 60 * 60 * 1000 - 1);
    await h.orchestrator.cradle.reconcile.request();
    expect(await storage.jobs.get(done!.id)).toBeDefined();

    h.clock.advance(2);
    await h.orchestrator.cradle.reconcile.request();
    expect(await storage.jobs.get(done!.id)).toBeUndefined();
    expect(await storage.jobs.get(hanging!.id)).toBeDefined();
    await vi.waitFor(async () => expect(await storage.documents.get(collection('run-credentials'), done!.id)).toBeUndefined());
    await vi.waitFor(async () => expect(await h!.orchestrator.cradle.stepHistory.list(done!.id)).toEqual([]));
    await vi.waitFor(async () => expect(await storage.documents.get(collection('run-session-env'), done!.id)).toBeUndefined());
    expect(await storage.documents.get(collection('run-credentials'), hanging!.id)).toBeDefined();
  });

  it('coalesces refresh requests: many during a cycle cause at most one more', async () => {
    h = await startHarness('memory', SHADOW);
    const token = await h.login();
    await localMapping(h, token);
    let cycles = 0;
    h.orchestrator.cradle.eventBus.subscribe((event) => {
      if (event.type === 'reconcile.finished') cycles++;
    });
    const first = h.orchestrator.cradle.reconcile.request();
    const answers = await Promise.all(Array.from({ length: 20 }, () => h!.call('POST', '/api/v1/refresh', { token })));
    for (const res of answers) expect(res.status).toBe(202);
    await first;
    await h.orchestrator.cradle.reconcile.request();
    // The first cycle, one coalesced cycle for the 20 refreshes, and the last explicit one.
    expect(cycles).toBeLessThanOrEqual(3);
    expect(cycles).toBeGreaterThanOrEqual(2);
  });

  it('needs the admin token for every new route', async () => {
    h = await startHarness('memory', SHADOW);
    for (const [method, path] of [
      ['GET', '/api/issues'],
      ['GET', '/api/blockers'],
      ['GET', '/api/log'],
      ['GET', '/api/dedup'],
      ['DELETE', '/api/dedup/X-1'],
      ['POST', '/api/v1/refresh'],
      ['GET', '/api/tracker/issues'],
    ] as const) {
      const res = await h.call(method, path);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.json()).toEqual({ error: 'Unauthorized' });
    }
  });
});

describe('Linear through its wire-level fake', () => {
  async function linearHarness() {
    linear = await startFakeLinear({ apiKey: 'lin_api_test' });
    // Jobs held in flight, so that the labels a dispatch moves stay where it put them.
    h = await startHarness(
      'memory',
      { ...SHADOW, LINEAR_API_KEY: linear.apiKey, LINEAR_API_URL: linear.url, LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET },
      heldShadowRunner(),
    );
    const token = await h.login();
    const res = await h.call('POST', '/api/mappings', {
      token,
      body: { teamKey: 'ENG', owner: 'acme', repo: 'app', defaultBranch: 'main', maxInProgressAiIssues: 2 },
    });
    expect(res.status).toBe(200);
    return { harness: h, fake: linear, token };
  }

  function signed(body: unknown): { raw: string; signature: string } {
    const raw = JSON.stringify(body);
    return { raw, signature: createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex') };
  }

  it('lists candidates in pages, dispatches, and moves the Linear labels', async () => {
    const { harness, fake } = await linearHarness();
    for (let n = 0; n < 120; n++)
      fake.store.addIssue({ teamKey: 'ENG', title: `issue ${n}`, priority: (n % 4) + 1, labels: ['AI-Implement'] });
    const before = fake.requests.length;
    const report = await harness.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toHaveLength(2);
    const listing = fake.requests.slice(before).filter((r) => !/mutation/.test(r.query));
    // Two pages of 100 for 120 issues (plus at most the label lookup and the issue reads of the moves).
    expect(listing.length).toBeLessThanOrEqual(2 + 1 + 2);
    for (const { identifier } of report.dispatched) {
      const issue = fake.store.issue(identifier)!;
      expect(fake.store.labelNames(issue)).toEqual(expect.arrayContaining(['AI-Implement', 'AI-Planning']));
    }
  });

  it('reconciles the team within a second of a signed webhook, and rejects bad signatures', async () => {
    const { harness, fake } = await linearHarness();
    await harness.orchestrator.cradle.reconcile.request();
    const issue = fake.store.addIssue({ teamKey: 'ENG', title: 'fresh', labels: ['AI-Implement'] });
    const payload = {
      action: 'update',
      type: 'Issue',
      data: { id: issue.id, team: { key: 'ENG' } },
      webhookTimestamp: Date.now(),
    };
    const { raw, signature } = signed(payload);

    const bad = await harness.call('POST', '/webhooks/linear', { raw, headers: { 'linear-signature': 'f'.repeat(64) } });
    expect(bad.status).toBe(401);
    const missing = await harness.call('POST', '/webhooks/linear', { raw });
    expect(missing.status).toBe(401);
    const stale = signed({ ...payload, webhookTimestamp: Date.now() - 5 * 60_000 });
    expect(
      (await harness.call('POST', '/webhooks/linear', { raw: stale.raw, headers: { 'linear-signature': stale.signature } }))
        .status,
    ).toBe(401);

    const started = Date.now();
    const ok = await harness.call('POST', '/webhooks/linear', { raw, headers: { 'linear-signature': signature } });
    expect(ok.status).toBe(200);
    for (;;) {
      const log = await harness.orchestrator.cradle.storage.dispatchLog.list();
      if (log.some((e) => e.identifier === issue.identifier)) break;
      expect(Date.now() - started).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  it('limits webhooks to 600 a minute', async () => {
    const { harness } = await linearHarness();
    const { raw, signature } = signed({ action: 'create', type: 'Comment', data: {}, webhookTimestamp: Date.now() });
    const headers = { 'linear-signature': signature };
    for (let n = 0; n < 600; n++) expect((await harness.call('POST', '/webhooks/linear', { raw, headers })).status).toBe(200);
    const limited = await harness.call('POST', '/webhooks/linear', { raw, headers });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    harness.clock.advance(60_001);
    expect((await harness.call('POST', '/webhooks/linear', { raw, headers })).status).toBe(200);
  });

  it('answers 501 when no webhook secret is configured', async () => {
    h = await startHarness('memory', SHADOW);
    const res = await h.call('POST', '/webhooks/linear', { raw: '{}' });
    expect(res.status).toBe(501);
    expect(await res.json()).toEqual({ error: 'Linear webhook not configured' });
  });
});
