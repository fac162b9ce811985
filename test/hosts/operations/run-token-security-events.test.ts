import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import {
  type CallbackHarness,
  EXTRA_SECRET,
  errorOf,
  resultBody,
  startCallbackHarness,
  validStep,
} from '../callbacks/callbacks-harness.js';

/**
 * A refused run token is a security event that says why (its refusal code as `detail`), each
 * code its own group, on every run-token route — and nothing of the token is ever kept.
 */

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely
type Json = any;

describe('security events of refused run tokens', () => {
  let h: CallbackHarness;
  let resultToken: string;
  let progressToken: string;
  beforeEach(async () => {
    h = await startCallbackHarness();
    await h.createIssue();
    const run = await h.dispatch();
    resultToken = run.env[RUN_ENV.resultToken]!;
    progressToken = run.env[RUN_ENV.progressToken]!;
  });
  afterEach(async () => {
    await h.close();
  });

  async function securityEvents(query: string): Promise<Json[]> {
    await h.orchestrator.cradle.securityEvents.flush();
    const res = await h.call('GET', `/api/security-events${query}`, { token: h.admin });
    expect(res.status).toBe(200);
    return ((await res.json()) as Json).events;
  }

  const refusal = async (res: Response, status: number, error: string) => expect(await errorOf(res)).toEqual({ status, error });

  it('records each refusal code as the detail, grouped per code and route, on every run-token route', async () => {
    const [prefix, payload, sig] = resultToken.split('.') as [string, string, string];
    const tampered = `${prefix}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;

    await refusal(await h.runner('POST', '/runner/result', undefined, resultBody('planning')), 401, 'missing_bearer');
    await refusal(await h.runner('POST', '/runner/result', tampered, resultBody('planning')), 401, 'bad_signature');
    await refusal(await h.runner('POST', '/runner/result', tampered, resultBody('planning')), 401, 'bad_signature');
    await refusal(await h.runner('POST', '/runner/result', progressToken, resultBody('planning')), 401, 'wrong_audience');
    await refusal(await h.runner('POST', '/runner/progress', 'not-a-token', { step: validStep() }), 401, 'malformed');
    await refusal(await h.runner('GET', '/runner/planning-context', resultToken), 401, 'wrong_audience');
    await refusal(await h.runner('GET', '/runner/session-bundle', `x${progressToken}`), 401, 'malformed');
    expect((await h.runner('POST', '/runner/result', resultToken, resultBody('planning'))).status).toBe(200);
    await refusal(await h.runner('POST', '/runner/result', resultToken, resultBody('planning')), 409, 'already_consumed');

    const bad = (await securityEvents('?kind=bad_run_token')).map((e) => [e.route, e.detail, e.count]);
    expect(bad.sort()).toEqual(
      [
        ['POST /runner/result', 'missing_bearer', 1],
        ['POST /runner/result', 'bad_signature', 2],
        ['POST /runner/result', 'wrong_audience', 1],
        ['POST /runner/progress', 'malformed', 1],
        ['GET /runner/planning-context', 'wrong_audience', 1],
        ['GET /runner/session-bundle', 'malformed', 1],
      ].sort(),
    );
    const replayed = await securityEvents('?kind=replayed_run_token');
    expect(replayed).toEqual([
      expect.objectContaining({ route: 'POST /runner/result', detail: 'already_consumed', count: 1, status: 'open' }),
    ]);
    // Different codes on one route are different groups: their fingerprints differ by the code.
    const onResult = (await securityEvents('?kind=bad_run_token')).filter((e) => e.route === 'POST /runner/result');
    expect(new Set(onResult.map((e) => e.fingerprint)).size).toBe(3);
    expect(onResult.every((e) => e.fingerprint.endsWith(`|${e.detail}`))).toBe(true);
  });

  it('records an expired token as expired', async () => {
    const claims = JSON.parse(Buffer.from(progressToken.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
    h.clock.set(claims.exp);
    await refusal(await h.runner('POST', '/runner/progress', progressToken, { step: validStep() }), 401, 'expired');
    expect(await securityEvents('?kind=bad_run_token')).toEqual([
      expect.objectContaining({ route: 'POST /runner/progress', detail: 'expired', count: 1 }),
    ]);
  });

  it('keeps nothing of a refused token, in any encoding, in the API’s list and item or in /metrics', async () => {
    const [prefix, payload, sig] = resultToken.split('.') as [string, string, string];
    const forged = `${prefix}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    await refusal(await h.runner('POST', '/runner/result', forged, resultBody('planning')), 401, 'bad_signature');
    await refusal(await h.runner('POST', '/runner/progress', resultToken, { step: validStep() }), 401, 'wrong_audience');
    expect((await h.runner('POST', '/runner/result', resultToken, resultBody('planning'))).status).toBe(200);
    await refusal(await h.runner('POST', '/runner/result', resultToken, resultBody('planning')), 409, 'already_consumed');

    const events = [...(await securityEvents('?kind=bad_run_token')), ...(await securityEvents('?kind=replayed_run_token'))];
    expect(events.map((e) => e.detail).sort()).toEqual(['already_consumed', 'bad_signature', 'wrong_audience']);
    const one = await h.call('GET', `/api/security-events/${events[0].id}`, { token: h.admin });
    const seen = [JSON.stringify(events), await one.text(), await (await h.call('GET', '/metrics')).text()].join('\n');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string };
    const forbidden = [
      resultToken,
      forged,
      progressToken,
      payload,
      sig,
      forged.split('.')[2]!,
      progressToken.split('.')[1]!,
      progressToken.split('.')[2]!,
      claims.jti,
      Buffer.from(resultToken).toString('base64'),
      Buffer.from(sig, 'base64url').toString('hex'),
      Buffer.from(sig, 'base64url').toString('base64'),
      encodeURIComponent(resultToken),
    ];
    for (const secret of forbidden) expect(seen).not.toContain(secret);
  });

  it('keeps no body sample of a refused run callback: its body holds the run’s nonce and output', async () => {
    const run = h.launches.at(-1)!;
    const nonce = run.env[RUN_ENV.nonce]!;
    const output = `cat ../../../../etc/passwd ${EXTRA_SECRET}`;
    await refusal(await h.runner('POST', '/runner/progress', progressToken, { step: { id: 1, output } }), 400, 'invalid_step_id');
    await refusal(
      await h.call('POST', '/api/status', { body: { nonce, event: 'nope', reason: output } }),
      400,
      'Unknown event type: nope',
    );
    const probes = await securityEvents('?kind=probe');
    expect(probes.map((e) => [e.route, e.classification, e.sample]).sort()).toEqual([
      ['POST /api/status', 'path', undefined],
      ['POST /runner/progress', 'path', undefined],
    ]);
    const seen = JSON.stringify(await (await h.call('GET', '/api/security-events', { token: h.admin })).json());
    for (const secret of [nonce, EXTRA_SECRET]) expect(seen).not.toContain(secret);
  });
});
