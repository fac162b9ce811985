import type { H3Event, Middleware } from 'h3';
import type { MetricsService } from '../../../core/app/views/metrics.service.js';
import { EXPOSITION_CONTENT_TYPE } from '../../../core/app/views/metrics-exposition.js';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { OperationsMetrics } from '../../composition/operations-metrics.js';
import type { HttpMetrics } from '../http-metrics.js';
import { routesFor } from '../route.js';

export interface MetricsRoutesDeps {
  metrics: MetricsService;
  httpMetrics: HttpMetrics;
  operationsMetrics: OperationsMetrics;
  eventBus: EventBus;
  clock: Clock;
}

/** The webhook endpoints whose deliveries are counted, by path. */
const WEBHOOK_SOURCES: Readonly<Record<string, string>> = {
  '/webhooks/linear': 'linear',
  '/api/github/webhook': 'github',
};

/**
 * Publishes `webhook.received` (source and the status answered) for every delivery to a
 * webhook endpoint, refused ones included, so `/metrics` and the SSE stream see them; the
 * webhook services themselves publish nothing on receipt.
 */
export function webhookReceipts({ eventBus, clock }: Pick<MetricsRoutesDeps, 'eventBus' | 'clock'>): Middleware {
  // Not an async function: every other request goes straight on (no promise wrapped around its answer).
  return (event, next) => {
    const source = WEBHOOK_SOURCES[event.url.pathname];
    if (!source || event.req.method !== 'POST') return next();
    return receipt(source, event, next);
  };

  async function receipt(source: string, event: H3Event, next: () => unknown): Promise<unknown> {
    const publish = (status: number) => eventBus.publish({ type: 'webhook.received', at: clock.now(), data: { source, status } });
    try {
      const body = await next();
      publish(body instanceof Response ? body.status : (event.res.status ?? 200));
      return body;
    } catch (error) {
      publish(500);
      throw error;
    }
  }
}

const route = routesFor<MetricsRoutesDeps>();

/**
 * `GET /metrics`: Prometheus text exposition 0.0.4. Public on purpose — a Prometheus scraper
 * cannot log in to the admin — so the page holds only counts, statuses, phases, runner kinds,
 * team keys and route patterns: no issue text, identifier, URL or secret. The engine's own
 * families come first, then the process's (memory, event-loop lag, GC) and the HTTP histogram.
 */
export const metricsRoutes = [
  route({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'State & Metrics',
    summary: 'Prometheus-format service metrics (public: a scraper cannot log in)',
    security: 'public',
    responses: { 200: { contentType: 'text/plain', description: 'Prometheus text exposition 0.0.4' } },
    handler: async (_input, { metrics, httpMetrics, operationsMetrics }) =>
      new Response(`${await metrics.render()}${await operationsMetrics.render()}${await httpMetrics.render()}`, {
        headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' },
      }),
  }),
];
