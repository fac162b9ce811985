import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_CODE, type Harness, startHarness } from './harness.js';

const SECRET = 'linear-webhook-secret-for-tests';
const FLOODER = '203.0.113.50';
const LINEAR = '35.231.147.226';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function signedDelivery(now: number) {
  const raw = JSON.stringify({ action: 'update', type: 'Comment', data: {}, webhookTimestamp: now });
  return { raw, headers: { 'linear-signature': createHmac('sha256', SECRET).update(raw).digest('hex') } };
}

const unsigned = (ip: string) => h!.call('POST', '/webhooks/linear', { raw: '{"type":"Issue"}', ip });

describe('POST /webhooks/linear rate limits (issue 12 item 7)', () => {
  it('600 unsigned posts from one address never make a signed delivery from another get 429', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, LINEAR_WEBHOOK_SECRET: SECRET });
    for (let n = 0; n < 600; n++) expect((await unsigned(FLOODER)).status).toBe(401);
    const over = await unsigned(FLOODER);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);

    const delivery = await h.call('POST', '/webhooks/linear', { ...signedDelivery(Date.now()), ip: LINEAR });
    expect(delivery.status).toBe(200);
    expect(await delivery.json()).toEqual({ ok: true, reconciling: 'none' });
    // Another address's unsigned posts have a window of their own.
    expect((await unsigned('198.51.100.9')).status).toBe(401);
  });

  it('unsigned posts do not spend the verified deliveries’ 600 a minute, whatever their addresses', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, LINEAR_WEBHOOK_SECRET: SECRET });
    for (let n = 0; n < 700; n++) expect((await unsigned(`203.0.113.${n % 250}`)).status).toBe(401);
    for (let n = 0; n < 600; n++) {
      const res = await h.call('POST', '/webhooks/linear', { ...signedDelivery(Date.now()), ip: LINEAR });
      expect(res.status).toBe(200);
    }
    expect((await h.call('POST', '/webhooks/linear', { ...signedDelivery(Date.now()), ip: LINEAR })).status).toBe(429);
  }, 30_000);

  it('an address past its limit may post again once a minute has passed', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, LINEAR_WEBHOOK_SECRET: SECRET });
    for (let n = 0; n < 600; n++) await unsigned(FLOODER);
    expect((await unsigned(FLOODER)).status).toBe(429);
    h.clock.advance(60_001);
    expect((await unsigned(FLOODER)).status).toBe(401);
  });
});
