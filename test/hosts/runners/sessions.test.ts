import { afterEach, describe, expect, it } from 'vitest';
import { DESTROYED_BY_OPERATOR } from '../../../core/app/runs/sessions.service.js';
import { FAKE_FLY_APP } from '../../../testing/fakes/fly/fake-fly.server.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('GET /api/sessions', () => {
  it('answers an empty list when Fly is not configured', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('GET', '/api/sessions')).toEqual({ status: 200, body: { sessions: [] } });
  });

  it('answers an empty list with a token but no sessions app, and lists once the app is saved as a setting', async () => {
    h = await startRunnersHarness({ fly: false });
    await h.close();
    h = await startRunnersHarness({ env: { FLY_SESSIONS_APP: '' } });
    h.fly.seedMachine(FAKE_FLY_APP, { state: 'started', metadata: { job_id: 'j-1', issue: 'ENG-1' } });
    expect((await h.api('GET', '/api/sessions')).body).toEqual({ sessions: [] });
    expect(h.fly.requests).toHaveLength(0);
    await h.api('POST', '/api/settings', { flySessionsApp: FAKE_FLY_APP });
    expect(((await h.api('GET', '/api/sessions')).body.sessions as unknown[]).length).toBe(1);
  });

  it('lists a dispatched run’s machine with its issue, repo, state and uptime', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    expect(job).toMatchObject({ runner: 'fly-machines', status: 'dispatched' });
    h.clock.advance(90_000);
    const res = await h.api('GET', '/api/sessions');
    expect(res.status).toBe(200);
    expect(res.body.sessions).toEqual([
      {
        machineId: job?.runId,
        name: expect.stringMatching(/^ai-eng-1-implementation-/),
        state: 'started',
        region: expect.any(String),
        startedAt: expect.any(Number),
        uptimeSeconds: 90,
        issueIdentifier: issue.identifier,
        repo: 'acme/widgets',
        jobId: job?.id,
      },
    ]);
  });

  it('answers 500 with the underlying message when Fly refuses the listing', async () => {
    h = await startRunnersHarness();
    h.fly.failNext({ status: 400, error: 'app is suspended', method: 'GET' });
    const res = await h.api('GET', '/api/sessions');
    expect(res.status).toBe(500);
    expect(res.body.error).toContain('app is suspended');
  });
});

describe('DELETE /api/sessions/:machineId', () => {
  it('answers 503 when Fly sessions are not configured', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('DELETE', '/api/sessions/m-1')).toEqual({ status: 503, body: { error: 'Fly sessions config not set' } });
  });

  it('answers 503 with a token but no sessions app', async () => {
    h = await startRunnersHarness({ env: { FLY_SESSIONS_APP: '' } });
    expect(await h.api('DELETE', '/api/sessions/m-1')).toEqual({ status: 503, body: { error: 'Fly sessions config not set' } });
  });

  it('destroys the machine, moves the issue back to Triggered, clears its dedup entry, and the next poll dispatches it again', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    const machineId = job?.runId as string;
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'AI-Working']);
    expect((await h.orchestrator.cradle.storage.dedup.list()).map((d) => d.issueId)).toEqual([issue.id]);
    // In flight: a poll now dispatches nothing.
    expect(await h.dispatch()).toEqual([]);

    const res = await h.api('DELETE', `/api/sessions/${machineId}`);
    expect(res).toEqual({
      status: 200,
      body: {
        destroyed: true,
        machineId,
        jobId: job?.id,
        issueIdentifier: issue.identifier,
        issueReset: true,
        dedupCleared: true,
      },
    });
    expect(h.fly.machine(machineId)?.state).toBe('destroyed');
    expect((await h.api('GET', '/api/v1/audit?action=session.destroyed')).body).toMatchObject({
      total: 1,
      entries: [
        {
          actor: 'operator',
          action: 'session.destroyed',
          target: machineId,
          teamKey: job?.teamKey,
          detail: { jobId: job?.id, issue: issue.identifier, issueReset: true, dedupCleared: true },
        },
      ],
    });
    const reset = await h.issue(issue.id);
    expect(reset.labels).toEqual(['AI-Implement']);
    // The job ends as failed (so the issue is no longer in flight), which the ticket is told.
    expect(reset.comments.map((c) => c.body).join('\n')).toContain(DESTROYED_BY_OPERATOR);
    expect(await h.orchestrator.cradle.storage.dedup.list()).toEqual([]);
    expect(await h.job(job?.id as string)).toMatchObject({ status: 'failed' });
    expect((await h.api('GET', '/api/sessions')).body.sessions).toEqual([]);

    const again = await h.dispatch();
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ issueId: issue.id, dispatchNumber: 2, runner: 'fly-machines' });
  });

  it('answers 500 with the underlying message when the destroy fails, and resets nothing', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    h.fly.failNext({ status: 400, error: 'machine is locked', method: 'DELETE' });
    const res = await h.api('DELETE', `/api/sessions/${job?.runId}`);
    expect(res.status).toBe(500);
    expect(res.body.error).toContain('machine is locked');
    expect((await h.issue(issue.id)).labels).toContain('AI-Working');
    expect(await h.orchestrator.cradle.storage.dedup.list()).toHaveLength(1);
  });

  it('answers 404 Session not found for a machine that is neither alive nor any job’s, and destroys nothing', async () => {
    h = await startRunnersHarness();
    const before = h.fly.requests.length;
    expect(await h.api('DELETE', '/api/sessions/0000deadbeef00')).toEqual({
      status: 404,
      body: { error: 'Session not found' },
    });
    expect(h.fly.requests.slice(before).filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('succeeds for a job’s machine that is already gone, and resets its issue', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    const machineId = job?.runId as string;
    h.fly.exit(machineId);
    const res = await h.api('DELETE', `/api/sessions/${machineId}`);
    expect(res).toMatchObject({
      status: 200,
      body: { destroyed: true, machineId, jobId: job?.id, issueIdentifier: issue.identifier, issueReset: true },
    });
  });
});
