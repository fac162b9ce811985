import type { H3 } from 'h3';
import type { PluginCatalog } from '../../../plugins/plugin-loader.js';
import { json } from '../errors.js';

export interface PipelinesRoutesDeps {
  pluginCatalog: PluginCatalog;
}

/**
 * Configure → Pipelines & steps (`GET /api/pipelines-steps`): every pipeline definition with
 * its steps and their module ids, and every step module with its built-in path, custom path
 * and status (`built-in`, `override`, `additive`). Developer → Customizations
 * (`GET /api/customizations`): every file under custom/ as it is now.
 */
export function pipelinesRoutes(app: H3, { pluginCatalog }: PipelinesRoutesDeps): void {
  app.get('/api/pipelines-steps', () =>
    json({
      pipelines: pluginCatalog.pipelines.map((p) => ({
        name: p.name,
        phase: p.phase,
        status: p.status,
        builtInPath: p.builtInPath,
        customPath: p.customPath,
        steps: p.steps.map((s) => ({ id: s.id, module: s.module, ...(s.settings ? { settings: s.settings } : {}) })),
      })),
      steps: pluginCatalog.steps.map((s) => ({
        name: s.name,
        builtInPath: s.builtInPath,
        customPath: s.customPath,
        status: s.status,
        needs: s.needs,
      })),
    }),
  );
  app.get('/api/customizations', async () => json({ customizations: await pluginCatalog.scanCustomizations() }));
}
