import { z } from 'zod';
import { stepReportMessage } from '../../../core/app/runs/run-callback-bodies.js';
import { SESSION_API_MESSAGES, type SessionApiService } from '../../../core/app/runs/session-api.service.js';
import type { ProgressEvent } from '../../../core/domain/comments.js';
import { routesFor } from '../route.js';
import { isoTime } from '../schemas/components.schema.js';
import { StepEntry } from '../schemas/issue-control.schema.js';
import { pathParam } from '../schemas/params.schema.js';
import { StatusBodySchema, stepSchema } from '../schemas/run-callbacks.schema.js';

export interface SessionApiRoutesDeps {
  sessionApi: SessionApiService;
}

const INVALID_JSON = { kind: 'invalidBody', message: 'Invalid JSON body' } as const;
const BAD_NONCE = { kind: 'forbidden', message: SESSION_API_MESSAGES.badNonce } as const;
const NONCE_AND_OWNER = 'nonce and owner are required';
const required = z.string({ error: NONCE_AND_OWNER }).min(1, { error: NONCE_AND_OWNER });
const okAnswer = z.object({ ok: z.literal(true) });

/**
 * The progress event of a status body. A missing field reads as "no details given" (or 0), so a
 * session's status never fails on a detail.
 */
function progressEvent(body: z.output<typeof StatusBodySchema>): ProgressEvent {
  const type = body.event;
  switch (type) {
    case 'pr_opened':
      return { type, prNumber: body.prNumber ?? 0, prUrl: body.prUrl ?? '' };
    case 'verification_failed':
      return { type, detail: body.detail ?? 'no details given' };
    case 'session_cleaned_up':
      return { type, durationMs: body.durationMs ?? 0 };
    case 'session_failed':
    case 'session_timed_out':
      return { type, reason: body.reason ?? 'no reason given' };
    default:
      return { type };
  }
}

const route = routesFor<SessionApiRoutesDeps>();

/**
 * What a session calls with its nonce (error tables of POST /api/token, /api/status,
 * /api/step-report), and the admin's view of a job's steps (GET /api/jobs/:jobId/steps).
 */
export const sessionApiRoutes = [
  route({
    method: 'post',
    path: '/api/token',
    operationId: 'sessionToken',
    tag: 'Session callbacks',
    summary: 'A session requests a short-lived GitHub token against its one-time nonce',
    description: 'Authenticated by the `nonce` in the body (see the `nonce` security scheme), not the admin token.',
    security: 'nonce',
    body: {
      schema: z.object({ nonce: required, owner: required }, { error: NONCE_AND_OWNER }),
      // The spec answers a body that does not parse with the generic failure, not a 400.
      notJson: { kind: 'requestFailed', message: SESSION_API_MESSAGES.tokenFailed },
    },
    responses: { 200: z.object({ token: z.string(), expiresAt: isoTime(), owner: z.string(), repo: z.string() }) },
    errors: [
      { kind: 'invalid', message: NONCE_AND_OWNER },
      BAD_NONCE,
      { kind: 'forbidden', message: SESSION_API_MESSAGES.ownerMismatch },
      { kind: 'requestFailed', message: SESSION_API_MESSAGES.tokenFailed },
    ],
    handler: ({ body }, { sessionApi }) => sessionApi.repoToken(body.nonce, body.owner),
  }),
  route({
    method: 'post',
    path: '/api/status',
    operationId: 'sessionStatus',
    tag: 'Session callbacks',
    summary: 'A session posts a lifecycle status event, which becomes a comment on the issue',
    description: 'Authenticated by the `nonce` in the body.',
    security: 'nonce',
    body: { schema: StatusBodySchema, notJson: INVALID_JSON },
    responses: { 200: okAnswer },
    errors: [
      { kind: 'invalid', message: 'event is required' },
      INVALID_JSON,
      { kind: 'invalid', message: 'nonce is required' },
      { kind: 'invalid', message: 'Unknown event type: {type}' },
      BAD_NONCE,
      { kind: 'internal' },
    ],
    handler: ({ body }, { sessionApi }) => sessionApi.status(body.nonce, progressEvent(body), body.logsUrl),
  }),
  route({
    method: 'post',
    path: '/api/step-report',
    operationId: 'sessionStepReport',
    tag: 'Session callbacks',
    summary: 'A runner reports the status of a single pipeline step',
    description: 'Authenticated by the `nonce` in the body.',
    security: 'nonce',
    body: {
      schema: z.object(
        { nonce: z.string({ error: 'nonce is required' }), step: stepSchema(stepReportMessage) },
        { error: 'nonce is required' },
      ),
      notJson: INVALID_JSON,
    },
    responses: { 200: okAnswer },
    errors: [
      { kind: 'invalid', message: 'nonce is required' },
      INVALID_JSON,
      { kind: 'invalid', message: stepReportMessage({ kind: 'required' }) },
      { kind: 'invalid', message: 'step.{field} is required and must be a string' },
      BAD_NONCE,
      { kind: 'internal' },
    ],
    handler: ({ body }, { sessionApi }) => sessionApi.stepReport(body.nonce, body.step),
  }),
  route({
    method: 'get',
    path: '/api/jobs/:jobId/steps',
    operationId: 'jobSteps',
    tag: 'Issues',
    summary: 'A job’s step history',
    params: z.object({ jobId: pathParam('The job id') }),
    responses: {
      200: z.object({
        jobId: z.string(),
        steps: z.array(StepEntry),
      }),
    },
    errors: [{ kind: 'jobNotFound' }],
    handler: ({ params }, { sessionApi }) => sessionApi.steps(params.jobId),
  }),
];
