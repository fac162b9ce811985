import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER } from '../../testing/fakes/github/seed.js';
import { expectAnswer, type ServerProcess } from './server.js';
import { startWorld, type World } from './world.js';

/**
 * POST /api/token while GitHub holds the orchestrator back. The answer keeps the spec's
 * `500 {"error":"Failed to generate token"}`, and says with Retry-After how long the window
 * lasts, so the session waits it out rather than failing its run; inside the window no token
 * request reaches GitHub, whoever asks.
 */
const MINT = /^\/app\/installations\/\d+\/access_tokens$/;

let w: World;
let s: ServerProcess;
let nonce: string;
beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping();
  const { env } = await w.dispatch('Token under a rate limit');
  nonce = env.AI_IMPLEMENT_NONCE as string;
}, 60_000);
afterAll(() => w.close());

const mints = () => w.github.requests.filter((r) => r.method === 'POST' && MINT.test(r.path));

describe('POST /api/token while GitHub rate limits the orchestrator', () => {
  it('secondary limit: 500 Failed to generate token with Retry-After; nothing more sent inside the window; 200 after it', async () => {
    const before = mints().length;
    w.github.failNext({
      method: 'POST',
      path: MINT,
      status: 403,
      // Longer than the 5 s a request may sleep through: the answer says so instead.
      headers: { 'retry-after': '7' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    const first = await s.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
    expectAnswer(first, 500, { error: 'Failed to generate token' });
    const wait = Number(first.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(7);

    // Sessions asking again inside the window are told the same, and GitHub hears nothing.
    for (let i = 0; i < 5; i++) {
      const again = await s.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
      expectAnswer(again, 500, { error: 'Failed to generate token' });
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(mints().length - before).toBe(1);

    await new Promise((r) => setTimeout(r, wait * 1000 + 200));
    const after = await s.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
    expect(after.status, after.text).toBe(200);
    expect(mints().length - before).toBe(2);
  }, 30_000);

  it('a refusal that no wait mends (the repository’s installation is gone) has no Retry-After', async () => {
    w.github.failNext({ method: 'POST', path: MINT, status: 404, body: { message: 'Not Found' } });
    const res = await s.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
    expectAnswer(res, 500, { error: 'Failed to generate token' });
    expect(res.headers.get('retry-after')).toBeNull();
  });
});
