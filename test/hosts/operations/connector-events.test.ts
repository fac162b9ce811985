import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, type GithubHarness, startGithubHarness } from '../github/github-harness.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

/**
 * The connector event log end to end (issue 18): real deliveries to the real app, the log read
 * back through its admin API.
 */

// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely
type Json = any;

let gh: GithubHarness | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await gh?.close();
  await h?.close();
  gh = undefined;
  h = undefined;
});

async function events(harness: Harness, token: string, query = ''): Promise<Json> {
  await harness.orchestrator.cradle.connectorEvents.flush();
  const res = await harness.call('GET', `/api/connector-events${query}`, { token });
  expect(res.status).toBe(200);
  return res.json();
}

describe('the connector event log', () => {
  it('records a GitHub delivery with its id and verdict, answers a redelivery as a duplicate, and replays it', async () => {
    gh = await startGithubHarness();
    const { h: app, token } = gh;
    const payload = { action: 'created', zen: 'Keep it logically awesome.', hook_id: 1 };
    const first = await deliver(app, 'ping', payload, { deliveryId: 'delivery-1' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, ignored: 'event ping.created' });

    app.clock.advance(1000);
    const again = await deliver(app, 'ping', payload, { deliveryId: 'delivery-1' });
    expect(await again.json()).toEqual({ ok: true, ignored: 'duplicate delivery', duplicate: true });

    const page = await events(app, token, '?source=github');
    expect(page.total).toBe(2);
    const [dup, original] = page.events;
    expect(dup).toMatchObject({ deliveryId: 'delivery-1', outcome: 'duplicate', signature: 'verified' });
    expect(original).toMatchObject({
      source: 'github',
      direction: 'inbound',
      deliveryId: 'delivery-1',
      event: 'ping',
      action: 'created',
      signature: 'verified',
      outcome: 'ignored',
      reason: 'event ping.created',
      bodyTruncated: false,
    });
    expect(original.body).toBeUndefined();
    expect((await events(app, token, '?outcome=duplicate')).events.map((e: Json) => e.id)).toEqual([dup.id]);

    const detail: Json = await (await app.call('GET', `/api/connector-events/${original.id}`, { token })).json();
    expect(JSON.parse(detail.body)).toEqual(payload);

    app.clock.advance(1000);
    const replay = await app.call('POST', `/api/connector-events/${original.id}/replay`, { token });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ replayOf: original.id, outcome: 'ignored' });
    const after = await events(app, token);
    expect(after.events[0]).toMatchObject({ replayOf: original.id, deliveryId: 'delivery-1', signature: 'not_applicable' });

    expect((await app.call('GET', '/api/connector-events/nope', { token })).status).toBe(404);
    expect((await app.call('POST', '/api/connector-events/nope/replay', { token })).status).toBe(404);
    const bad = await app.call('GET', '/api/connector-events?outcome=exploded', { token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error).toMatch(/^outcome must be one of/);
  });

  it('records a delivery whose signature fails as rejected, without its body, and raises a security event', async () => {
    gh = await startGithubHarness();
    const { h: app, token } = gh;
    const res = await deliver(app, 'pull_request', { action: 'opened' }, { signature: 'sha256=00', deliveryId: 'forged' });
    expect(res.status).toBe(401);
    const [event] = (await events(app, token)).events;
    expect(event).toMatchObject({ outcome: 'rejected', signature: 'invalid', reason: 'Invalid signature', deliveryId: 'forged' });
    const detail: Json = await (await app.call('GET', `/api/connector-events/${event.id}`, { token })).json();
    expect(detail.body).toBeUndefined();
    const replay = await app.call('POST', `/api/connector-events/${event.id}/replay`, { token });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: 'Only verified deliveries can be replayed' });

    await app.orchestrator.cradle.securityEvents.flush();
    const security: Json = await (await app.call('GET', '/api/security-events?kind=bad_webhook_signature', { token })).json();
    expect(security.events).toEqual([
      expect.objectContaining({ kind: 'bad_webhook_signature', route: 'POST /api/github/webhook' }),
    ]);
  });

  it('keeps at most 20 unverified deliveries a minute per address in the log; the security event counts them all', async () => {
    gh = await startGithubHarness();
    const { h: app, token } = gh;
    for (let i = 0; i < 25; i++) {
      const res = await app.call('POST', '/api/github/webhook', {
        raw: '{"zen":"x"}',
        headers: { 'x-github-event': 'ping', 'x-hub-signature-256': 'sha256=00' },
        ip: '198.51.100.7',
      });
      expect(res.status).toBe(401);
    }
    expect((await events(app, token, '?outcome=rejected')).total).toBe(20);
    await app.orchestrator.cradle.securityEvents.flush();
    const security: Json = await (await app.call('GET', '/api/security-events?source=198.51.100.7', { token })).json();
    expect(security.events).toEqual([expect.objectContaining({ kind: 'bad_webhook_signature', count: 25 })]);
  });

  it('records gap-fill triggers and the embedded tracker’s changes', async () => {
    gh = await startGithubHarness();
    const { h: app, token } = gh;
    const refused = await app.call('POST', '/trigger/gap-fill', {
      body: { issueKey: 'ENG-1', prNumber: 1 },
      headers: { authorization: 'Bearer wrong' },
    });
    expect(refused.status).toBe(401);
    const created = await app.call('POST', '/api/tracker/issues', { token, body: { teamKey: 'ENG', title: 'Logged' } });
    expect(created.status).toBe(201);
    const gap = (await events(app, token, '?source=gap-fill')).events;
    expect(gap).toEqual([expect.objectContaining({ outcome: 'rejected', signature: 'invalid', reason: 'unauthorized' })]);
    const tracker = (await events(app, token, '?source=tracker')).events;
    expect(tracker).toEqual([
      expect.objectContaining({ event: 'issue', action: 'created', outcome: 'acted', caused: { jobIds: [], teams: ['ENG'] } }),
    ]);
  });

  it('records a verified Linear delivery under webhookId@webhookTimestamp and a redelivery as a duplicate', async () => {
    const secret = 'linear-webhook-secret-for-tests';
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, LINEAR_WEBHOOK_SECRET: secret });
    const token = await h.login();
    const now = Date.now();
    const raw = JSON.stringify({ action: 'update', type: 'Comment', data: {}, webhookId: 'hook-1', webhookTimestamp: now });
    const headers = { 'linear-signature': createHmac('sha256', secret).update(raw).digest('hex') };
    expect(await (await h.call('POST', '/webhooks/linear', { raw, headers })).json()).toEqual({ ok: true, reconciling: 'none' });
    h.clock.advance(1000);
    expect(await (await h.call('POST', '/webhooks/linear', { raw, headers })).json()).toEqual({
      ok: true,
      reconciling: 'none',
      duplicate: true,
    });
    const list = (await events(h, token, '?source=linear')).events;
    expect(list.map((e: Json) => [e.deliveryId, e.event, e.action, e.outcome])).toEqual([
      [`hook-1@${now}`, 'Comment', 'update', 'duplicate'],
      [`hook-1@${now}`, 'Comment', 'update', 'ignored'],
    ]);
    expect((await h.call('GET', '/api/connector-events', {})).status).toBe(401);
  });
});
