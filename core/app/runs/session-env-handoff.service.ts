import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Job, Mapping } from '../../domain/model.js';
import { teamSessionEnv } from '../dispatch/run-environment.js';
import type { RunCallbackError } from './run-callbacks.service.js';
import { TOKEN_EXPIRY_MARGIN_MS, type TokenClaims } from './run-tokens.service.js';

export interface SessionEnvHandOffDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /**
   * The team's secrets as a session on `runner` receives them, minus what its runner puts in the
   * session by itself (Fly app secrets: the composition root leaves their references out).
   */
  sessionSecrets: (mapping: Pick<Mapping, 'teamKey'>, runner: Job['runner']) => Promise<Record<string, string>>;
}

export interface SessionEnvHandOff {
  /**
   * `GET /runner/session-env`: the team-defined part of the session's environment (the team's
   * secrets and the mapping's `extraEnv`, `teamSessionEnv`) for the live run `job` whose progress
   * token `claims` are. Once per run: a second call, by anyone, is `alreadyConsumed`, so a copy
   * of the token read elsewhere cannot take the values after the session did, and one that took
   * them first leaves the session refused, which it reports.
   */
  take(job: Job, claims: TokenClaims): Promise<Result<Record<string, string>, RunCallbackError>>;
}

/**
 * Hands a remote session (Fly Machines) what must not sit in its machine's config, where
 * anyone who can read the app through Fly's API, and the machine's own metadata, would see it.
 * Nothing is kept from the dispatch: the values are read again from the mapping and the
 * secret stores, the same way the dispatch read them, so any replica can answer.
 */
export function createSessionEnvHandOff({ storage, clock, logger, sessionSecrets }: SessionEnvHandOffDeps): SessionEnvHandOff {
  return {
    async take(job, claims) {
      const ttl = Math.max(1, claims.exp - clock.now() + TOKEN_EXPIRY_MARGIN_MS);
      if (!(await storage.claims.claimOnce(`run-session-env:${claims.jti}`, ttl))) {
        logger.warn('session env asked for again: refused', { jobId: job.id, issue: job.identifier });
        return err({ kind: 'alreadyConsumed' });
      }
      const mapping = await storage.mappings.get(job.teamKey);
      const env = teamSessionEnv(await sessionSecrets(mapping ?? { teamKey: job.teamKey }, job.runner), mapping);
      logger.info('session env handed to the session', { jobId: job.id, issue: job.identifier, names: Object.keys(env).sort() });
      return ok(env);
    },
  };
}
