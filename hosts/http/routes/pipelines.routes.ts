import { ok } from 'neverthrow';
import { z } from 'zod';
import type { PluginCatalog } from '../../../plugins/plugin-loader.js';
import { routesFor } from '../route.js';
import { isoTime } from '../schemas/components.schema.js';

export interface PipelinesRoutesDeps {
  pluginCatalog: PluginCatalog;
}

const status = z.enum(['built-in', 'override', 'additive']);
const path = z.string().nullable();
/** A pipeline definition with its steps (plugins/plugin-loader.ts `PipelineInfo`). */
const Pipeline = z.object({
  name: z.string(),
  phase: z.string(),
  status,
  builtInPath: path,
  customPath: path,
  steps: z.array(z.object({ id: z.string(), module: z.string(), settings: z.record(z.string(), z.unknown()).optional() })),
});
/** A step module (`StepModuleInfo`). */
const StepModule = z.object({ name: z.string(), builtInPath: path, customPath: path, status, needs: z.array(z.string()) });
/** A file under custom/ (`CustomizationFile`). */
const Customization = z.object({
  path: z.string(),
  category: z.string(),
  status: z.enum(['override', 'additive', '—']),
  upstreamPath: path,
  size: z.number().int(),
  modifiedAt: isoTime(),
});

const route = routesFor<PipelinesRoutesDeps>();

/**
 * Configure → Pipelines & steps (`GET /api/pipelines-steps`): every pipeline definition with
 * its steps and their module ids, and every step module with its built-in path, custom path
 * and status. Developer → Customizations (`GET /api/customizations`): every file under custom/
 * as it is now.
 */
export const pipelinesRoutes = [
  route({
    method: 'get',
    path: '/api/pipelines-steps',
    operationId: 'pipelinesSteps',
    tag: 'Pipelines',
    summary: 'Every pipeline with its steps, and every step module with its status',
    responses: { 200: z.object({ pipelines: z.array(Pipeline), steps: z.array(StepModule) }) },
    handler: (_input, { pluginCatalog }) =>
      ok({
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
  }),
  route({
    method: 'get',
    path: '/api/customizations',
    operationId: 'customizations',
    tag: 'Pipelines',
    summary: 'Every file under custom/ as it is now',
    responses: { 200: z.object({ customizations: z.array(Customization) }) },
    handler: async (_input, { pluginCatalog }) => ok({ customizations: await pluginCatalog.scanCustomizations() }),
  }),
];
