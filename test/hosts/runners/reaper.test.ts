import { afterEach, describe, expect, it } from 'vitest';
import type { ReaperAction } from '../../../core/app/operations/reaper.service.js';
import { FAKE_FLY_APP } from '../../../testing/fakes/fly/fake-fly.server.js';
import { T0 } from '../harness.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 60 * 60_000;

/** Dispatches one new issue on ENG and answers its job and machine id. */
async function dispatchOne(harness: RunnersHarness, title: string) {
  const issue = await harness.createIssue(title);
  const jobs = await harness.dispatch();
  const job = jobs.find((j) => j.issueId === issue.id);
  if (!job?.runId) throw new Error(`${title} was not dispatched`);
  return { issue, job, machineId: job.runId };
}

describe('the reaper against the fake Fly Machines API', () => {
  it('destroys by each rule, ends the live jobs it reaps, keeps the young session, and reports it all', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const { cradle } = h.orchestrator;

    const orphan = h.fly.seedMachine(FAKE_FLY_APP, {
      state: 'started',
      createdAt: T0,
      metadata: { job_id: 'ghost-job', issue: 'ENG-404' },
    });
    const stale = await dispatchOne(h, 'finished long ago');
    const closed = await dispatchOne(h, 'closed under a live job');
    const old = await dispatchOne(h, 'running for ever');
    await cradle.jobOutcome.record(stale.job.id, {
      type: 'succeeded',
      prUrl: 'https://github.example/acme/widgets/pull/1',
      at: T0,
    });
    await cradle.trackerStore.patch(closed.issue.id, { stateType: 'completed' });

    h.clock.set(T0 + 5 * HOUR - 60_000);
    const young = await dispatchOne(h, 'just started');
    h.clock.set(T0 + 5 * HOUR);

    const actions = await cradle.reaper.sweep();
    const byMachine = Object.fromEntries(actions.map((a) => [a.machineId, a]));
    expect(Object.keys(byMachine).sort()).toEqual([orphan.id, stale.machineId, closed.machineId, old.machineId].sort());
    expect(byMachine[orphan.id]).toMatchObject({
      rule: 'orphan',
      tenant: null,
      issue: 'ENG-404',
      action: 'destroyed',
      ageSeconds: 5 * 3600,
    });
    expect(byMachine[stale.machineId]).toMatchObject({
      rule: 'stale-terminal-job',
      tenant: 'ENG',
      issue: stale.issue.identifier,
    });
    expect(byMachine[closed.machineId]).toMatchObject({ rule: 'issue-terminal', jobId: closed.job.id });
    expect(byMachine[old.machineId]).toMatchObject({ rule: 'max-age-exceeded', runner: 'fly-machines', action: 'destroyed' });

    for (const id of [orphan.id, stale.machineId, closed.machineId, old.machineId])
      expect(h.fly.machine(id)?.state).toBe('destroyed');
    expect(h.fly.machine(young.machineId)?.state).toBe('started');

    expect(await h.job(stale.job.id)).toMatchObject({ status: 'completed' });
    expect(await h.job(closed.job.id)).toMatchObject({ status: 'failed', error: 'Session reaped: the issue was closed' });
    expect(await h.job(old.job.id)).toMatchObject({ status: 'timed_out', timedOutReason: 'machine_timeout' });
    expect(await h.job(young.job.id)).toMatchObject({ status: 'dispatched' });

    const summary = await h.api('GET', '/api/reaper/summary');
    expect(summary).toEqual({
      status: 200,
      body: {
        windowHours: 24,
        since: T0 + 5 * HOUR - 24 * HOUR,
        total: 4,
        destroyed: 4,
        dryRun: 0,
        byRule: { orphan: 1, 'stale-terminal-job': 1, 'max-age-exceeded': 1, 'issue-terminal': 1 },
      },
    });
    const recent = (await h.api('GET', '/api/reaper/recent?limit=2')).body.actions as ReaperAction[];
    expect(recent).toHaveLength(2);
    expect(recent.every((a) => a.at === T0 + 5 * HOUR)).toBe(true);

    // A second sweep finds nothing left to do.
    expect(await cradle.reaper.sweep()).toEqual([]);
    // A day later the summary window no longer counts them; the record log still lists them.
    h.clock.advance(24 * HOUR + 1);
    const token = await h.login(); // the first admin token has expired by now
    const later = (await (await h.call('GET', '/api/reaper/summary', { token })).json()) as Record<string, unknown>;
    expect(later).toMatchObject({ total: 0, destroyed: 0 });
    const listed = (await (await h.call('GET', '/api/reaper/recent', { token })).json()) as { actions: unknown[] };
    expect(listed.actions).toHaveLength(4);
  });

  it('in shadow mode records a dry run once and destroys nothing', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const old = await dispatchOne(h, 'running for ever');
    expect((await h.api('POST', '/api/runner-mode', { mode: 'shadow' })).status).toBe(200);
    h.clock.set(T0 + 5 * HOUR);

    const actions = await h.orchestrator.cradle.reaper.sweep();
    expect(actions).toEqual([expect.objectContaining({ machineId: old.machineId, rule: 'max-age-exceeded', action: 'dry-run' })]);
    expect(h.fly.machine(old.machineId)?.state).toBe('started');
    expect(await h.job(old.job.id)).toMatchObject({ status: 'dispatched' });
    expect(h.fly.requests.some((r) => r.method === 'DELETE')).toBe(false);

    expect(await h.orchestrator.cradle.reaper.sweep()).toEqual([]);
    expect((await h.api('GET', '/api/reaper/summary')).body).toMatchObject({
      total: 1,
      destroyed: 0,
      dryRun: 1,
      byRule: { 'max-age-exceeded': 1 },
    });
  });

  it('keeps a new session whose job is not written yet (within the grace), and reaps it after', async () => {
    h = await startRunnersHarness();
    const m = h.fly.seedMachine(FAKE_FLY_APP, { state: 'starting', createdAt: T0, metadata: { job_id: 'not-yet' } });
    h.clock.set(T0 + 5 * 60_000);
    expect(await h.orchestrator.cradle.reaper.sweep()).toEqual([]);
    h.clock.set(T0 + 11 * 60_000);
    expect(await h.orchestrator.cradle.reaper.sweep()).toEqual([expect.objectContaining({ machineId: m.id, rule: 'orphan' })]);
  });

  it('has nothing to sweep without Fly, and answers an empty summary', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.orchestrator.cradle.reaper.sweep()).toEqual([]);
    expect((await h.api('GET', '/api/reaper/summary')).body).toMatchObject({ total: 0, byRule: { orphan: 0 } });
    expect((await h.api('GET', '/api/reaper/recent')).body).toEqual({ actions: [] });
  });
});
