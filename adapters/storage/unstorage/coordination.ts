import type { Storage as KeyValueStore } from 'unstorage';
import type { Mutex } from '../../../core/app/shared/mutex.js';
import { keys } from './keys.js';

/**
 * The read-modify-write parts of the Storage port, which a plain key-value store cannot do
 * atomically: claims, trimmed logs, and a removal that says whether there was anything to
 * remove. In-process for memory and fs; redis does them natively.
 */
export interface Coordination {
  /** Resolves false when the key held nothing. */
  removeItem(key: string): Promise<boolean>;
  claimOnce(key: string, ttlMs?: number): Promise<boolean>;
  releaseClaim(key: string): Promise<void>;
  /** Appends to the log at `key`, keeping its `keep` newest; `newestFirst` decides the order kept. */
  appendLog(key: string, entry: unknown, keep: number, newestFirst: boolean): Promise<void>;
  listLog(key: string): Promise<unknown[]>;
}

/** A stored value is wrapped so that unstorage's parsing never turns the string "123" into 123. */
export interface Envelope<T> {
  v: T;
}

interface StoredClaim {
  expiresAt: number | null;
}

/** Claims and logs as ordinary items, made atomic by this process's mutex (memory, fs). */
export function createLocalCoordination(store: KeyValueStore, mutex: Mutex, now: () => number): Coordination {
  return {
    removeItem: (key) =>
      mutex.run(async () => {
        if (!(await store.hasItem(key))) return false;
        await store.removeItem(key);
        return true;
      }),
    claimOnce: (key, ttlMs) =>
      mutex.run(async () => {
        const held = await store.getItem<Envelope<StoredClaim>>(keys.claim(key));
        const at = now();
        if (held && (held.v.expiresAt === null || held.v.expiresAt > at)) return false;
        await store.setItem(keys.claim(key), { v: { expiresAt: ttlMs === undefined ? null : at + ttlMs } });
        return true;
      }),
    releaseClaim: (key) => mutex.run(() => store.removeItem(keys.claim(key))),
    appendLog: (key, entry, keep, newestFirst) =>
      mutex.run(async () => {
        const log = (await store.getItem<Envelope<unknown[]>>(key))?.v ?? [];
        if (newestFirst) log.unshift(entry);
        else log.push(entry);
        const kept = newestFirst ? log.slice(0, keep) : log.slice(-keep);
        await store.setItem(key, { v: kept });
      }),
    listLog: async (key) => (await store.getItem<Envelope<unknown[]>>(key))?.v ?? [],
  };
}
