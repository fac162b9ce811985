import type { ResultAsync } from 'neverthrow';

/** Why a delivery is refused: its signature does not hold, or its body is not the JSON signed. */
export type WebhookRejection = { kind: 'badSignature'; message: string } | { kind: 'invalidPayload' };

/**
 * WebhookVerifier — proves that a webhook delivery came from the service holding `secret`
 * (GitHub: `x-hub-signature-256`; Linear: `linear-signature` plus the signed
 * `webhookTimestamp`, which must be fresh). The comparison is constant-time; `verify` never
 * throws: a malformed signature is `badSignature`, a body that is not JSON `invalidPayload`.
 * On success it resolves the delivery's parsed payload.
 */
export interface WebhookVerifier {
  verify(secret: string, rawBody: Uint8Array, signature: string): ResultAsync<unknown, WebhookRejection>;
}
