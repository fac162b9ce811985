import { ok } from 'neverthrow';
import { z } from 'zod';
import type { PromptTemplatesService } from '../../../core/app/operations/prompt-templates.service.js';
import { TEMPLATE_MESSAGES } from '../../../core/domain/prompt-template.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { pathParam } from '../schemas/params.schema.js';
import { PromptTemplate, TemplateBody, TemplateList, TemplatePreview } from '../schemas/v1-operations.schema.js';

export interface V1TemplatesRoutesDeps {
  promptTemplates: PromptTemplatesService;
}

const TAG = 'Templates';
const idParams = z.object({ id: pathParam('The template id') });
const judged = { schema: TemplateBody, read: 'object', judgedByUseCase: true } as const;
const invalid = (message: string): HttpError => ({ kind: 'invalid', message });
const INVALID: HttpError[] = [
  { kind: 'invalidBody' },
  invalid(TEMPLATE_MESSAGES.nameRequired),
  invalid(TEMPLATE_MESSAGES.bodyRequired),
  invalid(TEMPLATE_MESSAGES.descriptionType),
  invalid(TEMPLATE_MESSAGES.syntax('(the engine’s message)')),
];
const READ_ONLY: HttpError = { kind: 'conflict', message: TEMPLATE_MESSAGES.readOnly };
const route = routesFor<V1TemplatesRoutesDeps>();

/** Prompt templates (v1-api-state-issues-config.txt "Templates"): Liquid, strict, no file access. */
export const v1TemplatesRoutes = [
  route({
    method: 'get',
    path: '/api/v1/templates',
    operationId: 'v1Templates',
    tag: TAG,
    summary: 'List all prompt templates (the built-in ones first) and the variables they may use',
    responses: { 200: TemplateList },
    handler: async (_input, { promptTemplates }) => ok(await promptTemplates.list()),
  }),
  route({
    method: 'get',
    path: '/api/v1/templates/:id',
    operationId: 'v1Template',
    tag: TAG,
    summary: 'Get a specific template',
    params: idParams,
    responses: { 200: PromptTemplate },
    errors: [{ kind: 'templateNotFound' }],
    handler: ({ params }, { promptTemplates }) => promptTemplates.get(params.id),
  }),
  route({
    method: 'post',
    path: '/api/v1/templates',
    operationId: 'v1CreateTemplate',
    tag: TAG,
    summary: 'Create a new template',
    body: judged,
    responses: { 201: PromptTemplate },
    errors: [...INVALID, invalid(TEMPLATE_MESSAGES.idFormat), { kind: 'conflict', message: TEMPLATE_MESSAGES.exists('{id}') }],
    handler: ({ body }, { promptTemplates }) => promptTemplates.create(body),
  }),
  route({
    method: 'put',
    path: '/api/v1/templates/:id',
    operationId: 'v1UpdateTemplate',
    tag: TAG,
    summary: 'Update an existing template (the fields given)',
    params: idParams,
    body: judged,
    responses: { 200: PromptTemplate },
    errors: [...INVALID, { kind: 'templateNotFound' }, READ_ONLY],
    handler: ({ params, body }, { promptTemplates }) => promptTemplates.update(params.id, body),
  }),
  route({
    method: 'delete',
    path: '/api/v1/templates/:id',
    operationId: 'v1DeleteTemplate',
    tag: TAG,
    summary: 'Delete a template',
    params: idParams,
    responses: { 200: z.object({ deleted: z.literal(true), id: z.string() }) },
    errors: [{ kind: 'templateNotFound' }, READ_ONLY],
    handler: ({ params }, { promptTemplates }) => promptTemplates.remove(params.id),
  }),
  route({
    method: 'post',
    path: '/api/v1/templates/:id/preview',
    operationId: 'v1PreviewTemplate',
    tag: TAG,
    summary: 'Preview rendered output with sample variables',
    description:
      'Renders with the sample values, overridden by `variables` when given. A render that fails (an unknown variable) answers 200 with `rendered: null`, the engine’s `error`, and the variables it could not resolve.',
    params: idParams,
    body: {
      schema: z
        .object({ variables: z.record(z.string(), z.unknown()).optional() })
        .optional()
        .describe('Optional: variables over the samples'),
      read: 'optional',
      invalid: (): HttpError => ({ kind: 'invalid', message: 'variables must be a JSON object' }),
    },
    responses: { 200: TemplatePreview },
    errors: [
      { kind: 'templateNotFound' },
      { kind: 'invalidBody' },
      { kind: 'invalid', message: 'variables must be a JSON object' },
    ],
    handler: ({ params, body }, { promptTemplates }) => promptTemplates.preview(params.id, body?.variables),
  }),
];
