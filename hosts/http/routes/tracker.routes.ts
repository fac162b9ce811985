import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { TrackerService } from '../../../adapters/ticketing/local/tracker.service.js';
import { LOCAL_STATE_TYPES } from '../../../adapters/ticketing/local/tracker.service.js';
import type { HttpError } from '../errors.js';
import { type BodySpec, routesFor } from '../route.js';
import { TrackerIssue } from '../schemas/components.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface TrackerRoutesDeps {
  tracker: TrackerService;
}

const label = z.string().trim().min(1).max(100);
const fields = {
  title: z.string().trim().min(1).max(500),
  description: z.string().max(100_000),
  priority: z.number().int().min(0).max(4),
  labels: z.array(label).max(50),
  state: z.enum(LOCAL_STATE_TYPES as [string, ...string[]]),
  blockedBy: z.array(z.string().min(1)).max(50),
};
export const createSchema = z.object({
  teamKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/, 'teamKey must be letters, digits or underscores, starting with a letter'),
  ...fields,
  description: fields.description.optional(),
  priority: fields.priority.optional(),
  labels: fields.labels.optional(),
  state: fields.state.optional(),
  blockedBy: fields.blockedBy.optional(),
});
export const patchSchema = z.object(fields).partial();

/** A JSON object, and zod's first problem as `field: message`. */
const objectBody = <S extends z.ZodType>(schema: S) =>
  ({
    schema,
    read: 'object',
    invalid: (issue): HttpError => {
      const path = issue.path.join('.');
      return { kind: 'invalid', message: path ? `${path}: ${issue.message}` : issue.message };
    },
  }) satisfies BodySpec<S>;

/** `state` is the tracker's `stateType`. */
const withStateType = <T extends { state?: string | undefined }>({ state, ...rest }: T) =>
  ({ ...rest, ...(state ? { stateType: state } : {}) }) as never;

const refParams = z.object({ ref: pathParam('The issue identifier (e.g. ENG-12) or id') });
const issueAnswer = z.object({ issue: TrackerIssue });
const VALIDATION: HttpError[] = [{ kind: 'invalidBody' }, { kind: 'invalid', message: '{field}: {message}' }];
const NOT_FOUND: HttpError = { kind: 'issueNotFound' };
const TAG = 'Tracker';
const route = routesFor<TrackerRoutesDeps>();

/** The embedded tracker's issues: create, edit, label, comment (the local ticketing adapter's UI). */
export const trackerRoutes = [
  route({
    method: 'get',
    path: '/api/tracker/issues',
    operationId: 'trackerListIssues',
    tag: TAG,
    summary: 'List the embedded tracker’s issues',
    query: z.object({ teamKey: z.string().optional().catch(undefined).describe('Only this team’s issues') }),
    responses: { 200: z.object({ issues: z.array(TrackerIssue) }) },
    handler: async ({ query }, { tracker }) => ok({ issues: await tracker.list(query.teamKey) }),
  }),
  route({
    method: 'post',
    path: '/api/tracker/issues',
    operationId: 'trackerCreateIssue',
    tag: TAG,
    summary: 'Create an issue',
    body: objectBody(createSchema),
    responses: { 201: issueAnswer },
    errors: VALIDATION,
    handler: async ({ body }, { tracker }) => (await tracker.create(withStateType(body))).map((issue) => ({ issue })),
  }),
  route({
    method: 'get',
    path: '/api/tracker/issues/:ref',
    operationId: 'trackerGetIssue',
    tag: TAG,
    summary: 'One issue',
    params: refParams,
    responses: { 200: issueAnswer },
    errors: [NOT_FOUND],
    handler: async ({ params }, { tracker }) => (await tracker.get(params.ref)).map((issue) => ({ issue })),
  }),
  route({
    method: 'patch',
    path: '/api/tracker/issues/:ref',
    operationId: 'trackerUpdateIssue',
    tag: TAG,
    summary: 'Edit an issue',
    params: refParams,
    body: objectBody(patchSchema),
    responses: { 200: issueAnswer },
    errors: [...VALIDATION, NOT_FOUND],
    handler: async ({ params, body }, { tracker }) =>
      (await tracker.update(params.ref, withStateType(body))).map((issue) => ({ issue })),
  }),
  route({
    method: 'delete',
    path: '/api/tracker/issues/:ref',
    operationId: 'trackerDeleteIssue',
    tag: TAG,
    summary: 'Delete an issue',
    params: refParams,
    responses: { 200: z.object({ deleted: z.literal(true) }) },
    errors: [NOT_FOUND],
    handler: async ({ params }, { tracker }) =>
      (await tracker.remove(params.ref)) ? ok({ deleted: true as const }) : err(NOT_FOUND),
  }),
  route({
    method: 'post',
    path: '/api/tracker/issues/:ref/labels',
    operationId: 'trackerAddLabel',
    tag: TAG,
    summary: 'Add a label',
    params: refParams,
    body: objectBody(z.object({ label })),
    responses: { 200: issueAnswer },
    errors: [...VALIDATION, NOT_FOUND],
    handler: async ({ params, body }, { tracker }) =>
      (await tracker.addLabel(params.ref, body.label)).map((issue) => ({ issue })),
  }),
  route({
    method: 'delete',
    path: '/api/tracker/issues/:ref/labels/:label',
    operationId: 'trackerRemoveLabel',
    tag: TAG,
    summary: 'Remove a label',
    params: refParams.extend({ label: pathParam('The label name') }),
    responses: { 200: issueAnswer },
    errors: [...VALIDATION, NOT_FOUND],
    handler: async ({ params }, { tracker }) => (await tracker.removeLabel(params.ref, params.label)).map((issue) => ({ issue })),
  }),
  route({
    method: 'post',
    path: '/api/tracker/issues/:ref/comments',
    operationId: 'trackerComment',
    tag: TAG,
    summary: 'Comment on an issue',
    params: refParams,
    body: objectBody(z.object({ body: z.string().trim().min(1).max(65_536) })),
    responses: { 201: z.object({ comment: z.looseObject({ body: z.string() }) }) },
    errors: [...VALIDATION, NOT_FOUND],
    handler: async ({ params, body }, { tracker }) =>
      (await tracker.comment(params.ref, body.body)).map((comment) => ({ comment })),
  }),
];
