import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLinearWebhookVerifier } from '../../../adapters/ticketing/linear/linear-webhook.verifier.js';
import { webhookVerifierContract } from '../../../testing/contracts/webhook-verifier.contract.js';

/** `linear-signature` as Linear computes it: hex HMAC-SHA256 of the raw body. */
const signText = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

webhookVerifierContract('linear (linear-signature)', () => ({
  verifier: createLinearWebhookVerifier(),
  signText,
  // Linear stamps every delivery; the verifier refuses one older than a minute.
  signed: (secret, payload) => {
    const body = JSON.stringify({ ...payload, webhookTimestamp: Date.now() });
    return { body, signature: signText(secret, body) };
  },
}));

describe('linear webhook verifier', () => {
  it('refuses a correctly signed delivery whose timestamp is stale', async () => {
    const body = JSON.stringify({ action: 'create', type: 'Issue', webhookTimestamp: Date.now() - 5 * 60_000 });
    const result = await createLinearWebhookVerifier().verify(
      's3cret-value',
      new TextEncoder().encode(body),
      signText('s3cret-value', body),
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'badSignature' });
  });
});
