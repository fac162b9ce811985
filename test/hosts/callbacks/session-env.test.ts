import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { SESSION_ENV_ANSWERS } from '../../../core/app/runs/session-env-handoff.service.js';
import { type CallbackHarness, EXTRA_SECRET, errorOf, resultBody, startCallbackHarness } from './callbacks-harness.js';

const newFetchId = () => randomBytes(16).toString('base64url');
const FETCH_ID = newFetchId();

/** A take as the session makes it: its progress token and its fetch id (none when `fetchId` is null). */
function take(h: CallbackHarness, token: string | undefined, fetchId: string | null = FETCH_ID) {
  return h.call('GET', '/runner/session-env', {
    ...(token ? { token } : {}),
    ...(fetchId === null ? {} : { headers: { 'X-AI-Implement-Fetch-Id': fetchId } }),
  });
}

describe('GET /runner/session-env', () => {
  let h: CallbackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function replayEvents(harness: CallbackHarness) {
    await harness.orchestrator.cradle.securityEvents.flush();
    const res = await harness.call('GET', '/api/security-events?kind=replayed_run_token', { token: harness.admin });
    return ((await res.json()) as { events: { route: string; count: number }[] }).events;
  }

  async function started(env: Record<string, string> = {}, kind: 'memory' | 'sqlite' = 'memory') {
    h = await startCallbackHarness({ env, kind });
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
    const res = await take(h, progress);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const handed = (await res.json()) as Record<string, string>;
    expect(handed).toEqual({ ENG_API_KEY: 'eng-secret-value', DEPLOY_KEY: EXTRA_SECRET });
    // Exactly the run env's names and values that are not the run's own.
    expect(Object.fromEntries(Object.entries(run.env).filter(([name]) => !name.startsWith('AI_IMPLEMENT_')))).toEqual(handed);

    expect(await errorOf(await take(h, progress, newFetchId()))).toEqual({ status: 409, error: 'already_consumed' });
    expect(h.logs.join('\n')).not.toContain(EXTRA_SECRET);
    expect(h.logs.join('\n')).not.toContain('eng-secret-value');
  });

  it('401 as /runner/progress: no bearer, a forged token, the result token', async () => {
    const { harness, run } = await started();
    const get = (token: string | undefined) => take(harness, token);
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
    expect(await errorOf(await take(harness, ghost.progressToken))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
    expect((await harness.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(
      200,
    );
    expect(await errorOf(await take(harness, run.env[RUN_ENV.progressToken]))).toEqual({
      status: 404,
      error: 'job_not_found',
    });
    await harness.close();
    const bare = await started({ RUNNER_TOKEN_SECRET: '' });
    expect(await errorOf(await take(bare.harness, 'ait1.x.y'))).toEqual({
      status: 501,
      error: 'runner_tokens_not_configured',
    });
  });

  it('is in the OpenAPI document as a run-token callback', async () => {
    const { harness } = await started();
    const doc = (await (await harness.call('GET', '/api/v1/openapi.json', { token: harness.admin })).json()) as {
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, unknown>; parameters?: Record<string, unknown>[] }>
      >;
    };
    const op = doc.paths['/runner/session-env']?.get;
    expect(op?.operationId).toBe('runnerSessionEnv');
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['200', '400', '401', '404', '409', '501']);
    expect(op?.parameters).toEqual([
      expect.objectContaining({ name: 'x-ai-implement-fetch-id', in: 'header', required: true, schema: expect.any(Object) }),
    ]);
  });

  it('answers the same values again to the first call’s fetch id (a lost answer); another id is 409 and a security event', async () => {
    const { harness, run } = await started();
    const progress = run.env[RUN_ENV.progressToken];
    const first = await take(harness, progress);
    expect(first.status).toBe(200);
    const values = await first.json();
    expect(values).toEqual({ DEPLOY_KEY: EXTRA_SECRET });
    const again = await take(harness, progress);
    expect(again.status).toBe(200);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(await again.json()).toEqual(values);
    expect(await replayEvents(harness)).toEqual([]);

    // Whoever else holds the token: refused, and the operator hears of it.
    expect(await errorOf(await take(harness, progress, newFetchId()))).toEqual({ status: 409, error: 'already_consumed' });
    expect(await replayEvents(harness)).toEqual([expect.objectContaining({ route: 'GET /runner/session-env', count: 1 })]);
    // Which does not spend the session's repeats, nor make it the first.
    expect((await take(harness, progress)).status).toBe(200);
    const logs = harness.logs.join('\n');
    expect(logs).toContain('session env handed to the session again');
    expect(logs).not.toContain(FETCH_ID);
    expect(logs).not.toContain(EXTRA_SECRET);
    const stored = JSON.stringify(await harness.orchestrator.cradle.storage.documents.list({ name: 'run-session-env' }));
    expect(stored).not.toContain(FETCH_ID);
    expect(stored).toContain(harness.orchestrator.cradle.signing.digest(FETCH_ID));
  });

  it.each(['memory', 'sqlite'] as const)(
    '%s: of concurrent takes with different fetch ids exactly one gets the values, and only its id may ask again',
    async (kind) => {
      const { harness, run } = await started({}, kind);
      const progress = run.env[RUN_ENV.progressToken];
      const ids = [newFetchId(), newFetchId(), newFetchId()];
      const statuses = await Promise.all(ids.map(async (id) => (await take(harness, progress, id)).status));
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(2);
      const winner = ids[statuses.indexOf(200)];
      for (const id of ids) expect((await take(harness, progress, id)).status).toBe(id === winner ? 200 : 409);
    },
  );

  it(`the same fetch id gets at most ${SESSION_ENV_ANSWERS} answers in all, then 409`, async () => {
    const { harness, run } = await started();
    const progress = run.env[RUN_ENV.progressToken];
    for (let answer = 1; answer <= SESSION_ENV_ANSWERS; answer++) expect((await take(harness, progress)).status).toBe(200);
    expect(await errorOf(await take(harness, progress))).toEqual({ status: 409, error: 'already_consumed' });
    expect(await replayEvents(harness)).toEqual([expect.objectContaining({ route: 'GET /runner/session-env' })]);
  });

  it('400 invalid_fetch_id without a well-formed fetch id, after the token check and without spending the take', async () => {
    const { harness, run } = await started();
    const progress = run.env[RUN_ENV.progressToken];
    for (const fetchId of [null, '', 'short', `${newFetchId()}!`, 'x'.repeat(129)]) {
      expect(await errorOf(await take(harness, progress, fetchId)), String(fetchId)).toEqual({
        status: 400,
        error: 'invalid_fetch_id',
      });
    }
    expect(await errorOf(await take(harness, undefined, null))).toEqual({ status: 401, error: 'missing_bearer' });
    expect((await take(harness, progress)).status).toBe(200);
    expect(await replayEvents(harness)).toEqual([]);
  });
});
