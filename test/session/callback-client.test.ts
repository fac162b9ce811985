import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackClient } from '../../hosts/session/callback-client.js';
import { type FakeCallbackServer, startFakeCallbackServer } from './fake-callback-server.js';

let server: FakeCallbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, overrides: { nonce?: string } = {}) {
  const lines: string[] = [];
  return {
    lines,
    client: createCallbackClient({
      callbackUrl: url,
      resultToken: 'result-token-abcdef',
      progressToken: 'progress-token-abcdef',
      nonce: overrides.nonce ?? 'nonce-abcdef123456',
      log: (l) => lines.push(l),
      sleep: async () => undefined,
    }),
  };
}
const body = { phase: 'implementation' as const, outcome: 'failure' as const, comments: [], error: 'x' };

describe('the callback client', () => {
  it('sends status events as { nonce, event, …fields }', async () => {
    server = await startFakeCallbackServer();
    await client(server.url).client.status({ type: 'pr_opened', prNumber: 3, prUrl: 'http://x/pull/3' });
    expect(server.to('/api/status')[0]?.body).toEqual({
      nonce: 'nonce-abcdef123456',
      event: 'pr_opened',
      prNumber: 3,
      prUrl: 'http://x/pull/3',
    });
  });

  it('sends the result exactly once: a second call is a broken invariant', async () => {
    server = await startFakeCallbackServer();
    const { client: c } = client(server.url);
    expect(await c.result(body)).toEqual({ delivered: true, status: 200 });
    await expect(c.result(body)).rejects.toThrow(/exactly one result/);
    expect(server.to('/runner/result')).toHaveLength(1);
  });

  it('retries a result on 5xx and takes a 409 after a lost answer as delivered', async () => {
    server = await startFakeCallbackServer({ resultFailures: 3 });
    expect((await client(server.url).client.result(body)).delivered).toBe(true);
    expect(server.to('/runner/result').map((c) => c.status)).toEqual([500, 500, 500, 200]);
  });

  it('gives up on a result after its attempts when the orchestrator is unreachable', async () => {
    const c = createCallbackClient({
      callbackUrl: 'http://127.0.0.1:9',
      resultToken: 'r',
      progressToken: 'p',
      nonce: 'n',
      log: () => undefined,
      sleep: async () => undefined,
      resultAttempts: 3,
    });
    const sent = await c.result(body);
    expect(sent.delivered).toBe(false);
    expect(sent.error).toBeTruthy();
  });

  it('never throws on a refused report, and passes steering instructions on', async () => {
    server = await startFakeCallbackServer({ instructionsAt: { 1: [{ type: 'abort', reason: 'stop', at: 1 }] } });
    const { client: bad, lines } = client(server.url, { nonce: 'wrong-nonce' });
    await bad.status({ type: 'session_created' });
    expect(lines.join('\n')).toContain('403 Invalid or expired nonce');
    const step = { id: 'clone', type: 'clone', status: 'running', started_at: new Date().toISOString() };
    expect(await bad.progress(step)).toEqual([{ type: 'abort', reason: 'stop', at: 1 }]);
  });

  it('waits out a /api/token answer with Retry-After (GitHub holding the orchestrator back), one request per wait', async () => {
    server = await startFakeCallbackServer({ tokenHeldBack: 2, tokenRetryAfter: '60' });
    const slept: number[] = [];
    const lines: string[] = [];
    const c = createCallbackClient({
      callbackUrl: server.url,
      resultToken: 'r',
      progressToken: 'p',
      nonce: 'nonce-abcdef123456',
      log: (l) => lines.push(l),
      sleep: async (ms) => void slept.push(ms),
    });
    expect(await c.repoToken('acme')).toEqual({ ok: { token: 'ghs_repo_token_1234567890' } });
    expect(server.to('/api/token').map((t) => t.status)).toEqual([500, 500, 200]);
    expect(slept).toEqual([60_000, 60_000]);
    expect(lines.filter((l) => l.includes('trying again in 60 s'))).toHaveLength(2);
  });

  it('gives up on /api/token once the waits would pass five minutes in all', async () => {
    server = await startFakeCallbackServer({ tokenHeldBack: 100, tokenRetryAfter: '120' });
    const slept: number[] = [];
    const c = createCallbackClient({
      callbackUrl: server.url,
      resultToken: 'r',
      progressToken: 'p',
      nonce: 'nonce-abcdef123456',
      log: () => undefined,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(await c.repoToken('acme')).toEqual({ error: 'HTTP 500 Failed to generate token' });
    expect(slept).toEqual([120_000, 120_000]);
    expect(server.to('/api/token')).toHaveLength(3);
  });

  it('asks /api/token with the nonce and the owner', async () => {
    server = await startFakeCallbackServer();
    expect(await client(server.url).client.repoToken('acme')).toEqual({ ok: { token: 'ghs_repo_token_1234567890' } });
    expect(server.to('/api/token')[0]?.body).toEqual({ nonce: 'nonce-abcdef123456', owner: 'acme' });
  });
});
