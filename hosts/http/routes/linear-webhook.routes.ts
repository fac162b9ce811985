import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { LinearWebhookService } from '../../../core/app/issues/linear-webhook.service.js';
import { linearRejection, linearVerdict } from '../../../core/app/operations/connector-deliveries.js';
import type { Clock } from '../../../ports/clock.port.js';
import { clientOf } from '../client-address.js';
import { type ConnectorRecordingDeps, recordDelivery, recordDuplicate } from '../connector-recording.js';
import { createRateLimiter, type RateLimiter } from '../rate-limit.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';
import type { TrustedProxies } from '../trusted-proxies.js';

export interface LinearWebhookRoutesDeps extends ConnectorRecordingDeps {
  linearWebhook: LinearWebhookService;
  clock: Clock;
  trustedProxies: TrustedProxies;
}

/** Linear's delivery id: the webhook's id with the delivery's signed timestamp (or its `linear-delivery` header). */
function linearDeliveryId(payload: Record<string, unknown>, header: string | null): string | undefined {
  const { webhookId, webhookTimestamp } = payload;
  if (typeof webhookId === 'string' && (typeof webhookTimestamp === 'number' || typeof webhookTimestamp === 'string')) {
    return `${webhookId}@${webhookTimestamp}`;
  }
  return header ?? undefined;
}

/** Linear's webhooks may arrive at most this often (v1 API "Webhooks"). */
export const WEBHOOK_LIMIT_PER_MINUTE = 600;

/**
 * Two windows per orchestrator (its webhook service), not per process: verified deliveries
 * share one — the spec's 600 a minute, which only Linear's signature can spend — and every
 * source address has its own for deliveries that do not verify, so no flood of unsigned posts
 * can starve a signed delivery (issue 12 item 7).
 */
const limiters = new WeakMap<LinearWebhookService, { verified: RateLimiter; unverified: RateLimiter }>();
function limitersOf({ linearWebhook, clock }: LinearWebhookRoutesDeps) {
  let pair = limiters.get(linearWebhook);
  if (!pair) {
    const window = { limit: WEBHOOK_LIMIT_PER_MINUTE, windowMs: 60_000, now: () => clock.now() };
    pair = { verified: createRateLimiter(window), unverified: createRateLimiter(window) };
    limiters.set(linearWebhook, pair);
  }
  return pair;
}

const VERIFIED = 'verified';
const limited = (retryAfterMs: number) => err({ kind: 'rateLimited' as const, retryAfterMs });

const route = routesFor<LinearWebhookRoutesDeps>();

/**
 * `POST /webhooks/linear`: an address past its limit of unverified deliveries is refused
 * before the body is read; a delivery is verified before it counts, and answered before the
 * reconcile runs.
 */
export const linearWebhookRoutes = [
  route({
    method: 'post',
    path: '/webhooks/linear',
    operationId: 'linearWebhook',
    tag: 'Webhooks',
    summary: 'Linear webhook receiver: processes issue and comment events (600 a minute)',
    description:
      'Verified deliveries may arrive 600 times a minute; deliveries that do not verify count against their source address, 600 a minute each, never against verified ones.',
    security: 'linearSignature',
    admit: (event, deps) => {
      const waitMs = limitersOf(deps).unverified.waitFor(clientOf(event, deps.trustedProxies));
      return waitMs === undefined ? ok(undefined) : limited(waitMs);
    },
    body: {
      schema: someObject('A Linear webhook payload, signed with its webhookTimestamp'),
      read: 'raw',
    },
    responses: {
      200: z.object({
        ok: z.literal(true),
        reconciling: z.union([z.array(z.string()), z.enum(['all', 'none'])]),
        duplicate: z.literal(true).optional().describe('A verified redelivery of a delivery already seen: not acted on again'),
      }),
    },
    errors: [
      { kind: 'invalidPayload' },
      { kind: 'badSignature', message: 'Missing webhook signature' },
      { kind: 'badSignature', message: '(signature verification message)' },
      { kind: 'rateLimited', retryAfterMs: 1000 },
      { kind: 'notConfigured', message: 'Linear webhook not configured' },
    ],
    handler: async ({ event, body }, deps) => {
      const windows = limitersOf(deps);
      const facts = { source: 'linear' as const, receivedAt: deps.clock.now(), body };
      const signature = event.req.headers.get('linear-signature');
      const verified = await deps.linearWebhook.verify(body, signature);
      const slot = verified.isOk()
        ? windows.verified.take(VERIFIED)
        : windows.unverified.take(clientOf(event, deps.trustedProxies));
      if (!slot.allowed) return limited(slot.retryAfterMs);
      if (verified.isErr()) {
        const e = verified.error;
        recordDelivery(deps, event, facts, linearRejection(e, signature !== null));
        return err(e);
      }
      const payload = verified.value.payload as Record<string, unknown>;
      const known = {
        ...facts,
        deliveryId: linearDeliveryId(payload, event.req.headers.get('linear-delivery')),
        event: typeof payload.type === 'string' ? payload.type : undefined,
        action: payload.action,
      };
      if (known.deliveryId && !(await deps.connectorEvents.firstDelivery('linear', known.deliveryId))) {
        recordDuplicate(deps, { ...known, deliveryId: known.deliveryId });
        return ok({ ok: true as const, reconciling: 'none' as const, duplicate: true });
      }
      const acted = await deps.linearWebhook.act(verified.value);
      recordDelivery(deps, event, known, linearVerdict(acted.reconciling));
      return ok({ ok: true as const, ...acted });
    },
  }),
];
