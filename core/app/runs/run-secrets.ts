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
   * has them already (`RunTokensService.currentCredentials`). Frozen, and the same list again
   * while none of them changed: the redaction compiles a list's forms once.
   */
  valuesFor(job: Pick<Job, 'id' | 'teamKey'>, credentials?: readonly string[]): Promise<readonly string[]>;
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

const NONE: readonly string[] = Object.freeze([]);

/** What a run's list of values is made of besides the orchestrator's own. */
interface Parts {
  /** Compared value by value: the caller's copy of the run's credentials is new on each call. */
  credentials: readonly string[];
  /** The others by identity: each is a new list whenever it changes. */
  minted: readonly string[];
  extraEnv: readonly string[];
  stored: readonly string[];
}

function sameParts(a: Parts, b: Parts): boolean {
  if (a.minted !== b.minted || a.extraEnv !== b.extraEnv || a.stored !== b.stored) return false;
  if (a.credentials.length !== b.credentials.length) return false;
  return a.credentials.every((value, i) => value === b.credentials[i]);
}

/** Stored secret values are read at most this often (they may live behind an API). */
export const STORED_SECRETS_CACHE_MS = 60_000;

export function createRunSecrets({ config, clock, storage, runTokens, storedSecretValues }: RunSecretsDeps): RunSecrets {
  const own = secretValues(config);
  let cached: { at: number; values: Promise<readonly string[]>; settled?: readonly string[] } | undefined;
  const stored = (): Promise<readonly string[]> => {
    if (!storedSecretValues) return Promise.resolve(NONE);
    if (!cached || clock.now() - cached.at >= STORED_SECRETS_CACHE_MS) {
      const entry: NonNullable<typeof cached> = { at: clock.now(), values: storedSecretValues().catch(() => NONE) };
      void entry.values.then((values) => {
        entry.settled = values;
      });
      cached = entry;
    }
    return cached.values;
  };
  /** The stored values when they are at hand (read and still fresh), without waiting. */
  const storedNow = (): readonly string[] | undefined => {
    if (!storedSecretValues) return NONE;
    return cached && clock.now() - cached.at < STORED_SECRETS_CACHE_MS ? cached.settled : undefined;
  };
  /** Per run, a new frozen list each time a value is added (so that a list of values can tell it changed). */
  const minted = new Map<string, readonly string[]>();
  /**
   * The mapping's `extraEnv` values per job, read at the job's first call: the session got the
   * values of its dispatch, so a later edit of the mapping has nothing of this run's to add.
   */
  const mappingValues = new Map<string, string[]>();
  /** The list last handed out per run, with what it was made of. */
  const lists = new Map<string, { parts: Parts; values: readonly string[] }>();
  const extraEnvOf = async (job: Pick<Job, 'id' | 'teamKey'>): Promise<string[]> => {
    const known = mappingValues.get(job.id);
    if (known) return known;
    const values = Object.values((await storage.mappings.get(job.teamKey))?.extraEnv ?? {});
    keepLatest(mappingValues, job.id, values);
    return values;
  };
  return {
    remember(jobId, value) {
      const values = minted.get(jobId) ?? [];
      keepLatest(minted, jobId, values.includes(value) ? values : Object.freeze([...values, value]));
    },
    async valuesFor(job, known) {
      // A running job's progress calls have everything at hand: no read, nothing to wait for.
      const knownExtraEnv = mappingValues.get(job.id);
      const knownStored = storedNow();
      const [credentials, extraEnv, storedValues] =
        known && knownExtraEnv && knownStored
          ? [known, knownExtraEnv, knownStored]
          : await Promise.all([known ?? runTokens.credentialValues(job.id), extraEnvOf(job), stored()]);
      const parts: Parts = { credentials, minted: minted.get(job.id) ?? NONE, extraEnv, stored: storedValues };
      const last = lists.get(job.id);
      if (last && sameParts(last.parts, parts)) return last.values;
      const values = Object.freeze([...own, ...credentials, ...parts.minted, ...extraEnv, ...storedValues]);
      keepLatest(lists, job.id, { parts: { ...parts, credentials: [...credentials] }, values });
      return values;
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
