import { ok } from 'neverthrow';
import { z } from 'zod';
import type { Readiness } from '../../readiness.js';
import { json } from '../errors.js';
import { routesFor } from '../route.js';

export interface HealthRoutesDeps {
  readiness: Readiness;
}

const route = routesFor<HealthRoutesDeps>();

const readinessBody = z.object({
  status: z.enum(['ready', 'not ready']),
  reasons: z.array(z.string()).describe('Why it is not ready, one sentence each; empty when ready'),
  storage: z.object({ available: z.boolean(), store: z.string().describe('The kind of store: SQLite, PostgreSQL, redis, …') }),
  lastCycleAt: z.string().optional().describe('When the last reconcile cycle completed (ISO 8601)'),
});

/**
 * `GET /healthz`: the process is up and serving (liveness). `GET /readyz`: it can do its work
 * (readiness): the store answers and the reconcile loop completes cycles. Never guarded.
 */
export const healthRoutes = [
  route({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    tag: 'Service',
    summary: 'The process is up and serving (never guarded, never touches storage)',
    security: 'public',
    responses: { 200: z.object({ status: z.enum(['ok']) }) },
    handler: () => ok({ status: 'ok' as const }),
  }),
  route({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    tag: 'Service',
    summary: 'The process can do its work: storage answers and the last reconcile cycle is recent',
    description:
      '503 with the reasons while storage is unreachable, the last completed reconcile cycle is older than 3 poll intervals, the background work has not started, or the server is shutting down. Never guarded.',
    security: 'public',
    responses: {
      200: readinessBody,
      503: readinessBody,
    },
    handler: async (_input, { readiness }) => {
      const report = await readiness.check();
      const { ready, ...rest } = report;
      return ready ? json({ status: 'ready', ...rest }) : json({ status: 'not ready', ...rest }, 503);
    },
  }),
];
