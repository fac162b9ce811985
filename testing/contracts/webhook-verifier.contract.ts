import { describe, expect, it } from 'vitest';
import type { WebhookVerifier } from '../../ports/webhook-verifier.port.js';

/** One verifier, and how its service signs a body (the payload may need stamping first). */
export interface WebhookVerifierSubject {
  verifier: WebhookVerifier;
  /** The body the service would send for `payload`, and its signature under `secret`. */
  signed(secret: string, payload: Record<string, unknown>): { body: string; signature: string };
  /** A signature over an arbitrary text, as the service computes it. */
  signText(secret: string, text: string): string;
}

const SECRET = 'webhook-secret-for-the-contract';
const bytes = (text: string) => new TextEncoder().encode(text);

/** The WebhookVerifier port's contract (ports/webhook-verifier.port.ts), run against every adapter. */
export function webhookVerifierContract(name: string, make: () => WebhookVerifierSubject): void {
  describe(`${name} satisfies WebhookVerifier`, () => {
    it('accepts a delivery signed with the secret, and gives its payload', async () => {
      const { verifier, signed } = make();
      const { body, signature } = signed(SECRET, { action: 'create', type: 'Issue', data: { id: 'i1' } });
      const result = await verifier.verify(SECRET, bytes(body), signature);
      expect(result._unsafeUnwrap()).toMatchObject({ action: 'create', data: { id: 'i1' } });
    });

    it('refuses another secret, a tampered body and a malformed signature as badSignature, without throwing', async () => {
      const { verifier, signed } = make();
      const { body, signature } = signed(SECRET, { action: 'create', type: 'Issue' });
      const refusals = await Promise.all([
        verifier.verify('another-secret-entirely', bytes(body), signature),
        verifier.verify(SECRET, bytes(body.replace('create', 'remove')), signature),
        verifier.verify(SECRET, bytes(body), 'not-a-signature'),
        verifier.verify(SECRET, bytes(body), ''),
      ]);
      for (const refused of refusals) expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: 'badSignature' });
    });

    it('refuses a signed body that is not JSON as invalidPayload', async () => {
      const { verifier, signText } = make();
      const text = 'this is { not json';
      expect((await verifier.verify(SECRET, bytes(text), signText(SECRET, text)))._unsafeUnwrapErr()).toEqual({
        kind: 'invalidPayload',
      });
    });
  });
}
