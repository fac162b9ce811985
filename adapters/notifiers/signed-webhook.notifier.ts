import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NotificationMessage, Notifier } from '../../ports/notifier.port.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS, httpResult, transportFailure, withDeadline, withRetryAfter } from './delivery.js';

/** Unix seconds at signing; a receiver refuses a delivery whose timestamp is too far from its clock. */
export const TIMESTAMP_HEADER = 'x-ai-implement-timestamp';
/** `sha256=` and the hex HMAC-SHA256, keyed with NOTIFY_WEBHOOK_SECRET, of `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-ai-implement-signature';
/** The notification kind (`run.failed`, …), so a receiver can route before parsing. */
export const EVENT_HEADER = 'x-ai-implement-event';
/** Stable across retries of one notification: a receiver drops a delivery it has already seen. */
export const DELIVERY_HEADER = 'x-ai-implement-delivery';
/** How far a receiver should accept a timestamp from its own clock (5 minutes, as Slack and Stripe do). */
export const SIGNATURE_TOLERANCE_S = 300;

export interface SignedWebhookOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  now?: () => number;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (the README shows the same steps): recompute the signature over the
 * timestamp and the raw body, compare in constant time, and refuse a stale timestamp.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowMs: number,
  toleranceS = SIGNATURE_TOLERANCE_S,
): 'ok' | 'missing' | 'stale' | 'mismatch' {
  if (!headers.timestamp || !headers.signature || !/^\d+$/.test(headers.timestamp)) return 'missing';
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceS) return 'stale';
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}

/** The JSON body: the message as it is, with the notification's id. */
export function webhookBody(id: string, message: NotificationMessage): string {
  return JSON.stringify({ id, ...message });
}

/**
 * A generic JSON webhook, signed with HMAC-SHA256 so the receiver knows it came from this
 * orchestrator and not from anyone who learned the URL. Redirects are not followed (a 3xx is
 * a failed attempt): the signed body goes only where it was configured to go.
 */
export function createSignedWebhookNotifier(options: SignedWebhookOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const secrets = [options.secret, options.url];
  const send = (message: NotificationMessage, id: string) =>
    withDeadline(
      timeoutMs,
      async () => {
        const body = webhookBody(id, message);
        const timestamp = Math.floor(now() / 1000);
        const response = await fetch(options.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'ai-implement-notifier',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
            [EVENT_HEADER]: message.kind,
            [DELIVERY_HEADER]: id,
          },
          body,
        });
        return withRetryAfter(httpResult(response.status, await response.text(), secrets), response.headers);
      },
      (error) => transportFailure(error, secrets, timeoutMs),
    );
  return { channel: 'webhook', send };
}
