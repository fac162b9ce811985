import { verify } from '@octokit/webhooks-methods';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { WebhookRejection, WebhookVerifier } from '../../../ports/webhook-verifier.port.js';

const INVALID_SIGNATURE = 'Invalid signature';

/** GitHub's `x-hub-signature-256` (`sha256=<hex HMAC of the body>`), checked by @octokit/webhooks-methods. */
export function createGithubWebhookVerifier(): WebhookVerifier {
  return {
    verify(secret, rawBody, signature) {
      const text = Buffer.from(rawBody).toString('utf8');
      const bad: WebhookRejection = { kind: 'badSignature', message: INVALID_SIGNATURE };
      return ResultAsync.fromPromise(verify(secret, text, signature), () => bad).andThen((valid) => {
        if (!valid) return errAsync(bad);
        try {
          return okAsync<unknown, WebhookRejection>(JSON.parse(text));
        } catch {
          return errAsync<unknown, WebhookRejection>({ kind: 'invalidPayload' });
        }
      });
    },
  };
}
