import type { H3 } from 'h3';
import type { GithubWebhookService } from '../../../core/app/pulls/github-webhook.service.js';
import { readRawBody } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface GithubWebhookRoutesDeps {
  githubWebhook: GithubWebhookService;
}

/**
 * `POST /api/github/webhook`: self-authenticated (admin-guard's SELF_AUTHENTICATED_PATHS) by
 * `X-Hub-Signature-256` over the raw body, so the body is read as bytes, never re-serialised.
 */
export function githubWebhookRoutes(app: H3, { githubWebhook }: GithubWebhookRoutesDeps): void {
  app.post('/api/github/webhook', async (event) => {
    const raw = await readRawBody(event);
    if (raw.isErr()) return errorResponse(raw.error);
    const received = await githubWebhook.receive(raw.value, {
      event: event.req.headers.get('x-github-event'),
      signature: event.req.headers.get('x-hub-signature-256'),
    });
    return received.match((outcome) => json({ ok: true, ...outcome }), errorResponse);
  });
}
