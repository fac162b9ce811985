import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Signing } from '../../../ports/signer.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import type { Job, Mapping } from '../../domain/model.js';
import { teamSessionEnv } from '../dispatch/run-environment.js';
import type { RunCallbackError } from './run-callbacks.service.js';
import { TOKEN_EXPIRY_MARGIN_MS, type TokenClaims } from './run-tokens.service.js';

/** Answers one run's session may have in all (the first and its repeats): enough for a few lost answers, no more. */
export const SESSION_ENV_ANSWERS = 5;

/** Who took a run's values: the SHA-256 of the taker's fetch id, per job (the run's jti says which run). */
const TAKERS = collection<{ jti: string; fetch: string }>('run-session-env');

export interface SessionEnvHandOffDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  signing: Pick<Signing, 'digest' | 'equal'>;
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
   * token `claims` are, asked for with the caller's `fetchId` (a random id the session draws once
   * as it starts). The first call takes the values for its fetch id: a later call with the same
   * id gets them again (its answer may have been lost on the way), up to `SESSION_ENV_ANSWERS`
   * answers in all; any other call, by anyone, is `alreadyConsumed`, so a copy of the token read
   * elsewhere cannot take the values after the session did, and one that took them first leaves
   * the session refused, which it reports.
   */
  take(job: Job, claims: TokenClaims, fetchId: string): Promise<Result<Record<string, string>, RunCallbackError>>;
  /** Drops what was kept of the job's take (retention: the job was pruned). */
  forget(jobId: string): Promise<void>;
}

/**
 * Hands a remote session (Fly Machines) what must not sit in its machine's config, where
 * anyone who can read the app through Fly's API, and the machine's own metadata, would see it.
 * Nothing is kept from the dispatch: the values are read again from the mapping and the
 * secret stores, the same way the dispatch read them, so any replica can answer.
 *
 * Who took them is decided by the atomic claim `run-session-env:<jti>`; only its winner then
 * stores the hash of its fetch id (never the id, never logged), so no one else can write it. A
 * repeat of that fetch id takes one of the claims `…:answer:<n>`, which caps the answers across
 * replicas. A repeat that arrives between the winner's claim and its write is refused like any
 * other call; the session asks again only after its first request failed or timed out, and the
 * write is the winner's next step.
 */
export function createSessionEnvHandOff({
  storage,
  clock,
  logger,
  signing,
  sessionSecrets,
}: SessionEnvHandOffDeps): SessionEnvHandOff {
  const repeatAllowed = async (job: Job, claims: TokenClaims, fetch: string, ttl: number): Promise<boolean> => {
    const taker = await storage.documents.get(TAKERS, job.id);
    if (!taker || taker.jti !== claims.jti || !signing.equal(taker.fetch, fetch)) return false;
    for (let answer = 2; answer <= SESSION_ENV_ANSWERS; answer++) {
      if (await storage.claims.claimOnce(`run-session-env:${claims.jti}:answer:${answer}`, ttl)) return true;
    }
    return false;
  };

  return {
    async take(job, claims, fetchId) {
      const ttl = Math.max(1, claims.exp - clock.now() + TOKEN_EXPIRY_MARGIN_MS);
      const fetch = signing.digest(fetchId);
      const claim = `run-session-env:${claims.jti}`;
      let again = false;
      if (await storage.claims.claimOnce(claim, ttl)) {
        try {
          await storage.documents.put(TAKERS, job.id, { jti: claims.jti, fetch });
        } catch (error) {
          // Not taken after all: the session's retry may take it (a claim without a taker refuses everyone).
          await storage.claims.release(claim).catch(() => {});
          throw error;
        }
      } else if (await repeatAllowed(job, claims, fetch, ttl)) {
        again = true;
      } else {
        logger.warn('session env asked for again: refused', { jobId: job.id, issue: job.identifier });
        return err({ kind: 'alreadyConsumed' });
      }
      const mapping = await storage.mappings.get(job.teamKey);
      const env = teamSessionEnv(await sessionSecrets(mapping ?? { teamKey: job.teamKey }, job.runner), mapping);
      logger.info(again ? 'session env handed to the session again, to the same fetch' : 'session env handed to the session', {
        jobId: job.id,
        issue: job.identifier,
        names: Object.keys(env).sort(),
      });
      return ok(env);
    },

    async forget(jobId) {
      await storage.documents.delete(TAKERS, jobId);
    },
  };
}
