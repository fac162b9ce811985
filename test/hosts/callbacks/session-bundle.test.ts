import { createHash } from 'node:crypto';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import type { SessionBundle } from '../../../hosts/session-bundle/build-session-bundle.js';
import { type CallbackHarness, errorOf, resultBody, startCallbackHarness } from './callbacks-harness.js';

const BYTES = Buffer.from('console.log("the session");\n');
const SHA256 = createHash('sha256').update(BYTES).digest('hex');

describe('GET /runner/session-bundle', () => {
  let h: CallbackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function started(bundle: SessionBundle | null = { bytes: BYTES, sha256: SHA256 }, env: Record<string, string> = {}) {
    h = await startCallbackHarness({ env, overrides: { sessionBundle: asValue({ current: () => bundle ?? undefined }) } });
    await h.createIssue();
    return { harness: h, run: await h.dispatch() };
  }

  it('answers the bundle with its SHA-256 to the run’s progress token', async () => {
    const { harness, run } = await started();
    const res = await harness.runner('GET', '/runner/session-bundle', run.env[RUN_ENV.progressToken]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-session-bundle-sha256')).toBe(SHA256);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await res.arrayBuffer()).equals(BYTES)).toBe(true);
  });

  it('401 as /runner/progress: no bearer, a forged token, the result token, an expired one', async () => {
    const { harness, run } = await started();
    const progress = run.env[RUN_ENV.progressToken]!;
    const get = (token: string | undefined) => harness.runner('GET', '/runner/session-bundle', token);
    expect(await errorOf(await get(undefined))).toEqual({ status: 401, error: 'missing_bearer' });
    expect(await errorOf(await get('not-a-token'))).toEqual({ status: 401, error: 'malformed' });
    expect(await errorOf(await get(`${progress.slice(0, -4)}AAAA`))).toEqual({ status: 401, error: 'bad_signature' });
    expect(await errorOf(await get(run.env[RUN_ENV.resultToken]))).toEqual({ status: 401, error: 'wrong_audience' });
    const { exp } = JSON.parse(Buffer.from(progress.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
    harness.clock.set(exp + 1);
    expect(await errorOf(await get(progress))).toEqual({ status: 401, error: 'expired' });
  });

  it('404 job_not_found once the run is over, or for a token of no current run', async () => {
    const { harness, run } = await started();
    const progress = run.env[RUN_ENV.progressToken];
    const mapping = (await harness.orchestrator.cradle.storage.mappings.get('ENG'))!;
    const ghost = await harness.orchestrator.cradle.runTokens.issue({ ...run.job, id: 'ghost-job' }, mapping);
    expect(await errorOf(await harness.runner('GET', '/runner/session-bundle', ghost.progressToken))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
    expect((await harness.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(
      200,
    );
    expect(await errorOf(await harness.runner('GET', '/runner/session-bundle', progress))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
  });

  it('503 Session bundle not built; 501 without RUNNER_TOKEN_SECRET', async () => {
    const { harness, run } = await started(null);
    expect(await errorOf(await harness.runner('GET', '/runner/session-bundle', run.env[RUN_ENV.progressToken]))).toEqual({
      status: 503,
      error: 'Session bundle not built',
    });
    await harness.close();
    const bare = await started(null, { RUNNER_TOKEN_SECRET: '' });
    expect(await errorOf(await bare.harness.runner('GET', '/runner/session-bundle', 'ait1.x.y'))).toEqual({
      status: 501,
      error: 'runner_tokens_not_configured',
    });
  });

  it('is in the OpenAPI document as a run-token callback', async () => {
    const { harness } = await started();
    const doc = (await (await harness.call('GET', '/api/v1/openapi.json', { token: harness.admin })).json()) as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    const op = doc.paths['/runner/session-bundle']?.get;
    expect(op?.operationId).toBe('runnerSessionBundle');
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['200', '401', '404', '501', '503']);
  });
});
