import { FLY_NOT_CONFIGURED } from '../../../core/app/operations/fly-sessions.js';
import { arrayOf, bool, errors, jsonBody, jsonResponse, obj, type Paths, pathParam, str } from './openapi-builders.js';

/** Per-team and global Fly app secrets (admin "Secrets") and the local encrypted store (`/api/v1/secrets`). Names go out, values only come in. */

const teamKey = pathParam('teamKey', 'The mapping’s team key');
const name = pathParam('name', 'The secret name (letters, digits and underscores)');
const names = jsonResponse(obj({ secrets: arrayOf(str()) }), 'Secret names, never values');
const setBody = jsonBody(obj({ name: str(), value: { type: 'string', minLength: 1 } }));
const saved = jsonResponse(obj({ saved: bool(), name: str() }));
const deleted = jsonResponse(obj({ deleted: bool(), name: str() }));
const FAILED = ['(underlying error message)'];
const SET_ERRORS = [
  'Invalid request body',
  'name and value are required',
  'name must contain only letters, digits, and underscores',
];

export const secretsPaths: Paths = {
  '/api/mappings/{teamKey}/secrets': {
    get: {
      operationId: 'listTeamSecrets',
      tags: ['Secrets'],
      summary: 'The team’s secret names',
      parameters: [teamKey],
      responses: { '200': names, ...errors({ 404: ['Team not found'], 500: FAILED, 503: [FLY_NOT_CONFIGURED] }) },
    },
    post: {
      operationId: 'setTeamSecret',
      tags: ['Secrets'],
      summary: 'Set a team secret',
      parameters: [teamKey],
      requestBody: setBody,
      responses: {
        '200': saved,
        ...errors({ 400: SET_ERRORS, 404: ['Team not found'], 500: FAILED, 503: [FLY_NOT_CONFIGURED] }),
      },
    },
  },
  '/api/mappings/{teamKey}/secrets/{name}': {
    delete: {
      operationId: 'deleteTeamSecret',
      tags: ['Secrets'],
      summary: 'Delete a team secret',
      parameters: [teamKey, name],
      responses: {
        '200': deleted,
        ...errors({
          400: ['name must contain only letters, digits, and underscores'],
          404: ['Secret not found', 'Team not found'],
          500: FAILED,
          503: [FLY_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/api/global-secrets': {
    get: {
      operationId: 'listGlobalSecrets',
      tags: ['Secrets'],
      summary: 'The global secret names',
      responses: { '200': names, ...errors({ 500: FAILED, 503: [FLY_NOT_CONFIGURED] }) },
    },
    post: {
      operationId: 'setGlobalSecret',
      tags: ['Secrets'],
      summary: 'Set a global secret',
      requestBody: setBody,
      responses: {
        '200': saved,
        ...errors({
          400: [...SET_ERRORS, 'Secret name must not start with a team key prefix (...)'],
          500: FAILED,
          503: [FLY_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/api/global-secrets/{name}': {
    delete: {
      operationId: 'deleteGlobalSecret',
      tags: ['Secrets'],
      summary: 'Delete a global secret',
      parameters: [name],
      responses: {
        '200': deleted,
        ...errors({
          400: ['name must contain only letters, digits, and underscores'],
          404: ['Secret not found'],
          500: FAILED,
          503: [FLY_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/api/v1/secrets': {
    get: {
      operationId: 'listLocalSecrets',
      tags: ['Secrets'],
      summary: 'List configured secret keys (values are not exposed)',
      responses: { '200': jsonResponse(obj({ keys: arrayOf(str()) })), ...errors({ 500: FAILED }) },
    },
  },
  '/api/v1/secrets/{key}': {
    post: {
      operationId: 'setLocalSecret',
      tags: ['Secrets'],
      summary: 'Store a secret (encrypted at rest)',
      parameters: [pathParam('key', 'The secret name (letters, digits and underscores)')],
      requestBody: jsonBody(obj({ value: { type: 'string', minLength: 1 } })),
      responses: {
        '200': jsonResponse(obj({ saved: bool(), key: str() })),
        ...errors({
          400: ['Invalid request body', 'name must contain only letters, digits, and underscores', 'value is required'],
          500: FAILED,
        }),
      },
    },
    delete: {
      operationId: 'deleteLocalSecret',
      tags: ['Secrets'],
      summary: 'Delete a secret',
      parameters: [pathParam('key', 'The secret name')],
      responses: {
        '200': jsonResponse(obj({ deleted: bool(), key: str() })),
        ...errors({
          400: ['name must contain only letters, digits, and underscores'],
          404: ['Secret not found'],
          500: FAILED,
        }),
      },
    },
  },
};
