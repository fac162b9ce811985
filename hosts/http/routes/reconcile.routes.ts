import type { H3 } from 'h3';
import type { ReconcileService } from '../../../core/app/dispatch/reconcile.service.js';
import { json } from '../errors.js';

export interface ReconcileRoutesDeps {
  reconcile: ReconcileService;
}

/**
 * `POST /api/v1/refresh`: 202 at once; the cycle runs in the background, coalesced with any
 * cycle already running (v1-api-state-issues-config.txt).
 */
export function reconcileRoutes(app: H3, { reconcile }: ReconcileRoutesDeps): void {
  app.post('/api/v1/refresh', () => {
    void reconcile.request().catch(() => undefined);
    return json({ queued: true }, 202);
  });
}
