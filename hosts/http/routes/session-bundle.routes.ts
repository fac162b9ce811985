import { err } from 'neverthrow';
import type { RunCallbacksService } from '../../../core/app/runs/run-callbacks.service.js';
import { PROGRESS_AUDIENCE } from '../../../core/app/runs/run-tokens.service.js';
import { SESSION_BUNDLE_NOT_BUILT, type SessionBundleSource } from '../../session-bundle/session-bundle-source.js';
import { routesFor } from '../route.js';
import { REFUSED, type RunnerRoutesDeps, runToken } from './runner.routes.js';

export interface SessionBundleRoutesDeps {
  runTokens: RunnerRoutesDeps['runTokens'];
  runCallbacks: Pick<RunCallbacksService, 'liveRun'>;
  sessionBundle: SessionBundleSource;
}

/** The bundle's SHA-256 (hex) on the download; the workflow templates pin their own copy and trust only that. */
export const SESSION_BUNDLE_SHA256_HEADER = 'x-session-bundle-sha256';

const route = routesFor<SessionBundleRoutesDeps>();

/**
 * `GET /runner/session-bundle`: the session runtime a GitHub Actions job runs, for the run's
 * progress token (checked as for `POST /runner/progress`) while its run is current and not
 * over. 501 while RUNNER_TOKEN_SECRET is unset, 401 for the token, 404 `job_not_found`, 503
 * when this orchestrator has no bundle.
 */
export const sessionBundleRoutes = [
  route({
    method: 'get',
    path: '/runner/session-bundle',
    operationId: 'runnerSessionBundle',
    tag: 'Runner callbacks',
    summary: 'A runner downloads the session runtime (one ES module for plain node), with its SHA-256',
    description: `The workflow templates hold the SHA-256 written at sync time and refuse a bundle with any other; the \`${SESSION_BUNDLE_SHA256_HEADER}\` header says this one's.`,
    security: 'runToken',
    admit: runToken(PROGRESS_AUDIENCE),
    responses: { 200: { contentType: 'text/javascript', description: 'dist/session/session.mjs' } },
    errors: [...REFUSED, { kind: 'runJobNotFound' }, { kind: 'unavailable', message: SESSION_BUNDLE_NOT_BUILT }],
    handler: async ({ admitted }, { runCallbacks, sessionBundle }) => {
      const live = await runCallbacks.liveRun(admitted);
      if (live.isErr()) return err(live.error);
      const bundle = sessionBundle.current();
      if (!bundle) return err({ kind: 'unavailable', message: SESSION_BUNDLE_NOT_BUILT });
      return new Response(new Uint8Array(bundle.bytes), {
        headers: {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'no-store',
          [SESSION_BUNDLE_SHA256_HEADER]: bundle.sha256,
        },
      });
    },
  }),
];
