import type { H3 } from 'h3';
import type { Clock } from '../../../ports/clock.port.js';
import type { LinearWebhookService } from '../../../core/app/issues/linear-webhook.service.js';
import { readRawBody } from '../body.js';
import { errorResponse, json } from '../errors.js';
import { createRateLimiter } from '../rate-limit.js';

export interface LinearWebhookRoutesDeps {
  linearWebhook: LinearWebhookService;
  clock: Clock;
}

/** Linear's webhooks may arrive at most this often (v1 API "Webhooks"). */
export const WEBHOOK_LIMIT_PER_MINUTE = 600;

/** `POST /webhooks/linear`: verified, rate-limited, and answered before the reconcile runs. */
export function linearWebhookRoutes(app: H3, { linearWebhook, clock }: LinearWebhookRoutesDeps): void {
  const limiter = createRateLimiter({ limit: WEBHOOK_LIMIT_PER_MINUTE, windowMs: 60_000, now: () => clock.now() });

  app.post('/webhooks/linear', async (event) => {
    const slot = limiter.take();
    if (!slot.allowed) return errorResponse({ kind: 'rateLimited', retryAfterMs: slot.retryAfterMs });
    const raw = await readRawBody(event);
    if (raw.isErr()) return errorResponse(raw.error);
    const received = await linearWebhook.receive(raw.value, event.req.headers.get('linear-signature'));
    return received.match((outcome) => json({ ok: true, ...outcome }), errorResponse);
  });
}
