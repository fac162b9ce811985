import { createHmac } from 'node:crypto';
import { createGithubWebhookVerifier } from '../../../adapters/forge/github/github-webhook.verifier.js';
import { webhookVerifierContract } from '../../../testing/contracts/webhook-verifier.contract.js';

/** `x-hub-signature-256` as GitHub computes it. */
const signText = (secret: string, text: string) => `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;

webhookVerifierContract('github (x-hub-signature-256)', () => ({
  verifier: createGithubWebhookVerifier(),
  signText,
  signed: (secret, payload) => {
    const body = JSON.stringify(payload);
    return { body, signature: signText(secret, body) };
  },
}));
