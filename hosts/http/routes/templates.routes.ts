import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ConfigStatusService } from '../../../core/app/operations/config-status.service.js';
import type { TemplatesService } from '../../../core/app/operations/templates.service.js';
import { routesFor } from '../route.js';
import { ConnectionStatusSchema } from '../schemas/components.schema.js';
import { teamKeyParams } from './mappings.routes.js';

export interface TemplatesRoutesDeps {
  templates: TemplatesService;
  configStatus: ConfigStatusService;
}

/** One template file of a repository (core/domain/templates.ts `TemplateStatusEntry`). */
const TemplateFile = z.object({
  path: z.string(),
  status: z.string(),
  expectedVersion: z.string().nullable(),
  actualVersion: z.string().nullable().optional().describe('Absent when the file is missing'),
});
/** `TemplateStatusReport` of core/app/operations/templates.service.ts. */
const TemplateStatusReport = z.object({
  templateVersion: z.string(),
  stale: z.number().int().describe('Mappings whose repository needs a sync'),
  unknown: z.number().int().describe('Mappings whose repository could not be read'),
  repositories: z.array(
    z.object({
      teamKey: z.string(),
      owner: z.string(),
      repo: z.string(),
      repository: z.string(),
      branch: z.string(),
      status: z.string().describe('current, stale or missing for the repository as a whole; unknown when unreadable'),
      files: z.array(TemplateFile),
      error: z.string().optional(),
    }),
  ),
});

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
    summary:
      'Whether the workflow templates of each GitHub-forge repository are current (local-forge mappings run none and are not listed)',
    responses: { 200: TemplateStatusReport },
    handler: async (_input, { templates }) => ok(await templates.status()),
  }),
  route({
    method: 'get',
    path: '/api/admin/config-status',
    operationId: 'configStatus',
    tag: 'Overview',
    summary:
      'Which connections are configured (ticketing, runner callback, gap-fill, webhook, GitHub) and whether the agent is sandboxed',
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
        connections: z.array(ConnectionStatusSchema),
      }),
    },
    handler: async (_input, { configStatus }) => ok(await configStatus.status()),
  }),
];
