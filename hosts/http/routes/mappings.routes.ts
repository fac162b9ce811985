import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { MappingsService } from '../../../core/app/operations/mappings.service.js';
import { MAPPING_MESSAGES, refusedEnvMessage, reservedEnvMessage } from '../../../core/domain/mappings.js';
import { TEMPLATE_MESSAGES } from '../../../core/domain/prompt-template.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { UNKNOWN_FIELD } from '../route-input.js';
import { MappingSchema } from '../schemas/components.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface MappingsRoutesDeps {
  mappings: MappingsService;
}

const { patchBoth, patchNeither, paused, maxInProgress, invalidBody: _, ...saveMessages } = MAPPING_MESSAGES;
const invalid = (message: string): HttpError => ({ kind: 'invalid', message });
const SAVE_ERRORS: HttpError[] = [
  { kind: 'invalidBody' },
  ...Object.values(saveMessages).map(invalid),
  invalid(maxInProgress),
  invalid('branchPrefix invalid: {detail}'),
  invalid(refusedEnvMessage('{name}')),
  invalid(reservedEnvMessage('{name}')),
  invalid('(ticketing validation message)'),
  invalid(`${UNKNOWN_FIELD}{name}`),
  invalid(TEMPLATE_MESSAGES.notFound),
];

export const teamKeyParams = z.object({
  teamKey: pathParam('The mapping’s team key (Linear team, Jira project or local team)'),
});
const answer = z.object({ mapping: MappingSchema });
const route = routesFor<MappingsRoutesDeps>();

/**
 * Project mappings: list, create-or-update, cap-or-pause, delete (admin-ui-and-api.txt). The
 * bodies are judged by the use case: a create needs what an update may keep from the stored
 * mapping, so no schema here can tell a missing field from a kept one.
 */
export const mappingsRoutes = [
  route({
    method: 'get',
    path: '/api/mappings',
    operationId: 'listMappings',
    tag: 'Projects',
    summary: 'List project mappings',
    responses: { 200: z.object({ mappings: z.array(MappingSchema) }) },
    handler: async (_input, { mappings }) => ok({ mappings: await mappings.list() }),
  }),
  route({
    method: 'post',
    path: '/api/mappings',
    operationId: 'saveMapping',
    tag: 'Projects',
    summary: 'Create or update a project mapping',
    body: {
      schema: MappingSchema,
      read: 'object',
      judgedByUseCase: true,
      rejectUnknownFields: true,
      description:
        'teamKey, owner and repo are required; the rest default (an update keeps what it does not name); any other field answers 400 `Unknown field: <name>`',
    },
    responses: { 200: answer },
    errors: SAVE_ERRORS,
    handler: async ({ body }, { mappings }) => (await mappings.save(body)).map(({ mapping }) => ({ mapping })),
  }),
  route({
    method: 'patch',
    path: '/api/mappings/:teamKey',
    operationId: 'patchMapping',
    tag: 'Projects',
    summary: 'Change a mapping’s concurrency cap or paused state (one of them), or else its prompt template',
    params: teamKeyParams,
    body: {
      schema: z.object({
        paused: z.boolean().optional(),
        maxInProgressAiIssues: z.number().int().min(1).optional(),
        promptTemplate: z.string().nullable().optional().describe('A template id; null or blank clears it'),
      }),
      read: 'object',
      judgedByUseCase: true,
      rejectUnknownFields: true,
    },
    responses: { 200: answer },
    errors: [
      { kind: 'invalidBody' },
      ...[
        maxInProgress,
        patchBoth,
        patchNeither,
        paused,
        `${UNKNOWN_FIELD}{name}`,
        TEMPLATE_MESSAGES.notFound,
        'promptTemplate must be a string',
      ].map(invalid),
      { kind: 'teamNotFound' },
    ],
    handler: async ({ params, body }, { mappings }) =>
      (await mappings.patch(params.teamKey, body)).map((mapping) => ({ mapping })),
  }),
  route({
    method: 'delete',
    path: '/api/mappings/:teamKey',
    operationId: 'deleteMapping',
    tag: 'Projects',
    summary: 'Remove a mapping',
    params: teamKeyParams,
    responses: { 200: z.object({ deleted: z.literal(true) }) },
    errors: [{ kind: 'notDeleted' }],
    handler: async ({ params }, { mappings }) =>
      (await mappings.remove(params.teamKey)) ? ok({ deleted: true as const }) : err({ kind: 'notDeleted' as const }),
  }),
];
