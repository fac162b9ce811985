import { ok } from 'neverthrow';
import { z } from 'zod';
import type { IssueControlService } from '../../../core/app/issues/issue-control.service.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { AttemptDetail, AttemptRow, IssueDetail, TransitionOutcome, TransitionsRow } from '../schemas/issue-control.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface V1IssuesRoutesDeps {
  issueControl: IssueControlService;
}

const idParams = z.object({
  id: pathParam(
    'The issue identifier (e.g. ENG-123), qualified by its tracker where two trackers share it (linear:ENG-123, jira:ENG-123, local:ENG-123), or the issue id',
  ),
});
/** An identifier two trackers share, asked for without its tracker. */
const AMBIGUOUS: HttpError = {
  kind: 'conflict',
  message: 'ENG-1 names more than one issue: linear:ENG-1, jira:ENG-1; ask for one by its tracker, e.g. linear:ENG-1',
};
const TAG = 'Issue Management';
const UPSTREAM: HttpError = { kind: 'upstream', message: '(underlying error message)' };
const CONTROL_ERRORS: HttpError[] = [
  { kind: 'invalidBody' },
  { kind: 'invalid', message: '(validation message)' },
  { kind: 'issueNotFound' },
  { kind: 'conflict', message: '(conflict message, e.g. ENG-123 has no attempt in flight)' },
  UPSTREAM,
];
const done = z.looseObject({ ok: z.literal(true) });

/**
 * A JSON object whose fields the use case judges: it finds the issue first (404 before any 400),
 * so the schema here documents the body and the object goes on as read.
 */
const judged = <S extends z.ZodType>(schema: S) => ({ schema, read: 'object', judgedByUseCase: true }) as const;

const route = routesFor<V1IssuesRoutesDeps>();

/**
 * Issue management and attempts of the v1 API (v1-api-state-issues-config.txt "Issue
 * Management", "Attempts", and `GET /api/v1/transitions`). Under /api, so the admin guard has
 * checked the bearer token. Static paths (`/api/v1/state`, `/api/v1/attempts/:aid`, …) win over
 * `/api/v1/:id` in the router.
 */
export const v1IssuesRoutes = [
  route({
    method: 'get',
    path: '/api/v1/transitions',
    operationId: 'v1Transitions',
    tag: TAG,
    summary: 'Available state machine transitions per issue',
    responses: { 200: z.object({ issues: z.array(TransitionsRow) }) },
    handler: async (_input, { issueControl }) => ok(await issueControl.transitions()),
  }),
  route({
    method: 'get',
    path: '/api/v1/attempts/:aid',
    operationId: 'v1Attempt',
    tag: 'Attempts',
    summary: 'Detail for a specific attempt including its event timeline',
    params: z.object({ aid: pathParam('The attempt (job) id') }),
    responses: { 200: AttemptDetail },
    errors: [{ kind: 'attemptNotFound' }],
    handler: ({ params }, { issueControl }) => issueControl.attempt(params.aid),
  }),
  route({
    method: 'get',
    path: '/api/v1/:id',
    operationId: 'v1IssueDetail',
    tag: TAG,
    summary: 'Issue detail with recent events and attempts',
    params: idParams,
    responses: { 200: IssueDetail },
    errors: [{ kind: 'issueNotFound' }, AMBIGUOUS, UPSTREAM],
    handler: ({ params }, { issueControl }) => issueControl.detail(params.id),
  }),
  route({
    method: 'get',
    path: '/api/v1/:id/attempts',
    operationId: 'v1IssueAttempts',
    tag: 'Attempts',
    summary: 'List all attempts for an issue',
    params: idParams,
    responses: { 200: z.object({ identifier: z.string(), attempts: z.array(AttemptRow) }) },
    errors: [{ kind: 'issueNotFound' }, AMBIGUOUS, UPSTREAM],
    handler: ({ params }, { issueControl }) => issueControl.attempts(params.id),
  }),
  route({
    method: 'post',
    path: '/api/v1/:id/abort',
    operationId: 'v1Abort',
    tag: TAG,
    summary: 'Abort a running issue (the body is optional)',
    params: idParams,
    body: {
      // An abort needs no arguments; a reason may come along (trimmed, at most 1000 characters).
      schema: z
        .object({
          reason: z
            .string()
            .transform((reason) => reason.trim().slice(0, 1000) || undefined)
            .optional()
            .catch(undefined),
        })
        .catch({}),
      read: 'optional',
    },
    responses: { 200: done },
    errors: CONTROL_ERRORS,
    handler: ({ params, body }, { issueControl }) => issueControl.abort(params.id, body.reason),
  }),
  route({
    method: 'post',
    path: '/api/v1/:id/steer',
    operationId: 'v1Steer',
    tag: TAG,
    summary: 'Send mid-turn guidance to the running agent',
    params: idParams,
    body: judged(z.object({ message: z.string().min(1) })),
    responses: { 200: done },
    errors: CONTROL_ERRORS,
    handler: ({ params, body }, { issueControl }) => issueControl.steer(params.id, body.message),
  }),
  route({
    method: 'post',
    path: '/api/v1/:id/model',
    operationId: 'v1SetModel',
    tag: TAG,
    summary: 'Set the per-issue model override',
    params: idParams,
    body: judged(z.object({ model: z.string().min(1).describe('e.g. o4-mini') })),
    responses: { 200: done },
    errors: CONTROL_ERRORS,
    handler: ({ params, body }, { issueControl }) => issueControl.setModel(params.id, body.model),
  }),
  route({
    method: 'post',
    path: '/api/v1/:id/template',
    operationId: 'v1SetTemplate',
    tag: TAG,
    summary: 'Override the prompt template for this issue',
    params: idParams,
    body: judged(z.object({ template: z.string().min(1) })),
    responses: { 200: done },
    errors: CONTROL_ERRORS,
    handler: ({ params, body }, { issueControl }) => issueControl.setTemplate(params.id, body.template),
  }),
  route({
    method: 'delete',
    path: '/api/v1/:id/template',
    operationId: 'v1ClearTemplate',
    tag: TAG,
    summary: 'Clear the template override',
    params: idParams,
    responses: { 200: done },
    errors: CONTROL_ERRORS,
    handler: ({ params }, { issueControl }) => issueControl.setTemplate(params.id, null),
  }),
  route({
    method: 'post',
    path: '/api/v1/:id/transition',
    operationId: 'v1Transition',
    tag: TAG,
    summary: 'Transition the issue to a new workflow state',
    params: idParams,
    body: judged(
      z.object({ to: z.string().describe('Target state; see GET /api/v1/transitions'), reason: z.string().optional() }),
    ),
    responses: { 200: TransitionOutcome },
    errors: CONTROL_ERRORS,
    handler: ({ params, body }, { issueControl }) => issueControl.transition(params.id, body.to, body.reason),
  }),
];
