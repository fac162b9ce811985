import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER } from '../../testing/fakes/github/seed.js';
import { expectAnswer, type ServerProcess } from './server.js';
import { startWorld, type World } from './world.js';

/**
 * error-codes…txt: POST /api/token, POST /api/status, POST /api/step-report (a session's nonce,
 * not the admin token) and GET /api/jobs/{jobId}/steps (admin).
 */

const step = { id: 'verify', type: 'verify', status: 'succeeded', started_at: '2026-01-01T00:00:00Z' };

let w: World;
let s: ServerProcess;
let nonce: string;
let jobId: string;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping();
  const { env } = await w.dispatch('Session API');
  nonce = env.AI_IMPLEMENT_NONCE as string;
  jobId = env.AI_IMPLEMENT_JOB_ID as string;
}, 60_000);
afterAll(() => w.close());

describe('POST /api/token', () => {
  it('200: a short-lived GitHub token for the run’s repository owner', async () => {
    const res = await s.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
    expect(res.status, res.text).toBe(200);
    expect(typeof res.body.token).toBe('string');
  });

  it.each([
    ['no nonce', { owner: OWNER }],
    ['no owner', { nonce: 'x' }],
    ['neither', {}],
    ['an empty nonce', { nonce: '', owner: OWNER }],
  ])('400 nonce and owner are required (%s)', async (_name, body) => {
    expectAnswer(await s.call('POST', '/api/token', { body }), 400, { error: 'nonce and owner are required' });
  });

  it('403 Invalid or expired nonce: no active job matches the nonce', async () => {
    expectAnswer(await s.call('POST', '/api/token', { body: { nonce: 'not-a-nonce', owner: OWNER } }), 403, {
      error: 'Invalid or expired nonce',
    });
  });

  it("403 Owner mismatch: the owner does not match the job's repository owner", async () => {
    expectAnswer(await s.call('POST', '/api/token', { body: { nonce, owner: 'someone-else' } }), 403, {
      error: 'Owner mismatch',
    });
  });

  it('500 Failed to generate token: the body was not valid JSON', async () => {
    expectAnswer(await s.call('POST', '/api/token', { raw: '{"nonce":' }), 500, { error: 'Failed to generate token' });
  });
});

describe('POST /api/status', () => {
  it('200: an allowed event becomes a comment on the issue', async () => {
    const res = await s.call('POST', '/api/status', { body: { nonce, event: 'environment_ready' } });
    expect(res.status, res.text).toBe(200);
  });

  it('400 event is required: event is missing or not a string', async () => {
    expectAnswer(await s.call('POST', '/api/status', { body: { nonce } }), 400, { error: 'event is required' });
    expectAnswer(await s.call('POST', '/api/status', { body: { nonce, event: 3 } }), 400, { error: 'event is required' });
  });

  it('400 Invalid JSON body: body could not be parsed as JSON', async () => {
    expectAnswer(await s.call('POST', '/api/status', { raw: '{nonce' }), 400, { error: 'Invalid JSON body' });
  });

  it('400 nonce is required: nonce is missing or not a string', async () => {
    expectAnswer(await s.call('POST', '/api/status', { body: { event: 'environment_ready' } }), 400, {
      error: 'nonce is required',
    });
    expectAnswer(await s.call('POST', '/api/status', { body: { nonce: 1, event: 'environment_ready' } }), 400, {
      error: 'nonce is required',
    });
  });

  it('400 Unknown event type: {type}', async () => {
    expectAnswer(await s.call('POST', '/api/status', { body: { nonce, event: 'launched_rockets' } }), 400, {
      error: 'Unknown event type: launched_rockets',
    });
  });

  it('403 Invalid or expired nonce', async () => {
    expectAnswer(await s.call('POST', '/api/status', { body: { nonce: 'nope', event: 'environment_ready' } }), 403, {
      error: 'Invalid or expired nonce',
    });
  });
});

describe('POST /api/step-report', () => {
  it('200: the step is recorded, and GET /api/jobs/{jobId}/steps returns it', async () => {
    const res = await s.call('POST', '/api/step-report', { body: { nonce, step } });
    expect(res.status, res.text).toBe(200);
    const steps = await s.call('GET', `/api/jobs/${encodeURIComponent(jobId)}/steps`, { token: true });
    expect(steps.status).toBe(200);
    expect(steps.text).toContain('"verify"');
  });

  it('400 nonce is required', async () => {
    expectAnswer(await s.call('POST', '/api/step-report', { body: { step } }), 400, { error: 'nonce is required' });
  });

  it('400 Invalid JSON body', async () => {
    expectAnswer(await s.call('POST', '/api/step-report', { raw: '{"nonce": "x", ' }), 400, { error: 'Invalid JSON body' });
  });

  it('400 step is required: step is missing or not an object', async () => {
    expectAnswer(await s.call('POST', '/api/step-report', { body: { nonce } }), 400, { error: 'step is required' });
    expectAnswer(await s.call('POST', '/api/step-report', { body: { nonce, step: 'verify' } }), 400, {
      error: 'step is required',
    });
  });

  it('400 step.id is required and must be a string', async () => {
    const { id: _id, ...noId } = step;
    expectAnswer(await s.call('POST', '/api/step-report', { body: { nonce, step: noId } }), 400, {
      error: 'step.id is required and must be a string',
    });
    expectAnswer(await s.call('POST', '/api/step-report', { body: { nonce, step: { ...step, id: 5 } } }), 400, {
      error: 'step.id is required and must be a string',
    });
  });

  it.each(['type', 'status', 'started_at'])('400 for a missing step.%s names that field', async (field) => {
    const res = await s.call('POST', '/api/step-report', { body: { nonce, step: { ...step, [field]: undefined } } });
    expectAnswer(res, 400, { error: `step.${field} is required and must be a string` });
  });

  it('403 Invalid or expired nonce', async () => {
    expectAnswer(await s.call('POST', '/api/step-report', { body: { nonce: 'nope', step } }), 403, {
      error: 'Invalid or expired nonce',
    });
  });
});

describe('GET /api/jobs/{jobId}/steps', () => {
  it('404 job not found: no job with that ID', async () => {
    expectAnswer(await s.call('GET', '/api/jobs/no-such-job/steps', { token: true }), 404, { error: 'job not found' });
  });
});

describe('a nonce is only good while its job is active', () => {
  it('after the run’s result, the nonce answers 403 Invalid or expired nonce', async () => {
    const { env } = await w.dispatch('Nonce expiry');
    const done = await s.call('POST', '/runner/result', {
      token: env.AI_IMPLEMENT_RESULT_TOKEN as string,
      body: { phase: 'implementation', outcome: 'failure', comments: [], error: 'boom' },
    });
    expect(done.status, done.text).toBe(200);
    expectAnswer(
      await s.call('POST', '/api/status', { body: { nonce: env.AI_IMPLEMENT_NONCE, event: 'environment_ready' } }),
      403,
      {
        error: 'Invalid or expired nonce',
      },
    );
  });
});

describe('the 500 rows', () => {
  it('POST /api/token: 500 Failed to generate token when token generation failed', async () => {
    // The GitHub App is installed on acme only: a run on another owner's repository gets no token.
    await w.mapping({ owner: 'nobody', repo: 'nothing' }, 'NOAPP');
    const { env } = await w.dispatch('No installation', 'NOAPP');
    const res = await s.call('POST', '/api/token', { body: { nonce: env.AI_IMPLEMENT_NONCE, owner: 'nobody' } });
    expectAnswer(res, 500, { error: 'Failed to generate token' });
  });

  it('POST /api/status: 500 Internal server error when posting the status comment failed', async () => {
    await w.mapping({}, 'GONE');
    const { env } = await w.dispatch('Mapping removed mid-run', 'GONE');
    // With its mapping deleted, the run's issue has no tracker to comment on.
    expect((await s.call('DELETE', '/api/mappings/GONE', { token: true })).status).toBe(200);
    const res = await s.call('POST', '/api/status', { body: { nonce: env.AI_IMPLEMENT_NONCE, event: 'environment_ready' } });
    expectAnswer(res, 500, { error: 'Internal server error' });
  });
});

describe('the order the checks apply in: the body (400), then the nonce (403), then the owner', () => {
  const post = (path: string, body: unknown) => s.call('POST', path, { body });

  it('/api/token: a missing owner is a 400 even with a bad nonce; a bad nonce is a 403 before the owner is compared', async () => {
    expectAnswer(await post('/api/token', { nonce: 'nope' }), 400, { error: 'nonce and owner are required' });
    expectAnswer(await post('/api/token', { nonce: 'nope', owner: 'someone-else' }), 403, { error: 'Invalid or expired nonce' });
  });

  it('/api/status: nonce, then event, then its type, then the nonce’s job', async () => {
    expectAnswer(await post('/api/status', { event: 'launched_rockets' }), 400, { error: 'nonce is required' });
    expectAnswer(await post('/api/status', { nonce: 'nope', event: 7 }), 400, { error: 'event is required' });
    expectAnswer(await post('/api/status', { nonce: 'nope', event: 'launched_rockets' }), 400, {
      error: 'Unknown event type: launched_rockets',
    });
    expectAnswer(await post('/api/status', { nonce: 'nope', event: 'verification_passed' }), 403, {
      error: 'Invalid or expired nonce',
    });
  });

  it('/api/step-report: nonce, then step, then its fields, then the nonce’s job', async () => {
    expectAnswer(await post('/api/step-report', { step: 'x' }), 400, { error: 'nonce is required' });
    expectAnswer(await post('/api/step-report', { nonce: 'nope' }), 400, { error: 'step is required' });
    expectAnswer(await post('/api/step-report', { nonce: 'nope', step: { type: 1 } }), 400, {
      error: 'step.id is required and must be a string',
    });
    expectAnswer(await post('/api/step-report', { nonce: 'nope', step }), 403, { error: 'Invalid or expired nonce' });
  });
});
