import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { errAsync, okAsync } from 'neverthrow';
import type { WebhookVerifier } from '../../../ports/webhook-verifier.port.js';

/**
 * Linear's `linear-signature` over the raw body, and the signed `webhookTimestamp`'s freshness
 * (a minute), both as @linear/sdk checks them. The SDK parses while it verifies, so a body that
 * is not JSON is told apart by its error.
 */
export function createLinearWebhookVerifier(): WebhookVerifier {
  const clients = new Map<string, LinearWebhookClient>();
  return {
    verify(secret, rawBody, signature) {
      let client = clients.get(secret);
      if (!client) {
        client = new LinearWebhookClient(secret);
        clients.set(secret, client);
      }
      try {
        return okAsync<unknown>(client.parseData(Buffer.from(rawBody), signature));
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Invalid webhook signature';
        return message.includes('JSON') ? errAsync({ kind: 'invalidPayload' }) : errAsync({ kind: 'badSignature', message });
      }
    },
  };
}
