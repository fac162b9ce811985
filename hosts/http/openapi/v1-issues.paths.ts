import { bool, errors, jsonBody, jsonResponse, obj, type Paths, pathParam, str } from './openapi-builders.js';

/**
 * Issue Management and Attempts of v1-api-state-issues-config.txt (routes/v1-issues.routes.ts).
 * Messages in parentheses are composed by the issue-control service from the issue at hand.
 */

const id = pathParam('id', 'The issue identifier (e.g. ENG-123)');
const TAGS = ['Issue Management'];
const NOT_FOUND = { 404: ['Issue not found'] };
const CONTROL_ERRORS = {
  400: ['Invalid request body', '(validation message)'],
  404: ['Issue not found'],
  409: ['(conflict message, e.g. ENG-123 has no attempt in flight)'],
  502: ['(underlying error message)'],
};
const answer = jsonResponse({ type: 'object', properties: { ok: bool() } });

export const v1IssuesPaths: Paths = {
  '/api/v1/transitions': {
    get: {
      operationId: 'v1Transitions',
      tags: TAGS,
      summary: 'Available state machine transitions per issue',
      responses: { '200': jsonResponse({ type: 'object' }) },
    },
  },
  '/api/v1/attempts/{aid}': {
    get: {
      operationId: 'v1Attempt',
      tags: ['Attempts'],
      summary: 'Detail for a specific attempt including its event timeline',
      parameters: [pathParam('aid', 'The attempt (job) id')],
      responses: { '200': jsonResponse({ type: 'object' }), ...errors({ 404: ['Attempt not found'] }) },
    },
  },
  '/api/v1/{id}': {
    get: {
      operationId: 'v1IssueDetail',
      tags: TAGS,
      summary: 'Issue detail with recent events and attempts',
      parameters: [id],
      responses: { '200': jsonResponse({ type: 'object' }), ...errors({ ...NOT_FOUND, 502: ['(underlying error message)'] }) },
    },
  },
  '/api/v1/{id}/attempts': {
    get: {
      operationId: 'v1IssueAttempts',
      tags: ['Attempts'],
      summary: 'List all attempts for an issue',
      parameters: [id],
      responses: { '200': jsonResponse({ type: 'object' }), ...errors({ ...NOT_FOUND, 502: ['(underlying error message)'] }) },
    },
  },
  '/api/v1/{id}/abort': {
    post: {
      operationId: 'v1Abort',
      tags: TAGS,
      summary: 'Abort a running issue (the body is optional)',
      parameters: [id],
      requestBody: jsonBody(obj({ reason: str() }, []), undefined, false),
      responses: { '200': answer, ...errors(CONTROL_ERRORS) },
    },
  },
  '/api/v1/{id}/model': {
    post: {
      operationId: 'v1SetModel',
      tags: TAGS,
      summary: 'Set the per-issue model override',
      parameters: [id],
      requestBody: jsonBody(obj({ model: str('e.g. o4-mini') })),
      responses: { '200': answer, ...errors(CONTROL_ERRORS) },
    },
  },
  '/api/v1/{id}/steer': {
    post: {
      operationId: 'v1Steer',
      tags: TAGS,
      summary: 'Send mid-turn guidance to the running agent',
      parameters: [id],
      requestBody: jsonBody(obj({ message: str() })),
      responses: { '200': answer, ...errors(CONTROL_ERRORS) },
    },
  },
  '/api/v1/{id}/template': {
    post: {
      operationId: 'v1SetTemplate',
      tags: TAGS,
      summary: 'Override the prompt template for this issue',
      parameters: [id],
      requestBody: jsonBody(obj({ template: str() })),
      responses: { '200': answer, ...errors(CONTROL_ERRORS) },
    },
    delete: {
      operationId: 'v1ClearTemplate',
      tags: TAGS,
      summary: 'Clear the template override',
      parameters: [id],
      responses: { '200': answer, ...errors(CONTROL_ERRORS) },
    },
  },
  '/api/v1/{id}/transition': {
    post: {
      operationId: 'v1Transition',
      tags: TAGS,
      summary: 'Transition the issue to a new workflow state',
      parameters: [id],
      requestBody: jsonBody(obj({ to: str('Target state; see GET /api/v1/transitions'), reason: str() }, ['to'])),
      responses: { '200': jsonResponse({ type: 'object' }), ...errors(CONTROL_ERRORS) },
    },
  },
};
