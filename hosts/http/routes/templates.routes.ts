import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ConfigStatusService } from '../../../core/app/operations/config-status.service.js';
import type { TemplatesService } from '../../../core/app/operations/templates.service.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';
import { teamKeyParams } from './mappings.routes.js';

export interface TemplatesRoutesDeps {
  templates: TemplatesService;
  configStatus: ConfigStatusService;
}

const route = routesFor<TemplatesRoutesDeps>();

/** Workflow-template sync and the Overview's two status checks (templates, environment). */
export const templatesRoutes = [
  route({
    method: 'post',
    path: '/api/mappings/:teamKey/sync-workflows',
    operationId: 'syncWorkflows',
    tag: 'Projects',
    summary: 'Re-sync workflow templates into the mapping’s repository',
    params: teamKeyParams,
    responses: { 200: z.looseObject({ synced: z.literal(true) }) },
    errors: [{ kind: 'teamNotFound' }, { kind: 'requestFailed', message: '(underlying error message)' }],
    handler: async ({ params }, { templates }) =>
      (await templates.sync(params.teamKey)).map((result) => ({ synced: true as const, ...result })),
  }),
  route({
    method: 'get',
    path: '/api/admin/template-status',
    operationId: 'templateStatus',
    tag: 'Overview',
    summary: 'Whether each mapped repository’s workflow templates are current',
    responses: { 200: someObject() },
    handler: async (_input, { templates }) => ok(await templates.status()),
  }),
  route({
    method: 'get',
    path: '/api/admin/config-status',
    operationId: 'configStatus',
    tag: 'Overview',
    summary: 'Which connections are configured (ticketing, runner callback, gap-fill, webhook, GitHub)',
    responses: {
      200: z.object({
        ok: z.boolean(),
        checks: z.array(
          z.object({
            key: z.string(),
            name: z.string(),
            ok: z.boolean(),
            detail: z.string().describe('What is set or missing; never a value'),
          }),
        ),
        ticketing: z.record(z.string(), z.object({ configured: z.boolean(), mappings: z.number().int() })),
      }),
    },
    handler: async (_input, { configStatus }) => ok(await configStatus.status()),
  }),
];
