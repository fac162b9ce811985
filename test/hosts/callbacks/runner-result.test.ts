import { asValue } from 'awilix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import { StorageUnavailableError } from '../../../adapters/storage/storage-availability.js';
import { createHmacSigner, deriveKey } from '../../../adapters/system/hmac-signer.adapter.js';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { TOKEN_EXPIRY_MARGIN_MS } from '../../../core/app/runs/run-tokens.service.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { type CallbackHarness, errorOf, resultBody, startCallbackHarness } from './callbacks-harness.js';

/** A token with its claims rewritten and re-signed with `secret`. */
function forge(token: string, secret: string, change: (claims: Record<string, unknown>) => void): string {
  const [prefix, payload] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  const body = `${prefix}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${createHmacSigner(deriveKey(secret, 'ai-implement', 'run-token')).sign(body)}`;
}

describe('POST /runner/result', () => {
  let h: CallbackHarness;
  let run: RunLaunch;
  let resultToken: string;
  let progressToken: string;
  beforeEach(async () => {
    h = await startCallbackHarness();
    await h.createIssue();
    run = await h.dispatch();
    resultToken = run.env[RUN_ENV.resultToken]!;
    progressToken = run.env[RUN_ENV.progressToken]!;
  });
  afterEach(async () => {
    await h.close();
  });

  const post = (body: unknown, token: string | undefined = resultToken) => h.runner('POST', '/runner/result', token, body);

  it('accepts a planning result once: 200 with the job status', async () => {
    expect(run.job.phase).toBe('planning');
    const res = await post(resultBody('planning'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, jobId: run.job.id, status: 'completed' });
    expect((await h.job(run.job.id)).status).toBe('completed');
  });

  it('a failure the session reports as timed out ends the job timed_out, keeping its reason', async () => {
    const reason = 'Session exceeded maxJobMinutes (90 min) and was stopped';
    const res = await post({ phase: 'planning', outcome: 'failure', comments: [], error: reason, timedOut: true });
    expect(res.status).toBe(200);
    expect(await h.job(run.job.id)).toMatchObject({ status: 'timed_out', error: reason });
    expect((await h.job(run.job.id)).timedOutReason).toMatch(/^(container_timeout|machine_timeout|timed_out)$/);
  });

  describe('401', () => {
    it('missing_bearer: no Authorization header', async () => {
      const res = await h.runner('POST', '/runner/result', undefined, resultBody('planning'));
      expect(await errorOf(res)).toEqual({ status: 401, error: 'missing_bearer' });
    });

    it('missing_bearer: a header that is not `Bearer <token>`', async () => {
      const res = await h.call('POST', '/runner/result', {
        body: resultBody('planning'),
        headers: { authorization: `Basic ${resultToken}` },
      });
      expect(await errorOf(res)).toEqual({ status: 401, error: 'missing_bearer' });
    });

    it('malformed: not a run token', async () => {
      for (const token of [
        'abc',
        'ait1.%%%.sig',
        `ait1.${Buffer.from('{"kind":"result"}').toString('base64url')}.sig`,
        `x${resultToken}`,
      ]) {
        expect(await errorOf(await post(resultBody('planning'), token))).toEqual({ status: 401, error: 'malformed' });
      }
    });

    it('bad_signature: tampered claims, a tampered signature, another secret', async () => {
      const [prefix, payload, sig] = resultToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const tamperedClaims = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 1 })).toString('base64url')}.${sig}`;
      const tamperedSig = `${prefix}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
      const otherSecret = forge(resultToken, 'some other secret entirely', () => {});
      for (const token of [tamperedClaims, tamperedSig, otherSecret]) {
        expect(await errorOf(await post(resultBody('planning'), token))).toEqual({ status: 401, error: 'bad_signature' });
      }
      expect((await h.job(run.job.id)).status).not.toBe('completed');
    });

    it('expired: past the job budget plus the margin', async () => {
      const claims = JSON.parse(Buffer.from(resultToken.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
      // 90 minutes (the default maxJobMinutes) plus the margin after dispatch.
      expect(claims.exp).toBe(run.job.dispatchedAt + 90 * 60_000 + TOKEN_EXPIRY_MARGIN_MS);
      h.clock.set(claims.exp - 1);
      const stillValid = await post({ phase: 'planning' });
      expect(await errorOf(stillValid)).toEqual({ status: 400, error: 'invalid_outcome' });
      h.clock.set(claims.exp);
      expect(await errorOf(await post(resultBody('planning')))).toEqual({ status: 401, error: 'expired' });
    });

    it('wrong_audience: the progress token on /runner/result', async () => {
      expect(await errorOf(await post(resultBody('planning'), progressToken))).toEqual({ status: 401, error: 'wrong_audience' });
      // …and nothing was consumed: the result token still works.
      expect((await post(resultBody('planning'))).status).toBe(200);
    });

    it('wrong_audience: a validly signed token for another endpoint only', async () => {
      const token = forge(resultToken, 'runner-token-secret-for-tests-0123456789', (c) => {
        c.aud = ['/runner/planning-context'];
      });
      expect(await errorOf(await post(resultBody('planning'), token))).toEqual({ status: 401, error: 'wrong_audience' });
    });
  });

  describe('400, checked after the token', () => {
    it('invalid_body: not JSON, or not an object', async () => {
      for (const raw of ['not json', '[1,2]', '"text"', 'null', '']) {
        const res = await h.call('POST', '/runner/result', { raw, token: resultToken });
        expect(await errorOf(res)).toEqual({ status: 400, error: 'invalid_body' });
      }
    });

    it('invalid_phase: phase is not planning, implementation or gap-analysis', async () => {
      for (const phase of [undefined, 'review', 3]) {
        expect(await errorOf(await post({ ...resultBody('planning'), phase }))).toEqual({ status: 400, error: 'invalid_phase' });
      }
    });

    it('invalid_outcome: outcome is not success or failure', async () => {
      for (const outcome of [undefined, 'ok', true]) {
        expect(await errorOf(await post({ ...resultBody('planning'), outcome }))).toEqual({
          status: 400,
          error: 'invalid_outcome',
        });
      }
    });

    it('invalid_comments: comments missing or not an array', async () => {
      for (const comments of [undefined, 'hello', { body: 'x' }]) {
        expect(await errorOf(await post({ ...resultBody('planning'), comments }))).toEqual({
          status: 400,
          error: 'invalid_comments',
        });
      }
    });

    it('invalid_comment_shape: an entry that is not an object with a string body', async () => {
      for (const entry of ['text', null, {}, { body: 3 }]) {
        const body = { ...resultBody('planning'), comments: [{ body: 'fine' }, entry] };
        expect(await errorOf(await post(body))).toEqual({ status: 400, error: 'invalid_comment_shape' });
      }
    });

    it('missing_prUrl: a successful implementation without a PR URL', async () => {
      for (const prUrl of [undefined, '', 'not a url', 7]) {
        const body = { phase: 'implementation', outcome: 'success', comments: [], prUrl };
        expect(await errorOf(await post(body))).toEqual({ status: 400, error: 'missing_prUrl' });
      }
    });

    it('phase_mismatch: the token is for planning, the body says implementation', async () => {
      expect(await errorOf(await post(resultBody('implementation')))).toEqual({ status: 400, error: 'phase_mismatch' });
      // A rejected body consumes nothing.
      expect((await post(resultBody('planning'))).status).toBe(200);
    });
  });

  it('already_consumed: a second use of the token is 409', async () => {
    expect((await post(resultBody('planning'))).status).toBe(200);
    expect(await errorOf(await post(resultBody('planning')))).toEqual({ status: 409, error: 'already_consumed' });
    expect(await errorOf(await post({ ...resultBody('planning'), outcome: 'failure' }))).toEqual({
      status: 409,
      error: 'already_consumed',
    });
    expect((await h.job(run.job.id)).status).toBe('completed');
  });

  it('job_not_found: the token names a job that no longer exists (nothing consumed)', async () => {
    const ghost = await h.orchestrator.cradle.runTokens.issue(
      { ...run.job, id: 'ghost-job' },
      (await h.orchestrator.cradle.storage.mappings.get('ENG'))!,
    );
    expect(await errorOf(await post(resultBody('planning'), ghost.resultToken))).toEqual({ status: 404, error: 'job_not_found' });
  });

  it('job_not_found: the result token of a run its job was launched again after (the launch outbox) is dead', async () => {
    const { runTokens, storage } = h.orchestrator.cradle;
    const relaunched = await runTokens.issue(run.job, (await storage.mappings.get('ENG'))!);
    expect(await errorOf(await post(resultBody('planning')))).toEqual({ status: 404, error: 'job_not_found' });
    expect((await h.job(run.job.id)).status).toBe('dispatched');
    expect((await post(resultBody('planning'), relaunched.resultToken)).status).toBe(200);
    expect((await h.job(run.job.id)).status).toBe('completed');
  });

  it('the result token cannot be used on /runner/progress or /runner/planning-context', async () => {
    const step = { id: 's', type: 't', status: 'running', started_at: 'now' };
    expect(await errorOf(await h.runner('POST', '/runner/progress', resultToken, { step }))).toEqual({
      status: 401,
      error: 'wrong_audience',
    });
    expect(await errorOf(await h.runner('GET', '/runner/planning-context', resultToken))).toEqual({
      status: 401,
      error: 'wrong_audience',
    });
  });

  it('a token of another run does not reach this job', async () => {
    await h.createIssue('Second');
    const other = await h.dispatch();
    expect(other.job.id).not.toBe(run.job.id);
    expect((await post(resultBody('planning'), other.env[RUN_ENV.resultToken])).status).toBe(200);
    expect((await h.job(other.job.id)).status).toBe('completed');
    expect((await h.job(run.job.id)).status).not.toBe('completed');
  });
});

describe('POST /runner/result when the store fails after the token was consumed', () => {
  it('gives the token back: the session’s retry of a 503 records the outcome instead of meeting 409', async () => {
    const real = await createStorage({ dataDir: '/nonexistent-unused', storageUrl: 'memory:' });
    let failing = false;
    const jobs = new Proxy(real.jobs, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'updateIf' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (failing) throw new StorageUnavailableError('storage jobs.updateIf failed: connect ECONNREFUSED');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const storage = new Proxy(real, {
      get: (target, key, receiver) => (key === 'jobs' ? jobs : Reflect.get(target, key, receiver)),
    });
    const h = await startCallbackHarness({ overrides: { storage: asValue(storage) } });
    try {
      await h.createIssue();
      const run = await h.dispatch();
      const token = run.env[RUN_ENV.resultToken]!;
      failing = true;
      expect(await errorOf(await h.runner('POST', '/runner/result', token, resultBody('planning')))).toEqual({
        status: 503,
        error: 'Storage unavailable',
      });
      failing = false;
      const retried = await h.runner('POST', '/runner/result', token, resultBody('planning'));
      expect(await retried.json()).toEqual({ ok: true, jobId: run.job.id, status: 'completed' });
      expect(await errorOf(await h.runner('POST', '/runner/result', token, resultBody('planning')))).toEqual({
        status: 409,
        error: 'already_consumed',
      });
    } finally {
      await h.close();
      await real.close();
    }
  });
});
