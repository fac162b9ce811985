import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { STEP_HISTORY_LIMIT } from '../../../core/app/runs/step-history.service.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { startHarness } from '../harness.js';
import { type CallbackHarness, EXTRA_SECRET, errorOf, resultBody, startCallbackHarness, validStep } from './callbacks-harness.js';

describe('POST /runner/progress and GET /runner/planning-context', () => {
  let h: CallbackHarness;
  let run: RunLaunch;
  let progressToken: string;
  beforeEach(async () => {
    h = await startCallbackHarness();
    await h.createIssue('Spin the widget', 'It should spin clockwise.');
    run = await h.dispatch();
    progressToken = run.env[RUN_ENV.progressToken]!;
  });
  afterEach(async () => {
    await h.close();
  });

  const progress = (body: unknown, token: string | undefined = progressToken) =>
    h.runner('POST', '/runner/progress', token, body);

  it('records the step, moves the dispatched job to running, and answers { ok, instructions }', async () => {
    expect((await h.job(run.job.id)).status).toBe('dispatched');
    const res = await progress({ step: validStep({ status: 'running' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, instructions: [] });
    expect((await h.job(run.job.id)).status).toBe('running');
    expect((await progress({ step: validStep() })).status).toBe(200);
    expect((await h.job(run.job.id)).status).toBe('running');
  });

  it('delivers steering messages once, in order, and repeats an abort until the run stops', async () => {
    const { steering } = h.orchestrator.cradle;
    await steering.enqueue(run.job.id, 'use the blue paint');
    h.clock.advance(10);
    await steering.enqueue(run.job.id, 'and hurry');
    const first = (await (await progress({ step: validStep() })).json()) as {
      instructions: { type: string; message?: string }[];
    };
    expect(first.instructions.map((i) => [i.type, i.message])).toEqual([
      ['message', 'use the blue paint'],
      ['message', 'and hurry'],
    ]);
    expect(((await (await progress({ step: validStep() })).json()) as { instructions: unknown[] }).instructions).toEqual([]);
    await steering.abort(run.job.id, 'operator stopped it');
    for (let i = 0; i < 2; i++) {
      const answer = (await (await progress({ step: validStep() })).json()) as { instructions: unknown[] };
      expect(answer.instructions).toEqual([{ type: 'abort', reason: 'operator stopped it', at: h.clock.now() }]);
    }
  });

  describe('401', () => {
    it('missing_bearer', async () => {
      expect(await errorOf(await h.runner('POST', '/runner/progress', undefined, { step: validStep() }))).toEqual({
        status: 401,
        error: 'missing_bearer',
      });
      expect(await errorOf(await h.runner('GET', '/runner/planning-context', undefined))).toEqual({
        status: 401,
        error: 'missing_bearer',
      });
    });

    it('malformed', async () => {
      expect(await errorOf(await progress({ step: validStep() }, 'ait1.nope'))).toEqual({ status: 401, error: 'malformed' });
      expect(await errorOf(await h.runner('GET', '/runner/planning-context', 'ait1.nope'))).toEqual({
        status: 401,
        error: 'malformed',
      });
    });

    it('bad_signature', async () => {
      const bad = `${progressToken.slice(0, -3)}${progressToken.endsWith('xyz') ? 'abc' : 'xyz'}`;
      expect(await errorOf(await progress({ step: validStep() }, bad))).toEqual({ status: 401, error: 'bad_signature' });
      expect(await errorOf(await h.runner('GET', '/runner/planning-context', bad))).toEqual({
        status: 401,
        error: 'bad_signature',
      });
    });

    it('expired', async () => {
      const { exp } = JSON.parse(Buffer.from(progressToken.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
      h.clock.set(exp + 1);
      expect(await errorOf(await progress({ step: validStep() }))).toEqual({ status: 401, error: 'expired' });
      expect(await errorOf(await h.runner('GET', '/runner/planning-context', progressToken))).toEqual({
        status: 401,
        error: 'expired',
      });
    });

    it('wrong_audience: the result token', async () => {
      const resultToken = run.env[RUN_ENV.resultToken]!;
      expect(await errorOf(await progress({ step: validStep() }, resultToken))).toEqual({ status: 401, error: 'wrong_audience' });
      expect(await errorOf(await h.runner('GET', '/runner/planning-context', resultToken))).toEqual({
        status: 401,
        error: 'wrong_audience',
      });
    });
  });

  describe('400', () => {
    it('invalid_body', async () => {
      for (const raw of ['{', '[]', '42']) {
        expect(await errorOf(await h.call('POST', '/runner/progress', { raw, token: progressToken }))).toEqual({
          status: 400,
          error: 'invalid_body',
        });
      }
    });

    it('step_required', async () => {
      for (const step of [undefined, 'clone', ['clone'], null]) {
        expect(await errorOf(await progress({ step }))).toEqual({ status: 400, error: 'step_required' });
      }
    });

    it.each([
      ['invalid_step_id', 'id'],
      ['invalid_step_type', 'type'],
      ['invalid_step_status', 'status'],
      ['invalid_step_started_at', 'started_at'],
    ])('%s', async (code, field) => {
      for (const value of [undefined, 7, null]) {
        expect(await errorOf(await progress({ step: validStep({ [field]: value }) }))).toEqual({ status: 400, error: code });
      }
    });
  });

  it('job_not_found: a valid token whose job is gone', async () => {
    const mapping = (await h.orchestrator.cradle.storage.mappings.get('ENG'))!;
    const ghost = await h.orchestrator.cradle.runTokens.issue({ ...run.job, id: 'ghost-job' }, mapping);
    expect(await errorOf(await progress({ step: validStep() }, ghost.progressToken))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
  });

  it('the progress token is multi-use while the run lives, and dies with it (issue 13)', async () => {
    for (let i = 0; i < 3; i++) expect((await progress({ step: validStep({ id: `s${i}` }) })).status).toBe(200);
    expect((await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(200);
    expect((await h.job(run.job.id)).status).toBe('completed');
    // A stolen token of an ended run posts no step and gets nothing but a stop.
    const late = await progress({ step: validStep({ id: 'late' }) });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ ok: true, instructions: [] });
    expect(JSON.stringify(await h.orchestrator.cradle.stepHistory.list(run.job.id))).not.toContain('"late"');
    expect((await h.runner('GET', '/runner/planning-context', progressToken)).status).toBe(404);
  });

  it('planning context: the issue, and the plan once a planning run stored one', async () => {
    const before = await h.runner('GET', '/runner/planning-context', progressToken);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({
      jobId: run.job.id,
      phase: 'planning',
      issue: {
        id: run.job.issueId,
        identifier: 'ENG-1',
        title: 'Spin the widget',
        description: 'It should spin clockwise.',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:4000\/.+/),
      },
      plan: null,
    });
    const plan = `1. Paint it.\n2. Spin it with ${EXTRA_SECRET}.`;
    expect(
      (await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning', { plan }))).status,
    ).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    const implementation = h.launches.at(-1)!;
    expect(implementation.job.phase).toBe('implementation');
    const context = (await (
      await h.runner('GET', '/runner/planning-context', implementation.env[RUN_ENV.progressToken])
    ).json()) as Record<string, unknown>;
    expect(context).toMatchObject({
      jobId: implementation.job.id,
      phase: 'implementation',
      plan: '1. Paint it.\n2. Spin it with [REDACTED].',
    });
  });

  it('planning context: the plan of a run that ended before its result (aborted) is not stored as the issue’s plan', async () => {
    expect((await h.call('POST', `/api/v1/${run.job.identifier}/abort`, { token: h.admin, body: {} })).status).toBe(200);
    const late = resultBody('planning', { plan: 'The plan of an aborted run' });
    expect((await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], late)).status).toBe(200);
    expect((await h.job(run.job.id)).status).toBe('failed');
    // Triggered again: the new planning run has no plan from a successful one.
    await h.orchestrator.cradle.trackerStore.update(run.job.issueId, (issue) => ({ ...issue, labels: ['AI-Implement'] }));
    await h.call('DELETE', `/api/dedup/${run.job.issueId}`, { token: h.admin });
    const again = await h.dispatch();
    expect(again.job).toMatchObject({ issueId: run.job.issueId, phase: 'planning' });
    const context = await h.runner('GET', '/runner/planning-context', again.env[RUN_ENV.progressToken]);
    expect(await context.json()).toMatchObject({ jobId: again.job.id, plan: null });
  });

  it('step history: progress steps and step reports round-trip through GET /api/jobs/:jobId/steps', async () => {
    h.clock.advance(1000);
    await progress({ step: validStep({ id: 'clone', status: 'running', output: { note: `key ${EXTRA_SECRET}` } }) });
    h.clock.advance(1000);
    const nonce = run.env[RUN_ENV.nonce]!;
    expect(
      (await h.call('POST', '/api/step-report', { body: { nonce, step: validStep({ id: 'clone', finished_at: 'later' }) } }))
        .status,
    ).toBe(200);
    const res = await h.call('GET', `/api/jobs/${run.job.id}/steps`, { token: h.admin });
    expect(res.status).toBe(200);
    const { jobId, steps } = (await res.json()) as { jobId: string; steps: Record<string, unknown>[] };
    expect(jobId).toBe(run.job.id);
    expect(steps).toEqual([
      {
        ...validStep({ id: 'clone', status: 'running', output: { note: 'key [REDACTED]' } }),
        source: 'progress',
        receivedAt: h.clock.now() - 1000,
      },
      { ...validStep({ id: 'clone', finished_at: 'later' }), source: 'step-report', receivedAt: h.clock.now() },
    ]);
  });

  it('step history: a secret nested deep in a step output is redacted, and an output too deep to store is no 500', async () => {
    let deep: unknown = `key ${EXTRA_SECRET}`;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect((await progress({ step: validStep({ id: 'deep', output: deep }) })).status).toBe(200);
    const nested = `{"step":${JSON.stringify(validStep({ id: 'deeper' })).slice(0, -1)},"output":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    expect((await h.call('POST', '/runner/progress', { token: progressToken, raw: nested })).status).toBe(200);
    const nonce = run.env[RUN_ENV.nonce]!;
    const report = `{"nonce":"${nonce}",${nested.slice(1)}`;
    expect((await h.call('POST', '/api/step-report', { raw: report })).status).toBe(200);
    const res = await h.call('GET', `/api/jobs/${run.job.id}/steps`, { token: h.admin });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(EXTRA_SECRET);
    expect((JSON.parse(text) as { steps: { id: string }[] }).steps.map((s) => s.id)).toEqual(['deep', 'deeper', 'deeper']);
  });

  it('step history keeps a step’s output up to 64 KiB and its other fields up to 1,000 characters, saying what it cut', async () => {
    const long = 'x'.repeat(200_000);
    expect((await progress({ step: validStep({ id: 'i'.repeat(5_000), output: long }) })).status).toBe(200);
    expect((await progress({ step: validStep({ id: 'json', output: { lines: Array(20_000).fill('line') } }) })).status).toBe(200);
    const res = await h.call('GET', `/api/jobs/${run.job.id}/steps`, { token: h.admin });
    const { steps } = (await res.json()) as { steps: { id: string; output: unknown }[] };
    const [text, json] = steps as [{ id: string; output: string }, { id: string; output: string }];
    expect(text.id.length).toBe(1_000);
    expect(text.output.length).toBe(65_536);
    expect(text.output).toMatch(/^x+\n\n… \(\d+ more characters not shown\)$/);
    expect(json.id).toBe('json');
    expect(json.output.startsWith('{"lines":["line","line"')).toBe(true);
    expect(json.output.length).toBe(65_536);
  });

  it(`step history keeps the newest ${STEP_HISTORY_LIMIT} entries of a job`, async () => {
    const { stepHistory } = h.orchestrator.cradle;
    for (let i = 0; i < STEP_HISTORY_LIMIT + 5; i++) {
      await stepHistory.append(run.job.id, { ...validStep({ id: `s${i}` }), source: 'progress', receivedAt: i });
    }
    const steps = (await (await h.call('GET', `/api/jobs/${run.job.id}/steps`, { token: h.admin })).json()) as {
      steps: { id: string }[];
    };
    expect(steps.steps).toHaveLength(STEP_HISTORY_LIMIT);
    expect(steps.steps[0]!.id).toBe('s5');
    expect(steps.steps.at(-1)!.id).toBe(`s${STEP_HISTORY_LIMIT + 4}`);
  });

  it('GET /api/jobs/:jobId/steps: 404 job not found, and admin only', async () => {
    expect(await errorOf(await h.call('GET', '/api/jobs/no-such-job/steps', { token: h.admin }))).toEqual({
      status: 404,
      error: 'job not found',
    });
    expect(await errorOf(await h.call('GET', `/api/jobs/${run.job.id}/steps`))).toEqual({ status: 401, error: 'Unauthorized' });
  });
});

describe('without RUNNER_TOKEN_SECRET', () => {
  it('every /runner/* endpoint answers 501 runner_tokens_not_configured, and the env carries no tokens', async () => {
    const h = await startCallbackHarness({ env: { RUNNER_TOKEN_SECRET: '' } });
    try {
      expect(h.orchestrator.cradle.runTokens.configured).toBe(false);
      await h.createIssue();
      const run = await h.dispatch();
      expect(run.env[RUN_ENV.resultToken]).toBeUndefined();
      expect(run.env[RUN_ENV.progressToken]).toBeUndefined();
      expect(run.env[RUN_ENV.nonce]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      for (const [method, path, body] of [
        ['POST', '/runner/result', resultBody('planning')],
        ['POST', '/runner/progress', { step: validStep() }],
        ['GET', '/runner/planning-context', undefined],
      ] as const) {
        for (const token of [undefined, 'ait1.x.y']) {
          expect(await errorOf(await h.runner(method, path, token, body))).toEqual({
            status: 501,
            error: 'runner_tokens_not_configured',
          });
        }
      }
      // The nonce endpoints are not /runner/*: they still work.
      const status = await h.call('POST', '/api/status', { body: { nonce: run.env[RUN_ENV.nonce], event: 'environment_ready' } });
      expect(status.status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('a bare orchestrator (no admin, no secret) also answers 501 on /runner/*', async () => {
    const h = await startHarness('memory', {});
    try {
      expect(await errorOf(await h.call('POST', '/runner/result', { body: {} }))).toEqual({
        status: 501,
        error: 'runner_tokens_not_configured',
      });
    } finally {
      await h.close();
    }
  });
});
