import type { Clock } from '../../../ports/clock.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { Job } from '../../domain/model.js';
import { type CoreSettings, secretValues } from '../core-settings.js';
import type { RunTokensService } from './run-tokens.service.js';

export interface RunSecretsDeps {
  config: CoreSettings;
  clock: Clock;
  storage: Storage;
  runTokens: Pick<RunTokensService, 'credentialValues'>;
  /** Values of stored secrets a session may have received (the Secrets port), when one is wired. */
  storedSecretValues?: () => Promise<string[]>;
}

export interface RunSecrets {
  /**
   * Every value that must not reach a ticket, a response or a log from this run: the
   * orchestrator's own secrets, the run's credentials (tokens and nonce), the mapping's
   * `extraEnv` values and any stored secret values. `credentials`: the run's, when the caller
   * has them already (`RunTokensService.currentCredentials`).
   */
  valuesFor(job: Pick<Job, 'id' | 'teamKey'>, credentials?: readonly string[]): Promise<string[]>;
  /**
   * Adds a value minted for the run after dispatch (the repository token `/api/token` gave
   * it), so it is redacted from whatever the run sends back. Kept in this process only:
   * a minted token is never written to the store.
   */
  remember(jobId: string, value: string): void;
}

/** Runs whose minted values (and mapping values) are kept: the latest ones (a token lives an hour at most). */
const REMEMBERED_RUNS = 1000;

/** Adds `key` as the newest entry of `map` and drops the oldest past REMEMBERED_RUNS. */
function keepLatest<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > REMEMBERED_RUNS) map.delete(map.keys().next().value as string);
}

/** Stored secret values are read at most this often (they may live behind an API). */
export const STORED_SECRETS_CACHE_MS = 60_000;

export function createRunSecrets({ config, clock, storage, runTokens, storedSecretValues }: RunSecretsDeps): RunSecrets {
  const own = secretValues(config);
  let cached: { at: number; values: Promise<string[]> } | undefined;
  const stored = (): Promise<string[]> => {
    if (!storedSecretValues) return Promise.resolve([]);
    if (!cached || clock.now() - cached.at >= STORED_SECRETS_CACHE_MS) {
      cached = { at: clock.now(), values: storedSecretValues().catch(() => []) };
    }
    return cached.values;
  };
  const minted = new Map<string, Set<string>>();
  /**
   * The mapping's `extraEnv` values per job, read at the job's first call: the session got the
   * values of its dispatch, so a later edit of the mapping has nothing of this run's to add.
   */
  const mappingValues = new Map<string, string[]>();
  const extraEnvOf = async (job: Pick<Job, 'id' | 'teamKey'>): Promise<string[]> => {
    const known = mappingValues.get(job.id);
    if (known) return known;
    const values = Object.values((await storage.mappings.get(job.teamKey))?.extraEnv ?? {});
    keepLatest(mappingValues, job.id, values);
    return values;
  };
  return {
    remember(jobId, value) {
      const values = minted.get(jobId) ?? new Set<string>();
      values.add(value);
      keepLatest(minted, jobId, values);
    },
    async valuesFor(job, known) {
      const [credentials, extraEnv, storedValues] = await Promise.all([
        known ?? runTokens.credentialValues(job.id),
        extraEnvOf(job),
        stored(),
      ]);
      return [...own, ...credentials, ...(minted.get(job.id) ?? []), ...extraEnv, ...storedValues];
    },
  };
}

export { redactDeep } from '../../domain/redaction.js';

/** Every value a Secrets store holds (what a session may have been given), [] when it cannot tell. */
export async function revealAll(secrets: Secrets): Promise<string[]> {
  const names = await secrets.list();
  if (names.isErr()) return [];
  const revealed = await secrets.reveal(names.value);
  return revealed.isOk() ? Object.values(revealed.value) : [];
}
