import { RECENT_READ_MAX_AGE_MS } from '../../../ports/storage.port.js';

/**
 * The answers of `recent` point reads (ReadFreshness in storage.port.ts), kept in memory while
 * nothing says the row changed: this store's own writes (`changed`, before and after each
 * write, so no read that ran beside it keeps its answer) and other processes' writes (their
 * notices, postgres-change-notices.ts). Nothing is kept while the notices are not being heard
 * (`hearing(false)`), and nothing longer than RECENT_READ_MAX_AGE_MS.
 *
 * A row found missing is kept as missing the same way (a job's steering queue, mostly absent).
 * A read that was running when its row changed may have read the row before or after the
 * change: its answer is returned (it is as fresh as a read without the cache) but not kept.
 */
export interface RecentReads {
  read(key: string, load: () => Promise<string | undefined>): Promise<string | undefined>;
  /** The row of `key` was (or is being) written. */
  changed(key: string): void;
  /** Any row may have changed (an import, a purge, notices that may have been missed). */
  changedAll(): void;
  /** Whether other processes' writes are being heard: only then are answers kept. */
  hearing(heard: boolean): void;
}

/** Rows kept at most; the oldest kept goes first. */
const MAX_KEPT = 10_000;

export function createRecentReads(now: () => number = Date.now): RecentReads {
  const kept = new Map<string, { data: string | undefined; readAt: number }>();
  let heard = false;
  // Changes seen while reads were running, so that a read that ran across one does not keep its answer.
  let running = 0;
  let everything = 0;
  const changes = new Map<string, number>();

  return {
    async read(key, load) {
      const hit = kept.get(key);
      const readAt = now();
      if (hit && readAt - hit.readAt <= RECENT_READ_MAX_AGE_MS) return hit.data;
      const seen = changes.get(key) ?? 0;
      const seenEverything = everything;
      running++;
      try {
        const data = await load();
        if (heard && (changes.get(key) ?? 0) === seen && everything === seenEverything) {
          kept.delete(key);
          kept.set(key, { data, readAt });
          if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value as string);
        }
        return data;
      } finally {
        if (--running === 0) changes.clear();
      }
    },
    changed(key) {
      kept.delete(key);
      if (running > 0) changes.set(key, (changes.get(key) ?? 0) + 1);
    },
    changedAll() {
      kept.clear();
      everything++;
    },
    hearing(value) {
      if (heard === value) return;
      heard = value;
      kept.clear();
      everything++;
    },
  };
}

/** The key of a job's or a document's row, as the notices name it (`["jobs", id]`, `["documents", collection, id]`). */
export const jobKey = (id: string): string => JSON.stringify(['jobs', id]);
export const documentKey = (collection: string, id: string): string => JSON.stringify(['documents', collection, id]);
