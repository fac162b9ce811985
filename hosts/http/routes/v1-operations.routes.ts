import { ok } from 'neverthrow';
import { z } from 'zod';
import type { AuditService } from '../../../core/app/operations/audit.service.js';
import type { GitContextService } from '../../../core/app/operations/git-context.service.js';
import type { ModelsService } from '../../../core/app/operations/models.service.js';
import type { WorkspacesService } from '../../../core/app/operations/workspaces.service.js';
import { AUDIT_DEFAULT_LIMIT } from '../../../core/domain/audit.js';
import { routesFor } from '../route.js';
import { pathParam } from '../schemas/params.schema.js';
import { AuditPage, AuditQuery, GitContext, ModelsView, WorkspacesView } from '../schemas/v1-operations.schema.js';

export interface V1OperationsRoutesDeps {
  models: ModelsService;
  workspaces: WorkspacesService;
  gitContext: GitContextService;
  audit: AuditService;
}

const route = routesFor<V1OperationsRoutesDeps>();

/** Models, workspaces, git context and the audit trail (v1-api-state-issues-config.txt). */
export const v1OperationsRoutes = [
  route({
    method: 'get',
    path: '/api/v1/models',
    operationId: 'v1Models',
    tag: 'State & Metrics',
    summary: 'List available AI models from the configured providers',
    description:
      'Anthropic’s model list with the `ANTHROPIC_API_KEY` secret the sessions use, and Bedrock’s foundation models (ListFoundationModels: Anthropic’s active text models) for each region a mapping uses, with the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and optional `AWS_SESSION_TOKEN`) secrets; cached ten minutes per provider, region and key. `source: builtin` when no credentials are configured or the API failed (`note` says why, with the provider’s status and error code).',
    responses: { 200: ModelsView },
    handler: async (_input, { models }) => ok(await models.list()),
  }),
  route({
    method: 'get',
    path: '/api/v1/workspaces',
    operationId: 'v1Workspaces',
    tag: 'Workspaces & Git',
    summary: 'List workspaces with disk usage, owning issue, last use and whether a run holds each',
    responses: { 200: WorkspacesView },
    handler: async (_input, { workspaces }) => ok(await workspaces.list()),
  }),
  route({
    method: 'delete',
    path: '/api/v1/workspaces/:key',
    operationId: 'v1DeleteWorkspace',
    tag: 'Workspaces & Git',
    summary: 'Remove a workspace and free disk',
    params: z.object({ key: pathParam('The workspace key (its directory name)') }),
    responses: { 200: z.object({ deleted: z.literal(true), key: z.string(), freedBytes: z.number().int() }) },
    errors: [{ kind: 'workspaceNotFound' }, { kind: 'conflict', message: 'Workspace in use by {identifier} (job {jobId})' }],
    handler: ({ params }, { workspaces }) => workspaces.remove(params.key),
  }),
  route({
    method: 'get',
    path: '/api/v1/git/context',
    operationId: 'v1GitContext',
    tag: 'Workspaces & Git',
    summary: 'Git repo context: branches, remotes, routing rules',
    responses: { 200: GitContext },
    handler: async (_input, { gitContext }) => ok(await gitContext.context()),
  }),
  route({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'v1Audit',
    tag: 'Audit',
    summary: 'Query audit log entries (newest first, paged, with a total)',
    description:
      'Operator actions (configuration overlay, templates, workspaces, mappings, issue control) and dispatch decisions. The trail keeps the newest 5000 entries.',
    query: AuditQuery,
    responses: { 200: AuditPage },
    errors: [{ kind: 'invalid', message: '(the bad paging or filter parameter)' }],
    handler: async ({ query }, { audit }) => {
      const { limit = AUDIT_DEFAULT_LIMIT, offset = 0, ...filter } = query;
      const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      return ok(await audit.list(defined, { limit, offset }));
    },
  }),
];
