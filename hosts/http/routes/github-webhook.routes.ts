import { z } from 'zod';
import {
  type GithubWebhookService,
  INVALID_SIGNATURE,
  MISSING_PR_FIELDS,
  WEBHOOK_DISABLED_MESSAGE,
} from '../../../core/app/pulls/github-webhook.service.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';

export interface GithubWebhookRoutesDeps {
  githubWebhook: GithubWebhookService;
}

const route = routesFor<GithubWebhookRoutesDeps>();

/**
 * `POST /api/github/webhook`: self-authenticated (admin-guard's SELF_AUTHENTICATED_PATHS) by
 * `X-Hub-Signature-256` over the raw body, so the body is read as bytes, never re-serialised.
 */
export const githubWebhookRoutes = [
  route({
    method: 'post',
    path: '/api/github/webhook',
    operationId: 'githubWebhook',
    tag: 'Webhooks',
    summary: 'GitHub notifies the orchestrator of pull-request events',
    description:
      'Merged pull requests and requested changes; `issues` and `issue_comment` events reconcile the GitHub Issues mappings of their repository at once (`{ ok, handled, reconciling }`). Anything else answers 200 `{ ok: true, ignored }`.',
    security: 'githubSignature',
    body: {
      schema: someObject('A GitHub webhook payload (X-GitHub-Event names its kind)'),
      read: 'raw',
    },
    responses: { 200: z.looseObject({ ok: z.literal(true) }) },
    errors: [
      { kind: 'invalidPayload' },
      { kind: 'invalid', message: MISSING_PR_FIELDS },
      { kind: 'badSignature', message: INVALID_SIGNATURE },
      { kind: 'upstream', message: '(underlying error message)' },
      { kind: 'unavailable', message: WEBHOOK_DISABLED_MESSAGE },
    ],
    handler: async ({ event, body }, { githubWebhook }) =>
      (
        await githubWebhook.receive(body, {
          event: event.req.headers.get('x-github-event'),
          signature: event.req.headers.get('x-hub-signature-256'),
        })
      ).map((outcome) => ({ ok: true as const, ...outcome })),
  }),
];
