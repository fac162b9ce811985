import type { H3Event } from 'h3';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { progressStepCode } from '../../../core/app/runs/run-callback-bodies.js';
import type { RunCallbacksService } from '../../../core/app/runs/run-callbacks.service.js';
import {
  PLANNING_CONTEXT_AUDIENCE,
  PROGRESS_AUDIENCE,
  RESULT_AUDIENCE,
  RUNNER_TOKENS_NOT_CONFIGURED,
  type RunAudience,
  type RunTokensService,
  TOKEN_ERROR_CODES,
  type TokenClaims,
} from '../../../core/app/runs/run-tokens.service.js';
import type { HttpError } from '../errors.js';
import { type BodySpec, routesFor } from '../route.js';
import { millis } from '../schemas/components.schema.js';
import { progressBodySchema, ResultBodySchema } from '../schemas/run-callbacks.schema.js';

export interface RunnerRoutesDeps {
  runTokens: Pick<RunTokensService, 'configured' | 'verify'>;
  runCallbacks: RunCallbacksService;
}

/** 501 while RUNNER_TOKEN_SECRET is unset, then the bearer run token of `audience` (401 with its code). */
export const runToken =
  (audience: RunAudience) =>
  (event: H3Event, { runTokens }: Pick<RunnerRoutesDeps, 'runTokens'>): Result<TokenClaims, HttpError> => {
    if (!runTokens.configured) return err({ kind: 'notConfigured', message: RUNNER_TOKENS_NOT_CONFIGURED });
    const claims = runTokens.verify(event.req.headers.get('authorization'), audience);
    return claims.isErr() ? err({ kind: 'runTokenRejected', code: claims.error }) : ok(claims.value);
  };

/** A body that is not a JSON object is `invalid_body` (an oversized one stays 413). */
const objectBody = <S extends z.ZodType>(schema: S) =>
  ({ schema, read: 'object', notJson: { kind: 'invalid', message: 'invalid_body' } }) satisfies BodySpec<S>;

/** The refusals of `runToken`, for the error tables. */
export const REFUSED: HttpError[] = [
  ...TOKEN_ERROR_CODES.map((code): HttpError => ({ kind: 'runTokenRejected', code })),
  { kind: 'notConfigured', message: RUNNER_TOKENS_NOT_CONFIGURED },
];
const invalid = (...codes: string[]) => codes.map((message): HttpError => ({ kind: 'invalid', message }));
const route = routesFor<RunnerRoutesDeps>();

/**
 * The runner callbacks (ARCHITECTURE.md "Callback protocol"; error tables of POST
 * /runner/result, POST /runner/progress, GET /runner/planning-context). Each answers, in
 * order: 501 `runner_tokens_not_configured` while RUNNER_TOKEN_SECRET is unset, 401 for the
 * bearer token, 400 for the body, then the endpoint's own outcome.
 */
export const runnerRoutes = [
  route({
    method: 'post',
    path: '/runner/result',
    operationId: 'runnerResult',
    tag: 'Runner callbacks',
    summary: 'A runner reports the final outcome of a dispatch (single-use run token)',
    security: 'runToken',
    admit: runToken(RESULT_AUDIENCE),
    body: objectBody(ResultBodySchema),
    responses: { 200: z.object({ ok: z.literal(true), jobId: z.string(), status: z.string() }).describe('The recorded outcome') },
    errors: [
      ...invalid(
        'invalid_body',
        'invalid_comment_shape',
        'invalid_comments',
        'invalid_outcome',
        'invalid_phase',
        'missing_prUrl',
        'phase_mismatch',
      ),
      ...REFUSED,
      { kind: 'runJobNotFound' },
      { kind: 'alreadyConsumed' },
    ],
    handler: ({ admitted, body }, { runCallbacks }) => runCallbacks.result(admitted, body),
  }),
  route({
    method: 'post',
    path: '/runner/progress',
    operationId: 'runnerProgress',
    tag: 'Runner callbacks',
    summary: 'A runner streams step-by-step progress during a run',
    security: 'runToken',
    admit: runToken(PROGRESS_AUDIENCE),
    body: objectBody(progressBodySchema(progressStepCode)),
    responses: {
      200: z
        .object({
          ok: z.literal(true),
          instructions: z.array(
            z.discriminatedUnion('type', [
              z.object({ type: z.literal('message'), id: z.string(), message: z.string(), at: millis() }),
              z.object({ type: z.literal('abort'), reason: z.string().optional(), at: millis() }),
            ]),
          ),
        })
        .describe('The session’s instructions (steering messages, an abort)'),
    },
    errors: [
      ...invalid(
        'invalid_body',
        'invalid_step_id',
        'invalid_step_started_at',
        'invalid_step_status',
        'invalid_step_type',
        'step_required',
      ),
      ...REFUSED,
      { kind: 'runJobNotFound' },
    ],
    handler: ({ admitted, body }, { runCallbacks }) => runCallbacks.progress(admitted, body.step, body.usage),
  }),
  route({
    method: 'get',
    path: '/runner/planning-context',
    operationId: 'runnerPlanningContext',
    tag: 'Runner callbacks',
    summary: 'A runner fetches the planning context for its run',
    security: 'runToken',
    admit: runToken(PLANNING_CONTEXT_AUDIENCE),
    responses: {
      200: z.object({
        jobId: z.string(),
        phase: z.string(),
        issue: z.object({ id: z.string(), identifier: z.string(), title: z.string(), description: z.string(), url: z.string() }),
        plan: z.string().nullable().describe('The plan of the issue’s latest successful planning run; null before there is one'),
      }),
    },
    errors: [...REFUSED, { kind: 'runJobNotFound' }],
    handler: ({ admitted }, { runCallbacks }) => runCallbacks.planningContext(admitted),
  }),
];
