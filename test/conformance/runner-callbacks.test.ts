import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnswer, RUNNER_SECRET, type ServerProcess, startServerProcess } from './server.js';
import { startWorld, type World } from './world.js';

/**
 * error-codes…txt, "Integration and callback API": POST /runner/result, POST /runner/progress,
 * GET /runner/planning-context, and ARCHITECTURE.md's "Without RUNNER_TOKEN_SECRET the
 * /runner/* endpoints answer 501". Tokens are the ones a real dispatch handed its Fly machine.
 */

const PR_URL = 'https://github.example/acme/widgets/pull/12';
const step = { id: 'implement', type: 'agent', status: 'running', started_at: '2026-01-01T00:00:00Z' };
const success = { phase: 'implementation', outcome: 'success', comments: [{ body: 'Done.' }], prUrl: PR_URL, prNumber: 12 };

let w: World;
let s: ServerProcess;
let run: Record<string, string>;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping();
  run = (await w.dispatch('Runner callbacks')).env;
}, 60_000);
afterAll(() => w.close());

const result = (body: unknown, token: string | undefined = run.AI_IMPLEMENT_RESULT_TOKEN, raw?: string) =>
  s.call('POST', '/runner/result', { ...(raw !== undefined ? { raw } : { body }), ...(token ? { token } : {}) });
const progress = (body: unknown, token: string | undefined = run.AI_IMPLEMENT_PROGRESS_TOKEN, raw?: string) =>
  s.call('POST', '/runner/progress', { ...(raw !== undefined ? { raw } : { body }), ...(token ? { token } : {}) });
const planningContext = (token?: string, headers?: Record<string, string>) =>
  s.call('GET', '/runner/planning-context', { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });

/** The token with its signature's last character changed. */
const tampered = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

describe('a dispatch hands its run the credentials', () => {
  it('the machine env carries a result token, a progress token and a nonce', () => {
    expect(run.AI_IMPLEMENT_RESULT_TOKEN).toBeTruthy();
    expect(run.AI_IMPLEMENT_PROGRESS_TOKEN).toBeTruthy();
    expect(run.AI_IMPLEMENT_NONCE).toBeTruthy();
    // The orchestrator's own secrets are never part of a run's environment.
    expect(JSON.stringify(run)).not.toContain(RUNNER_SECRET);
  });
});

describe('POST /runner/progress', () => {
  it('200 for a valid step', async () => {
    const res = await progress({ step });
    expect(res.status, res.text).toBe(200);
  });

  it('400 invalid_body: body is missing or not a JSON object', async () => {
    expectAnswer(await progress(undefined, undefined, ''), 400, { error: 'invalid_body' });
    expectAnswer(await progress(undefined, undefined, '{"step":'), 400, { error: 'invalid_body' });
    expectAnswer(await progress([step]), 400, { error: 'invalid_body' });
    expectAnswer(await progress(null), 400, { error: 'invalid_body' });
  });

  it('400 step_required: step is missing or not an object', async () => {
    expectAnswer(await progress({}), 400, { error: 'step_required' });
    expectAnswer(await progress({ step: 'implement' }), 400, { error: 'step_required' });
  });

  it.each([
    ['id', 'invalid_step_id'],
    ['type', 'invalid_step_type'],
    ['status', 'invalid_step_status'],
    ['started_at', 'invalid_step_started_at'],
  ])('400 %s missing or not a string → %s', async (field, code) => {
    const { [field as keyof typeof step]: _gone, ...rest } = step;
    expectAnswer(await progress({ step: rest }), 400, { error: code });
    expectAnswer(await progress({ step: { ...step, [field]: 7 } }), 400, { error: code });
  });

  it('401 missing_bearer: missing or malformed Authorization: Bearer header', async () => {
    expectAnswer(await progress({ step }, ''), 401, { error: 'missing_bearer' });
    const basic = await s.call('POST', '/runner/progress', {
      body: { step },
      headers: { authorization: `Basic ${run.AI_IMPLEMENT_PROGRESS_TOKEN}` },
    });
    expectAnswer(basic, 401, { error: 'missing_bearer' });
  });

  it('401 malformed', async () => {
    expectAnswer(await progress({ step }, 'not-a-token'), 401, { error: 'malformed' });
  });

  it('401 bad_signature', async () => {
    expectAnswer(await progress({ step }, tampered(run.AI_IMPLEMENT_PROGRESS_TOKEN as string)), 401, { error: 'bad_signature' });
  });

  it('401 wrong_audience: the result token on /runner/progress', async () => {
    expectAnswer(await progress({ step }, run.AI_IMPLEMENT_RESULT_TOKEN), 401, { error: 'wrong_audience' });
  });
});

describe('GET /runner/planning-context', () => {
  it('200 with the progress token', async () => {
    expect((await planningContext(run.AI_IMPLEMENT_PROGRESS_TOKEN)).status).toBe(200);
  });
  it('401 missing_bearer', async () => {
    expectAnswer(await planningContext(), 401, { error: 'missing_bearer' });
    expectAnswer(await planningContext(undefined, { authorization: 'Bearer' }), 401, { error: 'missing_bearer' });
  });
  it('401 malformed', async () => {
    expectAnswer(await planningContext('x.y.z'), 401, { error: 'malformed' });
  });
  it('401 bad_signature', async () => {
    expectAnswer(await planningContext(tampered(run.AI_IMPLEMENT_PROGRESS_TOKEN as string)), 401, { error: 'bad_signature' });
  });
  it('401 wrong_audience: the result token', async () => {
    expectAnswer(await planningContext(run.AI_IMPLEMENT_RESULT_TOKEN), 401, { error: 'wrong_audience' });
  });
});

describe('POST /runner/result', () => {
  it('400 invalid_body: body is missing or not a JSON object', async () => {
    expectAnswer(await result(undefined, undefined, ''), 400, { error: 'invalid_body' });
    expectAnswer(await result(undefined, undefined, '{"phase"'), 400, { error: 'invalid_body' });
    expectAnswer(await result([success]), 400, { error: 'invalid_body' });
  });

  it('400 invalid_phase: phase is not planning, implementation, or gap-analysis', async () => {
    expectAnswer(await result({ ...success, phase: 'review' }), 400, { error: 'invalid_phase' });
    expectAnswer(await result({ ...success, phase: undefined }), 400, { error: 'invalid_phase' });
  });

  it('400 invalid_outcome: outcome is not success or failure', async () => {
    expectAnswer(await result({ ...success, outcome: 'ok' }), 400, { error: 'invalid_outcome' });
  });

  it('400 invalid_comments: comments is missing or not an array', async () => {
    expectAnswer(await result({ ...success, comments: undefined }), 400, { error: 'invalid_comments' });
    expectAnswer(await result({ ...success, comments: 'Done.' }), 400, { error: 'invalid_comments' });
  });

  it('400 invalid_comment_shape: a comment entry is not an object with a string body', async () => {
    expectAnswer(await result({ ...success, comments: ['Done.'] }), 400, { error: 'invalid_comment_shape' });
    expectAnswer(await result({ ...success, comments: [{ body: 1 }] }), 400, { error: 'invalid_comment_shape' });
  });

  it('400 missing_prUrl: a successful implementation result did not include a PR URL', async () => {
    expectAnswer(await result({ ...success, prUrl: undefined }), 400, { error: 'missing_prUrl' });
  });

  it("400 phase_mismatch: the token's phase does not match the body", async () => {
    expectAnswer(await result({ ...success, phase: 'planning' }), 400, { error: 'phase_mismatch' });
  });

  it('401 missing_bearer', async () => {
    expectAnswer(await result(success, ''), 401, { error: 'missing_bearer' });
  });
  it('401 malformed', async () => {
    expectAnswer(await result(success, 'garbage'), 401, { error: 'malformed' });
  });
  it('401 bad_signature', async () => {
    expectAnswer(await result(success, tampered(run.AI_IMPLEMENT_RESULT_TOKEN as string)), 401, { error: 'bad_signature' });
  });
  it('401 wrong_audience: the progress token on /runner/result', async () => {
    expectAnswer(await result(success, run.AI_IMPLEMENT_PROGRESS_TOKEN), 401, { error: 'wrong_audience' });
  });

  it('200 once, then 409 already_consumed: the single-use token was already consumed', async () => {
    const first = await result(success);
    expect(first.status, first.text).toBe(200);
    expectAnswer(await result(success), 409, { error: 'already_consumed' });
  });

  it('409 already_consumed: of concurrent calls with one token exactly one succeeds', async () => {
    const { env } = await w.dispatch('Concurrent results');
    const answers = await Promise.all(Array.from({ length: 8 }, () => result(success, env.AI_IMPLEMENT_RESULT_TOKEN)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body).toEqual({ error: 'already_consumed' });
  });
});

describe('404 job_not_found: no run matches the token', () => {
  it('a valid progress token whose job this orchestrator does not hold', async () => {
    // A second orchestrator with the same RUNNER_TOKEN_SECRET and an empty store: the token verifies, the job is not there.
    const other = await startServerProcess({ RUNNER_TOKEN_SECRET: RUNNER_SECRET, STORAGE_URL: 'memory:' });
    try {
      const res = await other.call('POST', '/runner/progress', { body: { step }, token: run.AI_IMPLEMENT_PROGRESS_TOKEN });
      expectAnswer(res, 404, { error: 'job_not_found' });
      // Signed with another secret: bad_signature.
      const foreign = await startServerProcess({ RUNNER_TOKEN_SECRET: 'another-runner-secret-1234', STORAGE_URL: 'memory:' });
      try {
        const bad = await foreign.call('POST', '/runner/progress', { body: { step }, token: run.AI_IMPLEMENT_PROGRESS_TOKEN });
        expectAnswer(bad, 401, { error: 'bad_signature' });
      } finally {
        await foreign.close();
      }
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('ARCHITECTURE.md: without RUNNER_TOKEN_SECRET the /runner/* endpoints answer 501', () => {
  let bare: ServerProcess;
  beforeAll(async () => {
    bare = await startServerProcess({ STORAGE_URL: 'memory:' });
  }, 30_000);
  afterAll(() => bare.close());

  it.each([
    ['POST', '/runner/result'],
    ['POST', '/runner/progress'],
    ['GET', '/runner/planning-context'],
  ])('%s %s → 501 with an error field, whatever the token', async (method, path) => {
    for (const token of [undefined, run.AI_IMPLEMENT_RESULT_TOKEN, run.AI_IMPLEMENT_PROGRESS_TOKEN]) {
      const res = await bare.call(method, path, { body: success, ...(token ? { token } : {}) });
      expect(res.status).toBe(501);
      expect(typeof res.body.error).toBe('string');
    }
  });
});

describe('the order the checks apply in: 501, then the token (401), then the body (400), then the outcome', () => {
  it.each([
    ['/runner/result', '{"phase":'],
    ['/runner/progress', '[]'],
  ])('%s: a bad body with no or a bad token is refused for the token', async (path, raw) => {
    expectAnswer(await s.call('POST', path, { raw }), 401, { error: 'missing_bearer' });
    expectAnswer(await s.call('POST', path, { raw, token: 'not-a-token' }), 401, { error: 'malformed' });
    const other = path === '/runner/result' ? run.AI_IMPLEMENT_PROGRESS_TOKEN : run.AI_IMPLEMENT_RESULT_TOKEN;
    expectAnswer(await s.call('POST', path, { raw, token: other }), 401, { error: 'wrong_audience' });
  });

  it('/runner/result: a refused body or phase consumes nothing; the token still reports once', async () => {
    const { env } = await w.dispatch('Order of checks');
    const token = env.AI_IMPLEMENT_RESULT_TOKEN as string;
    expectAnswer(await result({ ...success, outcome: 'maybe' }, token), 400, { error: 'invalid_outcome' });
    expectAnswer(await result({ ...success, phase: 'planning' }, token), 400, { error: 'phase_mismatch' });
    expect((await result(success, token)).status).toBe(200);
    expectAnswer(await result({ ...success, outcome: 'maybe' }, token), 400, { error: 'invalid_outcome' });
    expectAnswer(await result(success, token), 409, { error: 'already_consumed' });
  });

  it('/runner/result: the first field problem answers — phase, then outcome, then comments, then the PR URL', async () => {
    expectAnswer(await result({ phase: 'review', outcome: 'ok', comments: 'x' }), 400, { error: 'invalid_phase' });
    expectAnswer(await result({ phase: 'implementation', outcome: 'ok', comments: 'x' }), 400, { error: 'invalid_outcome' });
    expectAnswer(await result({ phase: 'implementation', outcome: 'success', comments: 'x' }), 400, {
      error: 'invalid_comments',
    });
    expectAnswer(await result({ phase: 'implementation', outcome: 'success', comments: [1] }), 400, {
      error: 'invalid_comment_shape',
    });
  });

  it('/runner/progress: step_required before the step’s fields; id, type, status, started_at in that order', async () => {
    expectAnswer(await progress({ step: null }), 400, { error: 'step_required' });
    expectAnswer(await progress({ step: {} }), 400, { error: 'invalid_step_id' });
    expectAnswer(await progress({ step: { id: 'a' } }), 400, { error: 'invalid_step_type' });
    expectAnswer(await progress({ step: { id: 'a', type: 'b' } }), 400, { error: 'invalid_step_status' });
    expectAnswer(await progress({ step: { id: 'a', type: 'b', status: 'c' } }), 400, { error: 'invalid_step_started_at' });
  });
});
