import { err } from 'neverthrow';
import { z } from 'zod';
import type { RunCallbacksService } from '../../../core/app/runs/run-callbacks.service.js';
import { PROGRESS_AUDIENCE } from '../../../core/app/runs/run-tokens.service.js';
import type { SessionEnvHandOff } from '../../../core/app/runs/session-env-handoff.service.js';
import { SESSION_ENV_FETCH_ID_HEADER } from '../../session/session-env-fetch.js';
import { routesFor } from '../route.js';
import { REFUSED, type RunnerRoutesDeps, runToken } from './runner.routes.js';

export interface SessionEnvRoutesDeps {
  runTokens: RunnerRoutesDeps['runTokens'];
  runCallbacks: Pick<RunCallbacksService, 'liveRun'>;
  sessionEnvHandOff: SessionEnvHandOff;
}

const route = routesFor<SessionEnvRoutesDeps>();

/** The `error` of a request without a well-formed fetch id (400). */
export const INVALID_FETCH_ID = 'invalid_fetch_id';
const FETCH_ID = SESSION_ENV_FETCH_ID_HEADER.toLowerCase() as Lowercase<typeof SESSION_ENV_FETCH_ID_HEADER>;

/**
 * `GET /runner/session-env`: a Fly session takes the team's secrets and the mapping's
 * `extraEnv` here, once, with its progress token, instead of from its machine's config. 501
 * while RUNNER_TOKEN_SECRET is unset, 401 for the token, 400 `invalid_fetch_id` without a
 * well-formed fetch id (the random id the session draws once and sends on every attempt), 404
 * `job_not_found` once the run is no longer current or is over, 409 `already_consumed` for every
 * call after the first but a few repeats of the first call's fetch id (a lost answer).
 */
export const sessionEnvRoutes = [
  route({
    method: 'get',
    path: '/runner/session-env',
    operationId: 'runnerSessionEnv',
    tag: 'Runner callbacks',
    summary: 'A Fly session takes its team secrets and extraEnv, once per run (progress token)',
    description:
      'The values stay out of the Fly machine config, which Fly’s API shows to anyone who can read the app. A second call for the same run is refused with 409, whoever makes it, unless it carries the first call’s fetch id: then it gets the same values again (an answer lost on the way), at most 5 answers in all.',
    security: 'runToken',
    admit: runToken(PROGRESS_AUDIENCE),
    headers: z.object({
      [FETCH_ID]: z
        .string({ error: INVALID_FETCH_ID })
        .regex(/^[A-Za-z0-9_-]{22,128}$/, { error: INVALID_FETCH_ID })
        .describe(
          'A random id (at least 128 bits, base64url: 22 to 128 characters) the session draws once and sends on every attempt; only the first call’s id may ask again.',
        ),
    }),
    responses: {
      200: z.record(z.string(), z.string()).describe('Variable names and values, as the session’s environment receives them'),
    },
    errors: [...REFUSED, { kind: 'invalid', message: INVALID_FETCH_ID }, { kind: 'runJobNotFound' }, { kind: 'alreadyConsumed' }],
    handler: async ({ admitted, headers }, { runCallbacks, sessionEnvHandOff }) => {
      const live = await runCallbacks.liveRun(admitted);
      if (live.isErr()) return err(live.error);
      const env = await sessionEnvHandOff.take(live.value, admitted, headers[FETCH_ID]);
      if (env.isErr()) return err(env.error);
      // Never kept by a cache on the way.
      return new Response(JSON.stringify(env.value), {
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  }),
];
