import { z } from 'zod';
import { createSchema as TrackerCreateBody, patchSchema as TrackerPatchBody } from '../routes/tracker.routes.js';
import {
  arrayOf,
  bool,
  errors,
  jsonBody,
  jsonResponse,
  obj,
  type Paths,
  pathParam,
  queryParam,
  ref,
  str,
} from './openapi-builders.js';

/** The embedded tracker's issues (the local ticketing adapter's UI): bodies from the routes' own zod schemas. */

const asJsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }) as Record<string, unknown>;

const issueRef = pathParam('ref', 'The issue identifier (e.g. ENG-12) or id');
const issue = obj({ issue: ref('TrackerIssue') });
const TAGS = ['Tracker'];
/** zod's first problem as `field: message`, or a service-level rule. */
const VALIDATION = ['Invalid request body', '{field}: {message}'];

export const trackerPaths: Paths = {
  '/api/tracker/issues': {
    get: {
      operationId: 'trackerListIssues',
      tags: TAGS,
      summary: 'List the embedded tracker’s issues',
      parameters: [queryParam('teamKey', 'Only this team’s issues')],
      responses: { '200': jsonResponse(obj({ issues: arrayOf(ref('TrackerIssue')) })) },
    },
    post: {
      operationId: 'trackerCreateIssue',
      tags: TAGS,
      summary: 'Create an issue',
      requestBody: jsonBody(asJsonSchema(TrackerCreateBody)),
      responses: { '201': jsonResponse(issue, 'Created'), ...errors({ 400: VALIDATION }) },
    },
  },
  '/api/tracker/issues/{ref}': {
    get: {
      operationId: 'trackerGetIssue',
      tags: TAGS,
      summary: 'One issue',
      parameters: [issueRef],
      responses: { '200': jsonResponse(issue), ...errors({ 404: ['Issue not found'] }) },
    },
    patch: {
      operationId: 'trackerUpdateIssue',
      tags: TAGS,
      summary: 'Edit an issue',
      parameters: [issueRef],
      requestBody: jsonBody(asJsonSchema(TrackerPatchBody)),
      responses: { '200': jsonResponse(issue), ...errors({ 400: VALIDATION, 404: ['Issue not found'] }) },
    },
    delete: {
      operationId: 'trackerDeleteIssue',
      tags: TAGS,
      summary: 'Delete an issue',
      parameters: [issueRef],
      responses: { '200': jsonResponse(obj({ deleted: bool() })), ...errors({ 404: ['Issue not found'] }) },
    },
  },
  '/api/tracker/issues/{ref}/labels': {
    post: {
      operationId: 'trackerAddLabel',
      tags: TAGS,
      summary: 'Add a label',
      parameters: [issueRef],
      requestBody: jsonBody(obj({ label: { type: 'string', minLength: 1, maxLength: 100 } })),
      responses: { '200': jsonResponse(issue), ...errors({ 400: VALIDATION, 404: ['Issue not found'] }) },
    },
  },
  '/api/tracker/issues/{ref}/labels/{label}': {
    delete: {
      operationId: 'trackerRemoveLabel',
      tags: TAGS,
      summary: 'Remove a label',
      parameters: [issueRef, pathParam('label', 'The label name')],
      responses: { '200': jsonResponse(issue), ...errors({ 400: VALIDATION, 404: ['Issue not found'] }) },
    },
  },
  '/api/tracker/issues/{ref}/comments': {
    post: {
      operationId: 'trackerComment',
      tags: TAGS,
      summary: 'Comment on an issue',
      parameters: [issueRef],
      requestBody: jsonBody(obj({ body: { type: 'string', minLength: 1, maxLength: 65536 } })),
      responses: {
        '201': jsonResponse(obj({ comment: { type: 'object', properties: { body: str() } } }), 'Created'),
        ...errors({ 400: VALIDATION, 404: ['Issue not found'] }),
      },
    },
  },
};
