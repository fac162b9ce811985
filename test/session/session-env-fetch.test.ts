import { describe, expect, it } from 'vitest';
import { CALLBACK_CREDENTIALS as FLY_MARKER } from '../../adapters/runners/fly-machines/fly.runner.js';
import { CALLBACK_CREDENTIALS, receiveRunCredentials } from '../../hosts/session/run-credentials.js';
import { fetchSessionEnv } from '../../hosts/session/session-env-fetch.js';

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
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('a Fly session takes its secrets from GET /runner/session-env', () => {
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

  it('tries again after a network failure or a 5xx, then takes the values', async () => {
    const { fetchImpl, calls } = answering(new Error('connect ECONNREFUSED'), json(502, {}), json(200, { A_KEY: 'v' }));
    expect(await fetchSessionEnv(ENV, fetchImpl, noSleep)).toEqual({ values: { A_KEY: 'v' } });
    expect(calls).toHaveLength(3);
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
