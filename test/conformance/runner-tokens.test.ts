import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnswer, type ServerProcess } from './server.js';
import { startWorld, type World } from './world.js';

/**
 * admin-ui-and-api.txt, "Runner callback endpoints": the progress token is multi-use (a runner
 * posts many updates during one dispatch: each step's status, its times and any structured
 * output) and is consumed independently of the result token, which is single-use — once the
 * result is in, the endpoint rejects further calls for that dispatch.
 */

const PR_URL = 'https://github.example/acme/widgets/pull/31';

let w: World;
let s: ServerProcess;
let run: Record<string, string>;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping();
  run = (await w.dispatch('Runner tokens')).env;
}, 60_000);
afterAll(() => w.close());

const progress = (step: Record<string, unknown>) =>
  s.call('POST', '/runner/progress', { body: { step }, token: run.AI_IMPLEMENT_PROGRESS_TOKEN });
const result = () =>
  s.call('POST', '/runner/result', {
    body: { phase: 'implementation', outcome: 'success', comments: [{ body: 'Done.' }], prUrl: PR_URL, prNumber: 31 },
    token: run.AI_IMPLEMENT_RESULT_TOKEN,
  });

describe('POST /runner/progress with one progress token, many times', () => {
  const updates = [
    { id: 'clone', type: 'clone', status: 'running', started_at: '2026-01-01T00:00:00Z' },
    { id: 'clone', type: 'clone', status: 'succeeded', started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:00:05Z' },
    {
      id: 'implement',
      type: 'agent',
      status: 'succeeded',
      started_at: '2026-01-01T00:00:05Z',
      finished_at: '2026-01-01T00:10:05Z',
      output: { filesChanged: 3 },
    },
  ];

  it('accepts every update, and GET /api/jobs/{jobId}/steps shows each step’s status, times and output', async () => {
    for (const update of updates) {
      const res = await progress(update);
      expect(res.status, res.text).toBe(200);
    }
    const steps = await s.call('GET', `/api/jobs/${run.AI_IMPLEMENT_JOB_ID}/steps`, { token: true });
    expect(steps.status, steps.text).toBe(200);
    const byId = new Map((steps.body.steps as { id: string }[]).map((row) => [row.id, row]));
    expect(byId.get('clone')).toMatchObject({ status: 'succeeded', finished_at: '2026-01-01T00:00:05Z' });
    expect(byId.get('implement')).toMatchObject({
      status: 'succeeded',
      started_at: '2026-01-01T00:00:05Z',
      finished_at: '2026-01-01T00:10:05Z',
      output: { filesChanged: 3 },
    });
  });

  it('leaves the result token unconsumed: the result is accepted once, then 409 already_consumed', async () => {
    const first = await result();
    expect(first.status, first.text).toBe(200);
    expectAnswer(await result(), 409, { error: 'already_consumed' });
  });
});
