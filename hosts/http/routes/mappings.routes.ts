import { getRouterParam, type H3 } from 'h3';
import type { MappingsService } from '../../../core/app/operations/mappings.service.js';
import { readJsonObject } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface MappingsRoutesDeps {
  mappings: MappingsService;
}

/** Project mappings: list, create-or-update, cap-or-pause, delete (admin-ui-and-api.txt). */
export function mappingsRoutes(app: H3, { mappings }: MappingsRoutesDeps): void {
  app.get('/api/mappings', async () => json({ mappings: await mappings.list() }));

  app.post('/api/mappings', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const saved = await mappings.save(body.value);
    return saved.match(({ mapping }) => json({ mapping }), errorResponse);
  });

  app.patch('/api/mappings/:teamKey', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    const updated = await mappings.patch(teamKeyOf(event), body.value);
    return updated.match((mapping) => json({ mapping }), errorResponse);
  });

  app.delete('/api/mappings/:teamKey', async (event) => {
    const deleted = await mappings.remove(teamKeyOf(event));
    return deleted ? json({ deleted: true }) : errorResponse({ kind: 'notDeleted' });
  });
}

function teamKeyOf(event: Parameters<typeof getRouterParam>[0]): string {
  return getRouterParam(event, 'teamKey') ?? '';
}
