import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { type CallbackHarness, EXTRA_SECRET, errorOf, resultBody, startCallbackHarness } from './callbacks-harness.js';

describe('GET /runner/session-env', () => {
  let h: CallbackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function started(env: Record<string, string> = {}) {
    h = await startCallbackHarness({ env });
    await h.createIssue();
    return { harness: h, run: await h.dispatch() };
  }

  it('answers the team secrets and extraEnv the dispatch gave, uncached, to the run’s progress token, once', async () => {
    h = await startCallbackHarness();
    const saved = await h.call('POST', '/api/v1/secrets/ENG_API_KEY', { token: h.admin, body: { value: 'eng-secret-value' } });
    expect(saved.status).toBeLessThan(300);
    await h.createIssue();
    const run = await h.dispatch();
    const progress = run.env[RUN_ENV.progressToken];
    const res = await h.runner('GET', '/runner/session-env', progress);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const handed = (await res.json()) as Record<string, string>;
    expect(handed).toEqual({ ENG_API_KEY: 'eng-secret-value', DEPLOY_KEY: EXTRA_SECRET });
    // Exactly the run env's names and values that are not the run's own.
    expect(Object.fromEntries(Object.entries(run.env).filter(([name]) => !name.startsWith('AI_IMPLEMENT_')))).toEqual(handed);

    expect(await errorOf(await h.runner('GET', '/runner/session-env', progress))).toEqual({
      status: 409,
      error: 'already_consumed',
    });
    expect(h.logs.join('\n')).not.toContain(EXTRA_SECRET);
    expect(h.logs.join('\n')).not.toContain('eng-secret-value');
  });

  it('401 as /runner/progress: no bearer, a forged token, the result token', async () => {
    const { harness, run } = await started();
    const get = (token: string | undefined) => harness.runner('GET', '/runner/session-env', token);
    expect(await errorOf(await get(undefined))).toEqual({ status: 401, error: 'missing_bearer' });
    expect(await errorOf(await get('not-a-token'))).toEqual({ status: 401, error: 'malformed' });
    const progress = run.env[RUN_ENV.progressToken]!;
    expect(await errorOf(await get(`${progress.slice(0, -4)}AAAA`))).toEqual({ status: 401, error: 'bad_signature' });
    expect(await errorOf(await get(run.env[RUN_ENV.resultToken]))).toEqual({ status: 401, error: 'wrong_audience' });
    // None of these spent the run's one take.
    expect((await get(progress)).status).toBe(200);
  });

  it('404 job_not_found once the run is over, or for a token of no current run; 501 without RUNNER_TOKEN_SECRET', async () => {
    const { harness, run } = await started();
    const mapping = (await harness.orchestrator.cradle.storage.mappings.get('ENG'))!;
    const ghost = await harness.orchestrator.cradle.runTokens.issue({ ...run.job, id: 'ghost-job' }, mapping);
    expect(await errorOf(await harness.runner('GET', '/runner/session-env', ghost.progressToken))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
    expect((await harness.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(
      200,
    );
    expect(await errorOf(await harness.runner('GET', '/runner/session-env', run.env[RUN_ENV.progressToken]))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
    await harness.close();
    const bare = await started({ RUNNER_TOKEN_SECRET: '' });
    expect(await errorOf(await bare.harness.runner('GET', '/runner/session-env', 'ait1.x.y'))).toEqual({
      status: 501,
      error: 'runner_tokens_not_configured',
    });
  });

  it('is in the OpenAPI document as a run-token callback', async () => {
    const { harness } = await started();
    const doc = (await (await harness.call('GET', '/api/v1/openapi.json', { token: harness.admin })).json()) as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    const op = doc.paths['/runner/session-env']?.get;
    expect(op?.operationId).toBe('runnerSessionEnv');
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['200', '401', '404', '409', '501']);
  });
});
