import type { H3 } from 'h3';
import type { SettingsService } from '../../../core/app/operations/settings.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface SettingsRoutesDeps {
  settings: SettingsService;
}

/** Admin "Settings": `flySessionsApp` and `flySessionsRegion`, each with its env override. */
export function settingsRoutes(app: H3, { settings }: SettingsRoutesDeps): void {
  app.get('/api/settings', async () => json({ settings: await settings.get() }));

  app.post('/api/settings', async (event) => {
    const body = await readJson(event);
    if (body.isErr()) return errorResponse(body.error);
    return (await settings.update(body.value)).match((view) => json({ settings: view }), errorResponse);
  });
}
