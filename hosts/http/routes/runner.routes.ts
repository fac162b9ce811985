import type { H3, H3Event } from 'h3';
import { err, ok, type Result } from 'neverthrow';
import { parseResultBody, parseStep, progressStepCode } from '../../../core/app/runs/run-callback-bodies.js';
import type { RunCallbacksService } from '../../../core/app/runs/run-callbacks.service.js';
import {
  PLANNING_CONTEXT_AUDIENCE,
  PROGRESS_AUDIENCE,
  RESULT_AUDIENCE,
  RUNNER_TOKENS_NOT_CONFIGURED,
  type RunAudience,
  type RunTokensService,
  type TokenClaims,
} from '../../../core/app/runs/run-tokens.service.js';
import { readJsonObject } from '../body.js';
import { errorResponse, type HttpError, json } from '../errors.js';

export interface RunnerRoutesDeps {
  runTokens: Pick<RunTokensService, 'configured' | 'verify'>;
  runCallbacks: RunCallbacksService;
}

/**
 * The runner callbacks (ARCHITECTURE.md "Callback protocol"; error tables of POST
 * /runner/result, POST /runner/progress, GET /runner/planning-context). Each answers, in
 * order: 501 `runner_tokens_not_configured` while RUNNER_TOKEN_SECRET is unset, 401 for the
 * bearer token, 400 for the body, then the endpoint's own outcome.
 */
export function runnerRoutes(app: H3, { runTokens, runCallbacks }: RunnerRoutesDeps): void {
  const authorize = (event: H3Event, audience: RunAudience): Result<TokenClaims, HttpError> => {
    if (!runTokens.configured) return err({ kind: 'notConfigured', message: RUNNER_TOKENS_NOT_CONFIGURED });
    const claims = runTokens.verify(event.req.headers.get('authorization'), audience);
    return claims.isErr() ? err({ kind: 'runTokenRejected', code: claims.error }) : ok(claims.value);
  };

  /** The body as a JSON object; anything else is `invalid_body` (an oversized one stays 413). */
  const readBody = async (event: H3Event): Promise<Result<Record<string, unknown>, HttpError>> => {
    const body = await readJsonObject(event);
    if (body.isOk()) return ok(body.value);
    return err(body.error.kind === 'tooLarge' ? body.error : { kind: 'invalid', message: 'invalid_body' });
  };

  app.post('/runner/result', async (event) => {
    const claims = authorize(event, RESULT_AUDIENCE);
    if (claims.isErr()) return errorResponse(claims.error);
    const raw = await readBody(event);
    if (raw.isErr()) return errorResponse(raw.error);
    const body = parseResultBody(raw.value);
    if (body.isErr()) return errorResponse({ kind: 'invalid', message: body.error });
    return (await runCallbacks.result(claims.value, body.value)).match((answer) => json(answer), errorResponse);
  });

  app.post('/runner/progress', async (event) => {
    const claims = authorize(event, PROGRESS_AUDIENCE);
    if (claims.isErr()) return errorResponse(claims.error);
    const raw = await readBody(event);
    if (raw.isErr()) return errorResponse(raw.error);
    const step = parseStep(raw.value.step);
    if (step.isErr()) return errorResponse({ kind: 'invalid', message: progressStepCode(step.error) });
    return (await runCallbacks.progress(claims.value, step.value)).match((answer) => json(answer), errorResponse);
  });

  app.get('/runner/planning-context', async (event) => {
    const claims = authorize(event, PLANNING_CONTEXT_AUDIENCE);
    if (claims.isErr()) return errorResponse(claims.error);
    return (await runCallbacks.planningContext(claims.value)).match((context) => json(context), errorResponse);
  });
}
