import { getRouterParam, type H3 } from 'h3';
import type { DispatchLogService } from '../../../core/app/dispatch/dispatch-log.service.js';
import { errorResponse, json } from '../errors.js';

export interface DispatchLogRoutesDeps {
  dispatchLog: DispatchLogService;
}

/** The dispatch log and the 24-hour dedup window (admin "Pipelines (jobs)", "Audit log"). */
export function dispatchLogRoutes(app: H3, { dispatchLog }: DispatchLogRoutesDeps): void {
  app.get('/api/log', async () => json({ entries: await dispatchLog.log() }));
  app.get('/api/dedup', async () => json({ entries: await dispatchLog.dedup() }));
  app.delete('/api/dedup/:issueId', async (event) => {
    const removed = await dispatchLog.removeDedup(decodeURIComponent(getRouterParam(event, 'issueId') ?? ''));
    return removed ? json({ removed: true }) : errorResponse({ kind: 'notFound' });
  });
}
