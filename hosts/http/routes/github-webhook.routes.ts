import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { githubVerdict } from '../../../core/app/operations/connector-deliveries.js';
import {
  type GithubWebhookService,
  INVALID_SIGNATURE,
  MISSING_PR_FIELDS,
  WEBHOOK_DISABLED_MESSAGE,
} from '../../../core/app/pulls/github-webhook.service.js';
import type { Clock } from '../../../ports/clock.port.js';
import { type ConnectorRecordingDeps, recordDelivery, recordDuplicate } from '../connector-recording.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';

export interface GithubWebhookRoutesDeps extends ConnectorRecordingDeps {
  githubWebhook: GithubWebhookService;
  clock: Clock;
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
      'Merged pull requests and requested changes; `issues` and `issue_comment` events reconcile the GitHub Issues mappings of their repository at once (`{ ok, handled, reconciling }`). Anything else answers 200 `{ ok: true, ignored }`. A verified redelivery of an `X-GitHub-Delivery` already seen answers `{ ok: true, ignored, duplicate: true }` and is not acted on again. Every delivery is recorded in the connector event log.',
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
    handler: async ({ event, body }, deps) => {
      const headers = event.req.headers;
      const signature = headers.get('x-hub-signature-256');
      const facts = {
        source: 'github' as const,
        receivedAt: deps.clock.now(),
        body,
        deliveryId: headers.get('x-github-delivery') ?? undefined,
        event: headers.get('x-github-event'),
      };
      const verified = await deps.githubWebhook.verify(body, { event: facts.event, signature });
      if (verified.isErr()) {
        recordDelivery(deps, event, facts, githubVerdict(err(verified.error), signature !== null));
        return err(verified.error);
      }
      const known = { ...facts, event: verified.value.event, action: verified.value.payload.action };
      // GitHub's redelivery sends the same X-GitHub-Delivery: acted on once.
      if (known.deliveryId && !(await deps.connectorEvents.firstDelivery('github', known.deliveryId))) {
        recordDuplicate(deps, { ...known, deliveryId: known.deliveryId });
        return ok({ ok: true as const, ignored: 'duplicate delivery', duplicate: true });
      }
      const result = await deps.githubWebhook.act(verified.value);
      recordDelivery(deps, event, known, githubVerdict(result, true));
      return result.map((outcome) => ({ ok: true as const, ...outcome }));
    },
  }),
];
