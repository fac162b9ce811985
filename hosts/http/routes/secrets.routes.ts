import { z } from 'zod';
import { FLY_NOT_CONFIGURED } from '../../../core/app/operations/fly-sessions.js';
import type { SecretsService } from '../../../core/app/operations/secrets.service.js';
import { SECRET_MESSAGES } from '../../../core/domain/secrets.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { pathParam } from '../schemas/params.schema.js';
import { teamKeyParams } from './mappings.routes.js';

export interface SecretsRoutesDeps {
  secretsService: SecretsService;
}

const secretName = pathParam('The secret name (letters, digits and underscores)');
const names = z.object({ secrets: z.array(z.string()) }).describe('Secret names, never values');
const saved = z.object({ saved: z.literal(true), name: z.string() });
const deleted = z.object({ deleted: z.literal(true), name: z.string() });
/**
 * A name and a value. The use case judges it after the checks the spec puts first (Fly
 * configured, the team exists), so a body that is not JSON reaches it as nothing.
 */
const setBody = {
  schema: z.object({ name: z.string().min(1), value: z.string().min(1) }),
  notJson: 'undefined',
  judgedByUseCase: true,
} as const;

const invalid = (message: string): HttpError => ({ kind: 'invalid', message });
const FAILED: HttpError[] = [
  { kind: 'requestFailed', message: '(underlying error message)' },
  { kind: 'unavailable', message: FLY_NOT_CONFIGURED },
];
const SET_ERRORS: HttpError[] = [
  { kind: 'invalidBody' },
  invalid(SECRET_MESSAGES.required),
  invalid(SECRET_MESSAGES.nameFormat),
  invalid(SECRET_MESSAGES.nameLength),
];
const NAME_ERRORS = [
  invalid(SECRET_MESSAGES.nameFormat),
  invalid(SECRET_MESSAGES.nameLength),
  { kind: 'secretNotFound' },
] as const;
const route = routesFor<SecretsRoutesDeps>();

/**
 * Secrets: per-team and global Fly app secrets (admin "Secrets"), and the local encrypted store
 * (`/api/v1/secrets`). Names only ever go out; values only ever come in.
 */
export const secretsRoutes = [
  route({
    method: 'get',
    path: '/api/mappings/:teamKey/secrets',
    operationId: 'listTeamSecrets',
    tag: 'Secrets',
    summary: 'The team’s secret names',
    params: teamKeyParams,
    responses: { 200: names },
    errors: [{ kind: 'teamNotFound' }, ...FAILED],
    handler: async ({ params }, { secretsService }) =>
      (await secretsService.listTeam(params.teamKey)).map((secrets) => ({ secrets })),
  }),
  route({
    method: 'post',
    path: '/api/mappings/:teamKey/secrets',
    operationId: 'setTeamSecret',
    tag: 'Secrets',
    summary: 'Set a team secret',
    params: teamKeyParams,
    body: setBody,
    responses: { 200: saved },
    errors: [...SET_ERRORS, { kind: 'teamNotFound' }, ...FAILED],
    handler: async ({ params, body }, { secretsService }) =>
      (await secretsService.setTeam(params.teamKey, body)).map(({ name }) => ({ saved: true as const, name })),
  }),
  route({
    method: 'delete',
    path: '/api/mappings/:teamKey/secrets/:name',
    operationId: 'deleteTeamSecret',
    tag: 'Secrets',
    summary: 'Delete a team secret',
    params: teamKeyParams.extend({ name: secretName }),
    responses: { 200: deleted },
    errors: [...NAME_ERRORS, { kind: 'teamNotFound' }, ...FAILED],
    handler: async ({ params }, { secretsService }) =>
      (await secretsService.removeTeam(params.teamKey, params.name)).map(({ name }) => ({ deleted: true as const, name })),
  }),
  route({
    method: 'get',
    path: '/api/global-secrets',
    operationId: 'listGlobalSecrets',
    tag: 'Secrets',
    summary: 'The global secret names',
    responses: { 200: names },
    errors: FAILED,
    handler: async (_input, { secretsService }) => (await secretsService.listGlobal()).map((secrets) => ({ secrets })),
  }),
  route({
    method: 'post',
    path: '/api/global-secrets',
    operationId: 'setGlobalSecret',
    tag: 'Secrets',
    summary: 'Set a global secret',
    body: setBody,
    responses: { 200: saved },
    errors: [...SET_ERRORS, invalid('Secret name must not start with a team key prefix (...)'), ...FAILED],
    handler: async ({ body }, { secretsService }) =>
      (await secretsService.setGlobal(body)).map(({ name }) => ({ saved: true as const, name })),
  }),
  route({
    method: 'delete',
    path: '/api/global-secrets/:name',
    operationId: 'deleteGlobalSecret',
    tag: 'Secrets',
    summary: 'Delete a global secret',
    params: z.object({ name: secretName }),
    responses: { 200: deleted },
    errors: [...NAME_ERRORS, ...FAILED],
    handler: async ({ params }, { secretsService }) =>
      (await secretsService.removeGlobal(params.name)).map(({ name }) => ({ deleted: true as const, name })),
  }),
  route({
    method: 'get',
    path: '/api/v1/secrets',
    operationId: 'listLocalSecrets',
    tag: 'Secrets',
    summary: 'List configured secret keys (values are not exposed)',
    responses: { 200: z.object({ keys: z.array(z.string()) }) },
    errors: [FAILED[0] as HttpError],
    handler: async (_input, { secretsService }) => (await secretsService.listLocal()).map((keys) => ({ keys })),
  }),
  route({
    method: 'post',
    path: '/api/v1/secrets/:key',
    operationId: 'setLocalSecret',
    tag: 'Secrets',
    summary: 'Store a secret (encrypted at rest)',
    params: z.object({ key: secretName }),
    body: {
      schema: z.object({ value: z.string().min(1) }),
      judgedByUseCase: true,
    },
    responses: { 200: z.object({ saved: z.literal(true), key: z.string() }) },
    errors: [
      { kind: 'invalidBody' },
      invalid(SECRET_MESSAGES.nameFormat),
      invalid(SECRET_MESSAGES.nameLength),
      invalid('value is required'),
      FAILED[0] as HttpError,
    ],
    handler: async ({ params, body }, { secretsService }) =>
      (await secretsService.setLocal(params.key, body)).map(({ key }) => ({ saved: true as const, key })),
  }),
  route({
    method: 'delete',
    path: '/api/v1/secrets/:key',
    operationId: 'deleteLocalSecret',
    tag: 'Secrets',
    summary: 'Delete a secret',
    params: z.object({ key: secretName }),
    responses: { 200: z.object({ deleted: z.literal(true), key: z.string() }) },
    errors: [...NAME_ERRORS, FAILED[0] as HttpError],
    handler: async ({ params }, { secretsService }) =>
      (await secretsService.removeLocal(params.key)).map(({ key }) => ({ deleted: true as const, key })),
  }),
];
