import { err } from 'neverthrow';
import { z } from 'zod';
import type { RunCallbacksService } from '../../../core/app/runs/run-callbacks.service.js';
import { PROGRESS_AUDIENCE } from '../../../core/app/runs/run-tokens.service.js';
import type { SessionEnvHandOff } from '../../../core/app/runs/session-env-handoff.service.js';
import { routesFor } from '../route.js';
import { REFUSED, type RunnerRoutesDeps, runToken } from './runner.routes.js';

export interface SessionEnvRoutesDeps {
  runTokens: RunnerRoutesDeps['runTokens'];
  runCallbacks: Pick<RunCallbacksService, 'liveRun'>;
  sessionEnvHandOff: SessionEnvHandOff;
}

const route = routesFor<SessionEnvRoutesDeps>();

/**
 * `GET /runner/session-env`: a Fly session takes the team's secrets and the mapping's
 * `extraEnv` here, once, with its progress token, instead of from its machine's config. 501
 * while RUNNER_TOKEN_SECRET is unset, 401 for the token, 404 `job_not_found` once the run is no
 * longer current or is over, 409 `already_consumed` for every call after the first.
 */
export const sessionEnvRoutes = [
  route({
    method: 'get',
    path: '/runner/session-env',
    operationId: 'runnerSessionEnv',
    tag: 'Runner callbacks',
    summary: 'A Fly session takes its team secrets and extraEnv, once per run (progress token)',
    description:
      'The values stay out of the Fly machine config, which Fly’s API shows to anyone who can read the app. A second call for the same run is refused with 409, whoever makes it.',
    security: 'runToken',
    admit: runToken(PROGRESS_AUDIENCE),
    responses: {
      200: z.record(z.string(), z.string()).describe('Variable names and values, as the session’s environment receives them'),
    },
    errors: [...REFUSED, { kind: 'runJobNotFound' }, { kind: 'alreadyConsumed' }],
    handler: async ({ admitted }, { runCallbacks, sessionEnvHandOff }) => {
      const live = await runCallbacks.liveRun(admitted);
      if (live.isErr()) return err(live.error);
      const env = await sessionEnvHandOff.take(live.value, admitted);
      if (env.isErr()) return err(env.error);
      // Never kept by a cache on the way.
      return new Response(JSON.stringify(env.value), {
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  }),
];
