import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { LinearWebhookService } from '../../../core/app/issues/linear-webhook.service.js';
import type { Clock } from '../../../ports/clock.port.js';
import { createRateLimiter } from '../rate-limit.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';

export interface LinearWebhookRoutesDeps {
  linearWebhook: LinearWebhookService;
  clock: Clock;
}

/** Linear's webhooks may arrive at most this often (v1 API "Webhooks"). */
export const WEBHOOK_LIMIT_PER_MINUTE = 600;

/** One window per orchestrator (its webhook service), not per process. */
const limiters = new WeakMap<LinearWebhookService, ReturnType<typeof createRateLimiter>>();
function limiterOf({ linearWebhook, clock }: LinearWebhookRoutesDeps) {
  let limiter = limiters.get(linearWebhook);
  if (!limiter) {
    limiter = createRateLimiter({ limit: WEBHOOK_LIMIT_PER_MINUTE, windowMs: 60_000, now: () => clock.now() });
    limiters.set(linearWebhook, limiter);
  }
  return limiter;
}

const route = routesFor<LinearWebhookRoutesDeps>();

/** `POST /webhooks/linear`: rate-limited before the body is read, verified, and answered before the reconcile runs. */
export const linearWebhookRoutes = [
  route({
    method: 'post',
    path: '/webhooks/linear',
    operationId: 'linearWebhook',
    tag: 'Webhooks',
    summary: 'Linear webhook receiver: processes issue and comment events (600 a minute)',
    security: 'linearSignature',
    admit: (_event, deps) => {
      const slot = limiterOf(deps).take();
      return slot.allowed ? ok(undefined) : err({ kind: 'rateLimited', retryAfterMs: slot.retryAfterMs });
    },
    body: {
      schema: someObject('A Linear webhook payload, signed with its webhookTimestamp'),
      read: 'raw',
    },
    responses: {
      200: z.object({ ok: z.literal(true), reconciling: z.union([z.array(z.string()), z.enum(['all', 'none'])]) }),
    },
    errors: [
      { kind: 'invalidPayload' },
      { kind: 'badSignature', message: 'Missing webhook signature' },
      { kind: 'badSignature', message: '(signature verification message)' },
      { kind: 'rateLimited', retryAfterMs: 1000 },
      { kind: 'notConfigured', message: 'Linear webhook not configured' },
    ],
    handler: async ({ event, body }, { linearWebhook }) =>
      (await linearWebhook.receive(body, event.req.headers.get('linear-signature'))).map((outcome) => ({
        ok: true as const,
        ...outcome,
      })),
  }),
];
