import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSignedWebhookNotifier,
  signWebhook,
  verifyWebhookSignature,
} from '../../../adapters/notifiers/signed-webhook.notifier.js';
import type { NotificationMessage } from '../../../core/domain/notifications.js';
import {
  type SignedWebhookReceiver,
  startSignedWebhookReceiver,
} from '../../../testing/fakes/notify-webhook/signed-webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';
const message: NotificationMessage = {
  kind: 'review.failed',
  at: 1_700_000_000_000,
  teamKey: 'ENG',
  issue: 'ENG-7',
  title: 'ENG-7: review failed',
  text: 'The post-push review flagged blockers.',
  links: [],
};

let receiver: SignedWebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('signed JSON webhook', () => {
  it('signs sha256=HMAC(secret, "<timestamp>.<body>"), as the README documents', () => {
    const body = '{"a":1}';
    expect(signWebhook(SECRET, 1700000000, body)).toBe(
      `sha256=${createHmac('sha256', SECRET).update(`1700000000.${body}`).digest('hex')}`,
    );
  });

  it('delivers a body the receiver verifies, with the delivery id and kind in headers', async () => {
    receiver = await startSignedWebhookReceiver(SECRET);
    const result = await createSignedWebhookNotifier({ url: receiver.url, secret: SECRET }).send(message, 'note-1');
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got).toMatchObject({ verdict: 'ok', deliveryId: 'note-1', event: 'review.failed' });
    expect(JSON.parse(got?.body ?? '{}')).toEqual({ id: 'note-1', ...message });
  });

  it('is refused by a receiver holding another secret (final: not retried)', async () => {
    receiver = await startSignedWebhookReceiver('another-secret-entirely');
    const result = await createSignedWebhookNotifier({ url: receiver.url, secret: SECRET }).send(message, 'note-2');
    expect(result).toEqual({ ok: false, retryable: false, status: 401, error: 'HTTP 401' });
    expect(receiver.received[0]?.verdict).toBe('mismatch');
  });

  it('carries a timestamp, so a replayed delivery goes stale', async () => {
    receiver = await startSignedWebhookReceiver(SECRET);
    const tenMinutesAgo = () => Date.now() - 10 * 60_000;
    const result = await createSignedWebhookNotifier({ url: receiver.url, secret: SECRET, now: tenMinutesAgo }).send(
      message,
      'n',
    );
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(receiver.received[0]?.verdict).toBe('stale');
    const body = '{}';
    const ts = Math.floor(Date.now() / 1000);
    expect(
      verifyWebhookSignature(SECRET, { timestamp: String(ts), signature: signWebhook(SECRET, ts, body) }, body, Date.now()),
    ).toBe('ok');
    expect(
      verifyWebhookSignature(SECRET, { timestamp: String(ts), signature: signWebhook(SECRET, ts, body) }, '{ }', Date.now()),
    ).toBe('mismatch');
    expect(verifyWebhookSignature(SECRET, { timestamp: undefined, signature: 'x' }, body, Date.now())).toBe('missing');
  });

  it('reports a receiver that is down as retryable, never echoing the secret', async () => {
    receiver = await startSignedWebhookReceiver(SECRET);
    receiver.down = true;
    const down = await createSignedWebhookNotifier({ url: receiver.url, secret: SECRET }).send(message, 'n');
    expect(down).toMatchObject({ ok: false, retryable: true, status: 503 });
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const refused = await createSignedWebhookNotifier({ url, secret: SECRET, timeoutMs: 1000 }).send(message, 'n');
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify([down, refused])).not.toContain(SECRET);
  });
});
