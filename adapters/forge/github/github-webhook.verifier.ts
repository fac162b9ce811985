import { createHmac, timingSafeEqual } from 'node:crypto';
import { errAsync, okAsync } from 'neverthrow';
import type { WebhookRejection, WebhookVerifier } from '../../../ports/webhook-verifier.port.js';

const INVALID_SIGNATURE = 'Invalid signature';

/**
 * GitHub's `x-hub-signature-256` (`sha256=<hex HMAC-SHA256 of the body>`), computed over the
 * request's exact bytes — never over a decoded copy, where bytes that are not UTF-8 would turn
 * into U+FFFD and two different bodies would share one signature — and compared in constant time.
 */
export function createGithubWebhookVerifier(): WebhookVerifier {
  return {
    verify(secret, rawBody, signature) {
      const bad: WebhookRejection = { kind: 'badSignature', message: INVALID_SIGNATURE };
      const bytes = Buffer.from(rawBody);
      if (!signatureMatches(secret, bytes, signature)) return errAsync(bad);
      try {
        return okAsync<unknown, WebhookRejection>(JSON.parse(bytes.toString('utf8')));
      } catch {
        return errAsync<unknown, WebhookRejection>({ kind: 'invalidPayload' });
      }
    },
  };
}

function signatureMatches(secret: string, body: Buffer, header: string | null | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}
