import { getQuery, type H3 } from 'h3';
import type { ReaperService } from '../../../core/app/operations/reaper.service.js';
import { json } from '../errors.js';

export interface ReaperRoutesDeps {
  reaper: ReaperService;
}

/** Admin "Reaper": the 24-hour counts by rule, and the latest actions (`?limit=`, 1–1000, 100). */
export function reaperRoutes(app: H3, { reaper }: ReaperRoutesDeps): void {
  app.get('/api/reaper/summary', async () => json(await reaper.summary()));
  app.get('/api/reaper/recent', async (event) => {
    const raw = Number((getQuery(event) as { limit?: string }).limit);
    const limit = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, 1000) : 100;
    return json({ actions: await reaper.recent(limit) });
  });
}
