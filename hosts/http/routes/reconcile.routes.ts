import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ReconcileService } from '../../../core/app/dispatch/reconcile.service.js';
import { routesFor } from '../route.js';

export interface ReconcileRoutesDeps {
  reconcile: ReconcileService;
}

const route = routesFor<ReconcileRoutesDeps>();

/**
 * `POST /api/v1/refresh`: 202 at once; the cycle runs in the background, coalesced with any
 * cycle already running (v1-api-state-issues-config.txt).
 */
export const reconcileRoutes = [
  route({
    method: 'post',
    path: '/api/v1/refresh',
    operationId: 'v1Refresh',
    tag: 'State & Metrics',
    summary: 'Trigger an immediate poll/reconciliation cycle (runs asynchronously)',
    responses: { 202: z.object({ queued: z.literal(true) }).describe('Accepted: the cycle runs in the background') },
    handler: (_input, { reconcile }) => {
      void reconcile.request().catch(() => undefined);
      return ok({ queued: true as const });
    },
  }),
];
