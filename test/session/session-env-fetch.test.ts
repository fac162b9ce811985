import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLBACK_CREDENTIALS as FLY_MARKER } from '../../adapters/runners/fly-machines/fly.runner.js';
import { CALLBACK_CREDENTIALS, receiveRunCredentials } from '../../hosts/session/run-credentials.js';
import { fetchSessionEnv, SESSION_ENV_FETCH_ID_HEADER } from '../../hosts/session/session-env-fetch.js';

const ENV = {
  AI_IMPLEMENT_JOB_ID: 'j-1',
  AI_IMPLEMENT_CALLBACK_URL: 'https://orchestrator.example/',
  AI_IMPLEMENT_PROGRESS_TOKEN: 'progress-token-value',
  AI_IMPLEMENT_CREDENTIALS_FILE: CALLBACK_CREDENTIALS,
};
const noSleep = async () => {};

/** A fetch that answers each call with the next answer (a Response, or an Error to throw). */
function answering(...answers: (Response | Error)[]) {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetchIds: (string | null)[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), authorization: headers.get('authorization') });
    fetchIds.push(headers.get(SESSION_ENV_FETCH_ID_HEADER));
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fetchImpl, calls, fetchIds };
}

/**
 * The endpoint's rule on a real socket: the first fetch id takes the values, the same id gets
 * them again, any other id 409. `lose` answers are processed and then lost (the socket is
 * destroyed instead of answered).
 */
async function sessionEnvServer(lose: number) {
  const seen: (string | undefined)[] = [];
  let taker: string | undefined;
  const server = createServer((req, res) => {
    const id = req.headers[SESSION_ENV_FETCH_ID_HEADER.toLowerCase()] as string | undefined;
    seen.push(id);
    taker ??= id;
    if (seen.length <= lose) return void req.socket.destroy();
    res.writeHead(id && id === taker ? 200 : 409, { 'content-type': 'application/json' });
    res.end(JSON.stringify(id && id === taker ? { A_KEY: 'v' } : { error: 'already_consumed' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('a Fly session takes its secrets from GET /runner/session-env', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('is told so by the value the Fly runner writes', () => {
    expect(FLY_MARKER).toBe(CALLBACK_CREDENTIALS);
  });

  it('asks once with its progress token and merges the values as the credentials file would', async () => {
    const { fetchImpl, calls } = answering(json(200, { MY_API_KEY: 'k-1', PATH: '/evil', AI_IMPLEMENT_BRANCH: 'x', N: 3 }));
    const taken = await receiveRunCredentials(ENV, fetchImpl);
    if ('error' in taken) throw new Error(taken.error);
    expect(calls).toEqual([
      { url: 'https://orchestrator.example/runner/session-env', authorization: 'Bearer progress-token-value' },
    ]);
    // Only what the file may carry: no PATH, no run setting, no non-string.
    expect(taken.env).toEqual({
      AI_IMPLEMENT_JOB_ID: 'j-1',
      AI_IMPLEMENT_CALLBACK_URL: 'https://orchestrator.example/',
      AI_IMPLEMENT_PROGRESS_TOKEN: 'progress-token-value',
      MY_API_KEY: 'k-1',
    });
  });

  it('asks nothing when the runner handed everything over itself', async () => {
    const { fetchImpl, calls } = answering();
    const { AI_IMPLEMENT_CREDENTIALS_FILE: _, ...plain } = ENV;
    expect(await receiveRunCredentials(plain, fetchImpl)).toEqual({ env: plain });
    expect(calls).toEqual([]);
  });

  it('tries again after a network failure or a 5xx, with the same fetch id, then takes the values', async () => {
    const { fetchImpl, calls, fetchIds } = answering(new Error('connect ECONNREFUSED'), json(502, {}), json(200, { A_KEY: 'v' }));
    expect(await fetchSessionEnv(ENV, fetchImpl, noSleep)).toEqual({ values: { A_KEY: 'v' } });
    expect(calls).toHaveLength(3);
    // One random id of at least 128 bits (22 base64url characters) for every attempt.
    expect(fetchIds[0]).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(new Set(fetchIds)).toEqual(new Set([fetchIds[0]]));
    // A new take (a new session) draws a new one.
    const next = answering(json(200, {}));
    await fetchSessionEnv(ENV, next.fetchImpl, noSleep);
    expect(next.fetchIds[0]).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(next.fetchIds[0]).not.toBe(fetchIds[0]);
  });

  it('takes the values when the answer to its first attempt was lost after the server processed it', async () => {
    const fake = await sessionEnvServer(1);
    server = fake.server;
    const taken = await fetchSessionEnv({ ...ENV, AI_IMPLEMENT_CALLBACK_URL: fake.url }, fetch, noSleep);
    expect(taken).toEqual({ values: { A_KEY: 'v' } });
    expect(fake.seen).toHaveLength(2);
    expect(fake.seen[1]).toBe(fake.seen[0]);
    // Someone else's take after it, with another id, is refused, and so the session would be.
    const other = await fetchSessionEnv({ ...ENV, AI_IMPLEMENT_CALLBACK_URL: fake.url }, fetch, noSleep);
    expect(other).toEqual({ error: expect.stringContaining('(409)') });
  });

  it('gives up after its attempts, naming the last failure', async () => {
    const { fetchImpl, calls } = answering(...Array.from({ length: 4 }, () => json(503, {})));
    expect(await fetchSessionEnv(ENV, fetchImpl, noSleep)).toEqual({
      error: 'session: could not take the run environment from /runner/session-env: HTTP 503',
    });
    expect(calls).toHaveLength(4);
  });

  it('does not run when the values were taken before (409), nor on any other refusal', async () => {
    expect(await fetchSessionEnv(ENV, answering(json(409, { error: 'already_consumed' })).fetchImpl, noSleep)).toEqual({
      error: 'session: the run environment was already taken from /runner/session-env (409): not running without it',
    });
    expect(await fetchSessionEnv(ENV, answering(json(401, { error: 'expired' })).fetchImpl, noSleep)).toEqual({
      error: 'session: /runner/session-env answered 401 expired',
    });
    expect(await fetchSessionEnv(ENV, answering(new Response('[1]', { status: 200 })).fetchImpl, noSleep)).toEqual({
      error: 'session: /runner/session-env answered something that is not a JSON object',
    });
    const { AI_IMPLEMENT_PROGRESS_TOKEN: _, ...tokenless } = ENV;
    expect(await fetchSessionEnv(tokenless, answering().fetchImpl, noSleep)).toMatchObject({ error: expect.any(String) });
  });

  it('leaves no credential in process.env when it cannot take the values', async () => {
    process.env.AI_IMPLEMENT_PROGRESS_TOKEN = 'progress-token-value';
    const taken = await receiveRunCredentials(ENV, answering(json(409, { error: 'already_consumed' })).fetchImpl);
    expect(taken).toMatchObject({ error: expect.stringContaining('already taken') });
    expect(process.env.AI_IMPLEMENT_PROGRESS_TOKEN).toBeUndefined();
  });
});
