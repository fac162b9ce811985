import { getRouterParam, type H3 } from 'h3';
import type { ConfigStatusService } from '../../../core/app/operations/config-status.service.js';
import type { TemplatesService } from '../../../core/app/operations/templates.service.js';
import { errorResponse, json } from '../errors.js';

export interface TemplatesRoutesDeps {
  templates: TemplatesService;
  configStatus: ConfigStatusService;
}

/** Workflow-template sync and the Overview's two status checks (templates, environment). */
export function templatesRoutes(app: H3, { templates, configStatus }: TemplatesRoutesDeps): void {
  app.post('/api/mappings/:teamKey/sync-workflows', async (event) => {
    const synced = await templates.sync(getRouterParam(event, 'teamKey') ?? '');
    return synced.match((result) => json({ synced: true, ...result }), errorResponse);
  });

  app.get('/api/admin/template-status', async () => json(await templates.status()));

  app.get('/api/admin/config-status', async () => json(await configStatus.status()));
}
