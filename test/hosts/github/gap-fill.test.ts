import { asValue } from 'awilix';
import { errAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { createShadowRunner } from '../../../adapters/runners/shadow/shadow.runner.js';
import { createHmacSigning } from '../../../adapters/system/hmac-signer.adapter.js';
import { githubWebUrl } from '../../../core/app/dispatch/gap-fill.service.js';
import { createRunnerRegistry } from '../../../core/app/dispatch/runner-registry.js';
import type { Runner } from '../../../ports/runner.port.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import {
  GAP_FILL_SECRET,
  type GithubHarness,
  listPulls,
  openPullThroughARun,
  startGithubHarness,
  TEAM,
} from './github-harness.js';

let g: GithubHarness | undefined;
let bare: Harness | undefined;
afterEach(async () => {
  await g?.close();
  await bare?.close();
  g = bare = undefined;
});

const trigger = (h: Harness, body: unknown, bearer: string | null = GAP_FILL_SECRET, raw?: string) =>
  h.call('POST', '/trigger/gap-fill', {
    ...(raw === undefined ? { body } : { raw }),
    headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
  });

describe('POST /trigger/gap-fill errors, in the order of the spec table', () => {
  it('501 Gap fill trigger not configured when GAP_FILL_TRIGGER_SECRET is unset, before anything else', async () => {
    bare = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    for (const bearer of [null, 'anything']) {
      const res = await trigger(bare, { issueKey: 'ENG-1', prNumber: 1 }, bearer);
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({ error: 'Gap fill trigger not configured' });
    }
  });

  it('401 unauthorized without a bearer, with a wrong one, or with another scheme', async () => {
    g = await startGithubHarness();
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${GAP_FILL_SECRET}x` },
      { authorization: `Basic ${GAP_FILL_SECRET}` },
      { authorization: GAP_FILL_SECRET },
      { authorization: 'Bearer ' },
    ];
    for (const headers of cases) {
      const res = await g.h.call('POST', '/trigger/gap-fill', { body: { issueKey: 'ENG-1', prNumber: 1 }, headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized' });
    }
    // Checked before the body: a bad body without the bearer is still 401.
    expect((await trigger(g.h, undefined, null, '{nope')).status).toBe(401);
  });

  it('400 issueKey and positive integer prNumber required', async () => {
    g = await startGithubHarness();
    const bodies: unknown[] = [
      {},
      { issueKey: 'ENG-1' },
      { prNumber: 3 },
      { issueKey: '', prNumber: 3 },
      { issueKey: 7, prNumber: 3 },
      { issueKey: 'ENG-1', prNumber: 0 },
      { issueKey: 'ENG-1', prNumber: -2 },
      { issueKey: 'ENG-1', prNumber: 1.5 },
      { issueKey: 'ENG-1', prNumber: '3' },
      { issueKey: 'ENG-1', prNumber: null },
      [],
      'text',
    ];
    for (const body of bodies) {
      const res = await trigger(g.h, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error: 'issueKey and positive integer prNumber required' });
    }
    const notJson = await trigger(g.h, undefined, GAP_FILL_SECRET, '{"issueKey":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'issueKey and positive integer prNumber required' });
  });

  it('404 mapping_not_found for a key no mapping owns, or an issue its tracker does not have', async () => {
    g = await startGithubHarness();
    for (const issueKey of ['OPS-1', 'ENG-999', 'nohyphen']) {
      const res = await trigger(g.h, { issueKey, prNumber: 3 });
      expect(res.status, issueKey).toBe(404);
      expect(await res.json()).toEqual({ error: 'mapping_not_found' });
    }
  });

  it('423 project_paused with the teamKey when the owning mapping is paused', async () => {
    g = await startGithubHarness();
    const issue = (await g.h.orchestrator.cradle.tracker.create({ teamKey: TEAM, title: 'x' }))._unsafeUnwrap();
    const paused = await g.h.call('PATCH', `/api/mappings/${TEAM}`, { token: g.token, body: { paused: true } });
    expect(paused.status).toBe(200);
    const res = await trigger(g.h, { issueKey: issue.identifier.toLowerCase(), prNumber: 3 });
    expect(res.status).toBe(423);
    expect(await res.json()).toEqual({ error: 'project_paused', teamKey: TEAM });
  });

  it('502 dispatch_failed with detail and dispatchStatus when the runner refuses the launch', async () => {
    const failing: Runner = {
      ...createShadowRunner(),
      launch: () => errAsync({ kind: 'unavailable', message: 'GitHub answered 422' }),
    };
    g = await startGithubHarness({ overrides: { runnerRegistry: asValue(createRunnerRegistry({ shadow: failing })) } });
    const issue = (await g.h.orchestrator.cradle.tracker.create({ teamKey: TEAM, title: 'x' }))._unsafeUnwrap();
    const res = await trigger(g.h, { issueKey: issue.identifier, prNumber: 3 });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: 'dispatch_failed',
      detail: 'shadow launch failed: GitHub answered 422',
      dispatchStatus: 'launch_failed',
    });
  });
});

describe('POST /trigger/gap-fill success', () => {
  it('202 with the job id: a gap-analysis run on the pull request, numbered per issue', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const { cradle } = g.h.orchestrator;
    g.h.clock.advance(120_000);

    const res = await trigger(g.h, { issueKey: opened.issue.identifier, prNumber: opened.pull.number });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobId: string };
    expect(body).toEqual({
      accepted: true,
      jobId: expect.any(String),
      issueKey: opened.issue.identifier,
      prNumber: opened.pull.number,
      teamKey: TEAM,
      dispatchNumber: 1,
    });
    const job = await cradle.storage.jobs.get(body.jobId);
    expect(job).toMatchObject({
      phase: 'gap-analysis',
      issueId: opened.issue.id,
      dispatchNumber: 1,
      runner: 'shadow',
      prNumber: opened.pull.number,
      prUrl: opened.url,
    });
    expect((await cradle.storage.dispatchLog.list())[0]).toMatchObject({ jobId: body.jobId, phase: 'gap-analysis' });
    // The issue stays at PR opened; the panel shows the gap run as the pull request's latest job.
    expect((await cradle.trackerStore.find(opened.issue.id))?.labels).toEqual(['AI-Implement', 'Ready for Review']);
    const [row] = await listPulls(g);
    expect(row).toMatchObject({ iteration: 1, status: 'running', job: { id: body.jobId, phase: 'gap-analysis' } });

    await cradle.jobOutcome.record(body.jobId, {
      type: 'succeeded',
      prUrl: opened.url,
      prNumber: opened.pull.number,
      at: g.h.clock.now(),
    });
    const second = await trigger(g.h, { issueKey: opened.issue.identifier, prNumber: opened.pull.number });
    expect(second.status).toBe(202);
    const secondRun = (await second.json()) as { jobId: string; dispatchNumber: number };
    expect(secondRun.dispatchNumber).toBe(2);

    // A gap analysis that times out is reported on the ticket (the lifecycle leaves gap runs alone).
    await cradle.jobOutcome.record(secondRun.jobId, { type: 'timed-out', reason: 'machine_timeout', at: g.h.clock.now() });
    await cradle.pulls.settled();
    const comments = (await cradle.trackerStore.find(opened.issue.id))?.comments.map((c) => c.body) ?? [];
    expect(comments.filter((c) => c.startsWith('⚠️ Gap analysis'))).toEqual([
      `⚠️ Gap analysis on pull request #${opened.pull.number} failed: timed out (machine_timeout)`,
    ]);
  });

  it.each(['memory', 'sqlite'] as const)(
    'ten concurrent triggers on one pull request start one run; the others answer 409 gap_fill_in_progress (%s)',
    async (kind) => {
      g = await startGithubHarness({ kind });
      const opened = await openPullThroughARun(g);
      const body = { issueKey: opened.issue.identifier, prNumber: opened.pull.number };
      const answers = await Promise.all(Array.from({ length: 10 }, () => trigger(g!.h, body)));
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([202, ...Array(9).fill(409)]);
      for (const res of answers.filter((r) => r.status === 409))
        expect(await res.json()).toEqual({ error: 'gap_fill_in_progress' });
      const runs = (await g.h.orchestrator.cradle.storage.jobs.list()).filter((j) => j.phase === 'gap-analysis');
      expect(runs).toHaveLength(1);

      // Once that run has finished, the next trigger starts the next one.
      await g.h.orchestrator.cradle.jobOutcome.record(runs[0]!.id, {
        type: 'succeeded',
        prUrl: opened.url,
        at: g.h.clock.now(),
      });
      expect((await trigger(g.h, body)).status).toBe(202);
    },
  );

  it('works for a pull request it does not track, with a github.com link to it', async () => {
    g = await startGithubHarness();
    const issue = (await g.h.orchestrator.cradle.tracker.create({ teamKey: TEAM, title: 'human PR' }))._unsafeUnwrap();
    const res = await trigger(g.h, { issueKey: issue.identifier, prNumber: 77 });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    expect(await g.h.orchestrator.cradle.storage.jobs.get(jobId)).toMatchObject({
      phase: 'gap-analysis',
      prNumber: 77,
      prUrl: expect.stringMatching(/\/acme\/widgets\/pull\/77$/),
    });
  });
});

describe('gap-fill helpers', () => {
  it('compares secrets of any length without throwing', () => {
    const secretsEqual = createHmacSigning().equal;
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('', 'abc')).toBe(false);
    expect(secretsEqual('a'.repeat(10_000), 'a')).toBe(false);
  });

  it('derives the web host from GITHUB_API_URL', () => {
    expect(githubWebUrl('https://api.github.com')).toBe('https://github.com');
    expect(githubWebUrl('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com');
    expect(githubWebUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });
});
