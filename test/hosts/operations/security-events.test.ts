import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

/** Security events end to end (issue 18): signals from real requests, grouped, triaged through the API. */

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely
type Json = any;
const ATTACKER = '203.0.113.66';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function security(harness: Harness, token: string, query = ''): Promise<Json> {
  await harness.orchestrator.cradle.securityEvents.flush();
  const res = await harness.call('GET', `/api/security-events${query}`, { token });
  expect(res.status).toBe(200);
  return res.json();
}

describe('security events', () => {
  it('classifies probes, groups an unknown-route scan into one burst, and counts them in /metrics', async () => {
    h = await startHarness('memory', {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_TOKEN_SECRET: 'runner-secret-for-tests-0123456789',
    });
    const token = await h.login();
    await h.call('GET', `/healthz?q=${encodeURIComponent('<script>alert(1)</script>')}`, { ip: ATTACKER });
    await h.call('GET', `/healthz?id=${encodeURIComponent("1' OR 1=1 --")}`, { ip: ATTACKER });
    await h.call('GET', '/static/..%2f..%2f..%2fetc/passwd', { ip: ATTACKER });
    await h.call('POST', '/webhooks/linear', { raw: '{"title":"{{7*7}}"}', ip: ATTACKER });
    for (let i = 0; i < 12; i++) expect((await h.call('GET', `/nothing-here-${i}`, { ip: ATTACKER })).status).toBe(404);
    expect(
      (await h.call('POST', '/runner/progress', { body: {}, headers: { authorization: 'Bearer forged' }, ip: ATTACKER })).status,
    ).toBe(401);

    const probes = (await security(h, token, '?kind=probe')).events;
    const classes = probes.map((e: Json) => e.classification).sort();
    expect(classes).toEqual(['SQL', 'path', 'script', 'template']);
    const script = probes.find((e: Json) => e.classification === 'script');
    expect(script).toMatchObject({ source: ATTACKER, route: 'GET /healthz', status: 'open', count: 1 });
    expect(script.sample).toContain('<script>alert(1)</script>');

    const scans = (await security(h, token, '?kind=unknown_route')).events;
    expect(scans).toEqual([
      expect.objectContaining({ source: ATTACKER, route: 'GET (unknown route)', count: 12, hints: ['duplicate', 'burst'] }),
    ]);
    expect((await security(h, token, '?kind=bad_run_token')).events).toEqual([
      expect.objectContaining({ route: 'POST /runner/progress', count: 1 }),
    ]);

    const metrics = await (await h.call('GET', '/metrics')).text();
    expect(metrics).toContain('ai_implement_security_signals_total{kind="unknown_route",classification="none"} 12');
    expect(metrics).toContain('ai_implement_security_signals_total{kind="probe",classification="script"} 1');
    expect(metrics).not.toContain(ATTACKER);
  });

  it('records failed sign-ins and the lockout, grouped per address', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    for (let i = 0; i < 5; i++) await h.call('POST', '/api/auth', { body: { code: `guess-${i}` }, ip: ATTACKER });
    expect((await h.call('POST', '/api/auth', { body: { code: 'again' }, ip: ATTACKER })).status).toBe(429);
    const token = await h.login();
    const list = (await security(h, token, `?source=${ATTACKER}`)).events;
    expect(list.map((e: Json) => [e.kind, e.count])).toEqual(
      expect.arrayContaining([
        ['sign_in_failed', 5],
        ['sign_in_lockout', 1],
      ]),
    );
  });

  it('moves a group along open → triaged → in_progress → done → archived and refuses other moves', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    await h.call('GET', '/nope', { ip: ATTACKER });
    const token = await h.login();
    const [event] = (await security(h, token)).events;
    const patch = (status: unknown, id = event.id) => h!.call('PATCH', `/api/security-events/${id}`, { token, body: { status } });

    const skip = await patch('archived');
    expect(skip.status).toBe(409);
    expect(await skip.json()).toEqual({
      error: 'Cannot move a security event from open to archived (allowed: triaged, in_progress, done)',
    });
    const bogus = await patch('resolved');
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toEqual({ error: 'status must be one of open, triaged, in_progress, done, archived' });
    expect((await patch('triaged', 'no-such-event')).status).toBe(404);

    for (const status of ['triaged', 'in_progress', 'done', 'archived']) {
      const res = await patch(status);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).status).toBe(status);
    }
    const final = await patch('open');
    expect(final.status).toBe(409);
    expect(await final.json()).toEqual({ error: 'An archived security event cannot change status' });
    expect((await security(h, token, '?status=archived')).total).toBe(1);

    // A new sighting after the group is closed opens a new group.
    await h.call('GET', '/nope', { ip: ATTACKER });
    expect((await security(h, token, '?status=open')).total).toBe(1);
  });
});
