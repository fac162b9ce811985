import { errAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Runner } from '../../../ports/runner.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';

/** The spec's message wherever Fly sessions are needed but not configured (503). */
export const FLY_NOT_CONFIGURED = 'Fly sessions config not set';

/** An operator's call that reaches Fly (list or destroy a session, a team's Fly secrets) answers within it. */
export { OPERATOR_CALL_DEADLINE_MS } from './operator-deadline.js';

export interface FlySessionsTarget {
  app: string;
  region?: string;
}

/**
 * Fly sessions as configured right now (built by the composition root,
 * hosts/composition/fly-sessions.ts): the app and region in force, and the runner and secrets
 * store on them — each undefined while `FLY_API_TOKEN` or the sessions app is missing.
 */
export interface FlySessions {
  target(): Promise<FlySessionsTarget | undefined>;
  runner(): Promise<Runner | undefined>;
  secrets(): Promise<Secrets | undefined>;
  /**
   * The same, for a call an operator waits on: one attempt, each request bounded so that a call
   * of two requests stays inside OPERATOR_CALL_DEADLINE_MS. A run's own calls (launch, observe,
   * its secrets) keep the patient `runner` and `secrets`. Both share the connection's governor.
   */
  operatorRunner(): Promise<Runner | undefined>;
  operatorSecrets(): Promise<Secrets | undefined>;
}

/**
 * The registry's `fly-machines` runner: present whenever `FLY_API_TOKEN` is set, and answering
 * `notConfigured` ("Fly sessions config not set") until a sessions app is set by env or setting.
 */
export function createLazyFlyRunner(fly: Pick<FlySessions, 'runner'>): Runner {
  const withRunner = <T>(use: (runner: Runner) => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError> =>
    ResultAsync.fromSafePromise(fly.runner()).andThen((runner) =>
      runner ? use(runner) : errAsync<T, ServiceError>({ kind: 'notConfigured', message: FLY_NOT_CONFIGURED }),
    );
  return {
    kind: 'fly-machines',
    launch: (run) => withRunner((r) => r.launch(run)),
    listSessions: () => withRunner((r) => r.listSessions()),
    destroy: (id) => withRunner((r) => r.destroy(id)),
    observe: (job, context) => withRunner((r) => r.observe(job, context)),
  };
}
