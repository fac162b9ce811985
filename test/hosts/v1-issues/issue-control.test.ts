import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { resultBody, validStep } from '../callbacks/callbacks-harness.js';
import { STORAGE_KINDS } from '../harness.js';
import { type IssuesHarness, startIssuesHarness } from './issues-harness.js';

const open: IssuesHarness[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function harness(...args: Parameters<typeof startIssuesHarness>) {
  const h = await startIssuesHarness(...args);
  open.push(h);
  return h;
}

/** One triggered issue, dispatched: its planning run is in flight. */
async function planning(h: IssuesHarness, title?: string) {
  const issue = await h.createIssue(title);
  const report = await h.orchestrator.cradle.reconcile.request();
  expect(report.dispatched.map((d) => d.identifier)).toContain(issue.identifier);
  const launch = h.launches.at(-1)!;
  expect(launch.job.issueId).toBe(issue.id);
  return { issue, launch };
}

const progress = (h: IssuesHarness, token: string) =>
  h.runner('/runner/progress', token, { step: validStep() }).then(async (res) => {
    expect(res.status).toBe(200);
    return ((await res.json()) as { instructions: { type: string; message?: string; reason?: string }[] }).instructions;
  });

describe('v1 issue control: auth and unknown ids', () => {
  it('every route answers 401 without the admin token', async () => {
    const h = await harness();
    const { issue } = await planning(h);
    const routes: [string, string][] = [
      ['GET', '/api/v1/transitions'],
      ['GET', `/api/v1/${issue.identifier}`],
      ['GET', `/api/v1/${issue.identifier}/attempts`],
      ['GET', `/api/v1/attempts/${h.launches[0]!.job.id}`],
      ['POST', `/api/v1/${issue.identifier}/abort`],
      ['POST', `/api/v1/${issue.identifier}/steer`],
      ['POST', `/api/v1/${issue.identifier}/model`],
      ['POST', `/api/v1/${issue.identifier}/template`],
      ['DELETE', `/api/v1/${issue.identifier}/template`],
      ['POST', `/api/v1/${issue.identifier}/transition`],
    ];
    for (const [method, path] of routes) {
      const res = await h.call(method, path, { body: { message: 'x', model: 'm', template: 't', to: 'aborted' } });
      expect([method, path, res.status, await res.json()]).toEqual([method, path, 401, { error: 'Unauthorized' }]);
    }
    // Nothing was acted on.
    expect((await h.job(h.launches[0]!.job.id)).status).toBe('dispatched');
  });

  it('an unknown issue is 404 Issue not found on every issue route; an unknown attempt is 404 Attempt not found', async () => {
    const h = await harness();
    await planning(h);
    for (const [method, path, body] of [
      ['GET', '/api/v1/ENG-999', undefined],
      ['GET', '/api/v1/ENG-999/attempts', undefined],
      ['POST', '/api/v1/ENG-999/abort', {}],
      ['POST', '/api/v1/ENG-999/steer', { message: 'hi' }],
      ['POST', '/api/v1/ENG-999/model', { model: 'o4-mini' }],
      ['POST', '/api/v1/ENG-999/template', { template: 'Do it' }],
      ['DELETE', '/api/v1/ENG-999/template', undefined],
      ['POST', '/api/v1/ENG-999/transition', { to: 'triggered' }],
    ] as const) {
      expect(await h.api(method, path, body)).toEqual({ status: 404, body: { error: 'Issue not found' } });
    }
    expect(await h.api('GET', '/api/v1/attempts/nope')).toEqual({ status: 404, body: { error: 'Attempt not found' } });
  });

  it('static v1 routes are not taken for an issue id', async () => {
    const h = await harness();
    const state = await h.api('GET', '/api/v1/state');
    expect(state.status).toBe(200);
    expect(state.body.error).toBeUndefined();
  });
});

describe.each(STORAGE_KINDS)('v1 issue detail, attempts and transitions (%s storage)', (kind) => {
  it('detail by identifier (any case) and by tracker id: stage, labels, attempts, recent events, overrides', async () => {
    const h = await harness(kind);
    const { issue, launch } = await planning(h, 'Spin the widget');
    for (const id of [issue.identifier, issue.identifier.toLowerCase(), issue.id]) {
      const { status, body } = await h.api('GET', `/api/v1/${encodeURIComponent(id)}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: issue.id,
        identifier: issue.identifier,
        title: 'Spin the widget',
        teamKey: 'ENG',
        stage: 'planning',
        stageName: 'Planning',
        labels: ['AI-Implement', 'AI-Planning'],
        inFlightJobId: launch.job.id,
        overrides: { model: null, template: null },
        transitions: [
          { to: 'aborted', action: 'abort', manual: true },
          { to: 'plan_complete', action: 'run-succeeded', manual: false },
          { to: 'planning_failed', action: 'run-failed', manual: false },
        ],
      });
      expect(body.url).toMatch(new RegExp(`/api/tracker/issues/${issue.identifier}$`));
      const attempts = body.attempts as Record<string, unknown>[];
      expect(attempts).toEqual([
        {
          id: launch.job.id,
          phase: 'planning',
          status: 'dispatched',
          dispatchNumber: 1,
          runner: 'shadow',
          dispatchedAt: new Date(h.clock.now()).toISOString(),
          updatedAt: new Date(h.clock.now()).toISOString(),
          prUrl: null,
          error: null,
          timedOutReason: null,
          runUrl: null,
          usage: null, // not reported (issue 17)
        },
      ]);
      const events = (body.recentEvents as { type: string; jobId: string }[]).map((e) => [e.type, e.jobId]);
      // Newest first: created, dispatched by the runner, then its run linked.
      expect(events).toEqual([
        ['job.run-linked', launch.job.id],
        ['job.dispatched', launch.job.id],
        ['job.created', launch.job.id],
      ]);
    }
  });

  it('attempts list and attempt detail with its step history and event timeline', async () => {
    const h = await harness(kind);
    const { issue, launch } = await planning(h);
    await progress(h, launch.env[RUN_ENV.progressToken]!);
    const list = await h.api('GET', `/api/v1/${issue.identifier}/attempts`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ identifier: issue.identifier, attempts: [{ id: launch.job.id, status: 'running' }] });

    const detail = await h.api('GET', `/api/v1/attempts/${launch.job.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: launch.job.id,
      issueId: issue.id,
      identifier: issue.identifier,
      phase: 'planning',
      status: 'running',
      owner: 'acme',
      repo: 'widgets',
      runId: `shadow-${launch.job.id}`,
      steps: [{ id: 'clone', type: 'git-clone', status: 'succeeded', source: 'progress' }],
    });
    expect((detail.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      'job.created',
      'job.dispatched',
      'job.run-linked',
      'job.running',
    ]);
  });

  it('GET /api/v1/transitions lists each tracked issue with its stage and the moves allowed from it', async () => {
    const h = await harness(kind, { maxInProgressAiIssues: 1 });
    const { issue: first, launch } = await planning(h, 'First');
    const second = await h.createIssue('Second');
    await h.orchestrator.cradle.reconcile.request(); // the cap keeps the second one Triggered
    const { status, body } = await h.api('GET', '/api/v1/transitions');
    expect(status).toBe(200);
    expect(body.issues).toEqual([
      {
        id: first.id,
        identifier: first.identifier,
        teamKey: 'ENG',
        stage: 'planning',
        inFlightJobId: launch.job.id,
        transitions: [
          { to: 'aborted', action: 'abort', manual: true },
          { to: 'plan_complete', action: 'run-succeeded', manual: false },
          { to: 'planning_failed', action: 'run-failed', manual: false },
        ],
      },
      {
        id: second.id,
        identifier: second.identifier,
        teamKey: 'ENG',
        stage: 'triggered',
        inFlightJobId: null,
        transitions: [{ to: 'planning', action: 'dispatch', manual: true }],
      },
    ]);
  });
});

describe('v1 steer and abort', () => {
  it('steer: the message arrives in the next /runner/progress answer, once', async () => {
    const h = await harness();
    const { issue, launch } = await planning(h);
    const token = launch.env[RUN_ENV.progressToken]!;
    const res = await h.api('POST', `/api/v1/${issue.identifier}/steer`, { message: 'Focus on the auth module first.' });
    expect(res).toEqual({ status: 200, body: { ok: true, jobId: launch.job.id, queued: true } });
    expect(await progress(h, token)).toEqual([
      expect.objectContaining({ type: 'message', message: 'Focus on the auth module first.' }),
    ]);
    expect(await progress(h, token)).toEqual([]);
    const detail = await h.api('GET', `/api/v1/${issue.identifier}`);
    expect((detail.body.recentEvents as { type: string }[]).find((e) => e.type === 'issue.steered')).toMatchObject({
      jobId: launch.job.id,
      data: { length: 31 },
    });
  });

  it('steer: 400 for a missing, empty, non-string or over-10k message; 400 for a non-object body', async () => {
    const h = await harness();
    const { issue, launch } = await planning(h);
    for (const body of [{}, { message: '' }, { message: '   ' }, { message: 42 }, { message: 'x'.repeat(10_001) }]) {
      const res = await h.api('POST', `/api/v1/${issue.identifier}/steer`, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.error).toMatch(/^message must be/);
    }
    expect((await h.api('POST', `/api/v1/${issue.identifier}/steer`, ['x'])).status).toBe(400);
    expect(await progress(h, launch.env[RUN_ENV.progressToken]!)).toEqual([]);
    expect((await h.api('POST', `/api/v1/${issue.identifier}/steer`, { message: 'x'.repeat(10_000) })).status).toBe(200);
  });

  it('abort: stops the session (destroy + abort instruction), fails the job and the stage; then 409s', async () => {
    const h = await harness();
    const { issue, launch } = await planning(h);
    const token = launch.env[RUN_ENV.progressToken]!;
    const res = await h.api('POST', `/api/v1/${issue.identifier}/abort`);
    expect(res).toEqual({ status: 200, body: { ok: true, jobId: launch.job.id, status: 'failed', destroyed: true } });
    expect(h.destroyed).toEqual([`shadow-${launch.job.id}`]);
    expect(await h.job(launch.job.id)).toMatchObject({ status: 'failed', error: 'Aborted by an operator' });
    expect(await progress(h, token)).toEqual([expect.objectContaining({ type: 'abort', reason: 'Aborted by an operator' })]);
    // The lifecycle ran: Planning failed (labels off, failure comment).
    expect((await h.issue(issue.id)).labels).toEqual([]);
    const detail = await h.api('GET', `/api/v1/${issue.identifier}`);
    expect(detail.body).toMatchObject({
      stage: 'planning_failed',
      inFlightJobId: null,
      transitions: [{ to: 'triggered', action: 'retry', manual: true }],
    });
    expect((detail.body.recentEvents as { type: string }[]).map((e) => e.type).slice(0, 2)).toEqual([
      'issue.aborted',
      'job.failed',
    ]);

    const again = await h.api('POST', `/api/v1/${issue.identifier}/abort`);
    expect(again).toEqual({ status: 409, body: { error: `${issue.identifier} has no attempt in flight` } });
    const steer = await h.api('POST', `/api/v1/${issue.identifier}/steer`, { message: 'too late' });
    expect(steer).toEqual({ status: 409, body: { error: `${issue.identifier} has no attempt in flight` } });
  });

  it('abort with a reason carries it; a body that is not JSON is 400', async () => {
    const h = await harness();
    const { issue, launch } = await planning(h);
    const bad = await h.call('POST', `/api/v1/${issue.identifier}/abort`, { token: h.admin, raw: '{nope' });
    expect(bad.status).toBe(400);
    expect((await h.job(launch.job.id)).status).toBe('dispatched');
    const res = await h.api('POST', `/api/v1/${issue.identifier}/abort`, { reason: 'wrong repo' });
    expect(res.status).toBe(200);
    expect(await h.job(launch.job.id)).toMatchObject({ status: 'failed', error: 'Aborted by an operator: wrong repo' });
    expect(await progress(h, launch.env[RUN_ENV.progressToken]!)).toEqual([
      expect.objectContaining({ type: 'abort', reason: 'wrong repo' }),
    ]);
  });
});

describe('v1 transitions by hand', () => {
  it('approving a plan (autoApprovePlans false) dispatches the implementation', async () => {
    const h = await harness('memory', { autoApprovePlans: false });
    const { issue, launch } = await planning(h);
    const planned = await h.runner('/runner/result', launch.env[RUN_ENV.resultToken], resultBody('planning'));
    expect(planned.status).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    expect(h.launches).toHaveLength(1); // nobody approved it yet
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'Plan-Complete']);

    const wrong = await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'pr_opened' });
    expect(wrong).toEqual({
      status: 400,
      body: { error: `Cannot transition ${issue.identifier} from plan_complete to pr_opened; allowed: implementing` },
    });
    expect((await h.api('POST', `/api/v1/${issue.identifier}/transition`, {})).status).toBe(400);
    expect((await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing', reason: 7 })).status).toBe(400);

    const res = await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing', reason: 'Plan looks right' });
    expect(h.launches).toHaveLength(2);
    const implementation = h.launches[1]!;
    expect(res).toEqual({
      status: 200,
      body: {
        ok: true,
        identifier: issue.identifier,
        from: 'plan_complete',
        to: 'implementing',
        action: 'approve',
        jobId: implementation.job.id,
      },
    });
    expect(implementation.job).toMatchObject({ phase: 'implementation', issueId: issue.id, dispatchNumber: 1 });
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'AI-Working']);
    // Approving twice is no longer allowed: the implementation is in flight.
    const twice = await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing' });
    expect(twice).toEqual({
      status: 400,
      body: { error: `Cannot transition ${issue.identifier} from implementing to implementing; allowed: aborted` },
    });
  });

  it('retry from a failed stage puts the issue back in the queue and the loop dispatches it again', async () => {
    const h = await harness();
    const { issue, launch } = await planning(h);
    const failed = await h.runner('/runner/result', launch.env[RUN_ENV.resultToken], {
      phase: 'planning',
      outcome: 'failure',
      error: 'agent crashed',
      comments: [],
    });
    expect(failed.status).toBe(200);
    expect((await h.issue(issue.id)).labels).toEqual([]);
    await h.orchestrator.cradle.reconcile.request();
    expect(h.launches).toHaveLength(1);
    const listed = await h.api('GET', '/api/v1/transitions');
    expect(listed.body.issues).toEqual([
      {
        id: issue.id,
        identifier: issue.identifier,
        teamKey: 'ENG',
        stage: 'planning_failed',
        inFlightJobId: null,
        transitions: [{ to: 'triggered', action: 'retry', manual: true }],
      },
    ]);

    const wrong = await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing' });
    expect(wrong).toEqual({
      status: 400,
      body: { error: `Cannot transition ${issue.identifier} from planning_failed to implementing; allowed: triggered` },
    });
    // The spec's own example spells it `queued`.
    const res = await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'queued', reason: 'Retry after fix' });
    expect(res).toEqual({
      status: 200,
      body: { ok: true, identifier: issue.identifier, from: 'planning_failed', to: 'triggered', action: 'retry', jobId: null },
    });
    expect(await h.orchestrator.cradle.storage.dedup.list()).toEqual([]);
    await h.orchestrator.cradle.reconcile.request();
    expect(h.launches).toHaveLength(2);
    expect(h.launches[1]!.job).toMatchObject({ issueId: issue.id, phase: 'planning', dispatchNumber: 2 });
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'AI-Planning']);
  });

  it('a triggered issue can be dispatched by hand; transition to aborted aborts the run', async () => {
    const h = await harness('memory', { maxInProgressAiIssues: 1 });
    await planning(h, 'First');
    const second = await h.createIssue('Second');
    await h.orchestrator.cradle.reconcile.request();
    expect(h.launches).toHaveLength(1);
    const res = await h.api('POST', `/api/v1/${second.identifier}/transition`, { to: 'planning' });
    expect(res.status).toBe(200);
    expect(h.launches).toHaveLength(2);
    const run = h.launches[1]!;
    expect(run.job).toMatchObject({ issueId: second.id, phase: 'planning', dispatchNumber: 1 });
    const aborted = await h.api('POST', `/api/v1/${second.identifier}/transition`, { to: 'aborted' });
    expect(aborted.body).toMatchObject({ ok: true, from: 'planning', to: 'aborted', action: 'abort', jobId: run.job.id });
    expect(await h.job(run.job.id)).toMatchObject({ status: 'failed', error: 'Aborted by an operator' });
  });
});

describe('v1 model and template overrides', () => {
  it('a model override is stored, shown, and put in the next dispatch as AI_IMPLEMENT_MODEL; null clears it', async () => {
    const h = await harness();
    const issue = await h.createIssue();
    const set = await h.api('POST', `/api/v1/${issue.identifier}/model`, { model: ' o4-mini ' });
    expect(set).toEqual({ status: 200, body: { ok: true, identifier: issue.identifier, model: 'o4-mini' } });
    expect((await h.api('GET', `/api/v1/${issue.identifier}`)).body.overrides).toEqual({ model: 'o4-mini', template: null });
    await h.orchestrator.cradle.reconcile.request();
    expect(h.launches.at(-1)!.env[RUN_ENV.model]).toBe('o4-mini');
    expect(h.launches.at(-1)!.env[RUN_ENV.promptTemplate]).toBeUndefined();

    const cleared = await h.api('POST', `/api/v1/${issue.identifier}/model`, { model: null });
    expect(cleared.body).toEqual({ ok: true, identifier: issue.identifier, model: null });
    expect((await h.api('GET', `/api/v1/${issue.identifier}`)).body.overrides).toEqual({ model: null, template: null });
  });

  it('model: 400 for missing, empty, non-string, spaced or over-long values', async () => {
    const h = await harness();
    const issue = await h.createIssue();
    for (const body of [{}, { model: '' }, { model: 3 }, { model: 'gpt 4' }, { model: 'm'.repeat(201) }]) {
      expect((await h.api('POST', `/api/v1/${issue.identifier}/model`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await h.api('GET', `/api/v1/${issue.identifier}`)).body.overrides).toEqual({ model: null, template: null });
  });

  it('a template override reaches the session as AI_IMPLEMENT_PROMPT_TEMPLATE; DELETE clears it; 400 for an empty one', async () => {
    const h = await harness('memory', { autoApprovePlans: false });
    const { issue, launch } = await planning(h);
    expect(launch.env[RUN_ENV.promptTemplate]).toBeUndefined();
    const template = 'Implement {{ issue.identifier }} carefully.\nKeep the diff small.';
    expect((await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: '' })).status).toBe(400);
    expect((await h.api('POST', `/api/v1/${issue.identifier}/template`, { template: 'x'.repeat(32_001) })).status).toBe(400);
    const set = await h.api('POST', `/api/v1/${issue.identifier}/template`, { template });
    expect(set).toEqual({ status: 200, body: { ok: true, identifier: issue.identifier, template } });
    expect((await h.api('GET', `/api/v1/${issue.identifier}`)).body.overrides).toEqual({ model: null, template });

    await h.runner('/runner/result', launch.env[RUN_ENV.resultToken], resultBody('planning'));
    await h.api('POST', `/api/v1/${issue.identifier}/transition`, { to: 'implementing' });
    expect(h.launches.at(-1)!.env[RUN_ENV.promptTemplate]).toBe(template);

    const cleared = await h.api('DELETE', `/api/v1/${issue.identifier}/template`);
    expect(cleared).toEqual({ status: 200, body: { ok: true, identifier: issue.identifier, template: null } });
    expect((await h.api('GET', `/api/v1/${issue.identifier}`)).body.overrides).toEqual({ model: null, template: null });
  });
});
