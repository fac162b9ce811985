import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { DISPATCH_LOG_LIMIT, type Storage } from '../../../ports/storage.port.js';
import { createMutex } from '../../../core/app/shared/mutex.js';
import { assertPositive, closedError, plain } from '../plain.js';
import { normaliseStoreData, type StoreData, table } from './store-data.js';

export interface LowdbStorageOptions {
  /** The JSON file that holds everything; its directory is created when missing. */
  file: string;
  /** Decides when a claim's ttl has lapsed; injected so tests need not wait. */
  now?: () => number;
}

/**
 * The embedded default: one JSON file, held in memory and rewritten whole (temp file + rename,
 * so a crash leaves the old or the new file, never half of one) after every change.
 *
 * Every change runs through one mutex and resolves only after its write, so concurrent writers
 * in this process never lose an update and `claimOnce` is atomic here. It is a one-process
 * store: two processes on one file would overwrite each other (use redis for replicas).
 *
 * Built on `new Low(new JSONFile(file))` rather than lowdb's `JSONFilePreset`: the preset swaps
 * the file for an in-memory adapter whenever NODE_ENV is `test` (vitest sets it), which would
 * make a test of durability pass without anything reaching the disk.
 */
export async function createLowdbStorage(options: LowdbStorageOptions): Promise<Storage> {
  const { file } = options;
  const now = options.now ?? Date.now;
  await mkdir(dirname(file), { recursive: true });
  const db = new Low<StoreData>(new JSONFile<StoreData>(file), normaliseStoreData(undefined));
  try {
    await db.read();
  } catch (error) {
    throw new Error(`The storage file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const data = normaliseStoreData(db.data);
  db.data = data;

  const mutex = createMutex();
  let closed = false;
  const assertOpen = () => {
    if (closed) throw closedError();
  };
  const read = async <T>(pick: (d: StoreData) => T): Promise<T> => {
    assertOpen();
    return plain(pick(data));
  };
  /**
   * Applies `change` and resolves once the file holds it, unless `change` answers UNCHANGED.
   * Openness is checked when the change is queued: what was queued before `close()` completes.
   */
  const update = async <T>(change: (d: StoreData) => T | typeof UNCHANGED): Promise<T | undefined> => {
    assertOpen();
    return mutex.run(async () => {
      const result = change(data);
      if (result === UNCHANGED) return undefined;
      await db.write();
      return result;
    });
  };
  const remove = async (pick: (d: StoreData) => Record<string, unknown> | undefined, id: string): Promise<boolean> =>
    (await update((d) => {
      const rows = pick(d);
      if (!rows || !Object.hasOwn(rows, id)) return UNCHANGED;
      delete rows[id];
      return true;
    })) ?? false;
  /** Stores a copy of `value` under `id` in the table `pick` chooses (creating it if need be). */
  const put = async (pick: (d: StoreData) => Record<string, unknown>, id: string, value: unknown): Promise<void> => {
    const copy = plain(value);
    await update((d) => {
      pick(d)[id] = copy;
    });
  };

  return {
    listMappings: () => read((d) => Object.values(d.mappings)),
    getMapping: (teamKey) => read((d) => d.mappings[teamKey]),
    putMapping: (mapping) => put((d) => d.mappings, mapping.teamKey, mapping),
    deleteMapping: (teamKey) => remove((d) => d.mappings, teamKey),

    putJob: (job) => put((d) => d.jobs, job.id, job),
    getJob: (id) => read((d) => d.jobs[id]),
    listJobs: () => read((d) => Object.values(d.jobs)),
    deleteJob: (id) => remove((d) => d.jobs, id),

    listDedup: () => read((d) => Object.values(d.dedup)),
    putDedup: (entry) => put((d) => d.dedup, entry.issueId, entry),
    removeDedup: (issueId) => remove((d) => d.dedup, issueId),

    appendDispatchLog: async (entry) => {
      const copy = plain(entry);
      await update((d) => {
        d.dispatchLog.unshift(copy);
        if (d.dispatchLog.length > DISPATCH_LOG_LIMIT) d.dispatchLog.length = DISPATCH_LOG_LIMIT;
      });
    },
    listDispatchLog: () => read((d) => d.dispatchLog),

    getSetting: (key) => read((d) => d.settings[key]),
    setSetting: async (key, value) => {
      if (value === undefined) {
        await remove((d) => d.settings, key);
        return;
      }
      await put((d) => d.settings, key, value);
    },

    claimOnce: async (key, ttlMs) => {
      if (ttlMs !== undefined) assertPositive('ttlMs', ttlMs);
      const won = await update((d) => {
        const at = now();
        // Lapsed claims are dropped here so the file does not grow with every token ever used.
        let pruned = false;
        for (const [k, claim] of Object.entries(d.claims)) {
          if (claim.expiresAt !== null && claim.expiresAt <= at) {
            delete d.claims[k];
            pruned = true;
          }
        }
        if (Object.hasOwn(d.claims, key)) return pruned ? false : UNCHANGED;
        d.claims[key] = { expiresAt: ttlMs === undefined ? null : at + ttlMs };
        return true;
      });
      return won === true;
    },
    releaseClaim: async (key) => {
      await remove((d) => d.claims, key);
    },

    putRecord: async (collection, id, value) => {
      const copy = plain(value);
      if (copy === undefined) {
        await remove((d) => d.records[collection], id);
        return;
      }
      await put((d) => tableOf(d.records, collection, table), id, copy);
    },
    getRecord: (collection, id) => read((d) => d.records[collection]?.[id] as never),
    listRecords: (collection) => read((d) => Object.values(d.records[collection] ?? {}) as never[]),
    deleteRecord: (collection, id) => remove((d) => d.records[collection], id),

    appendRecordLog: async (stream, entry, keep) => {
      assertPositive('keep', keep, true);
      const copy = plain(entry);
      await update((d) => {
        const log = tableOf<unknown[]>(d.recordLogs, stream, () => []);
        log.push(copy);
        if (log.length > keep) log.splice(0, log.length - keep);
      });
    },
    listRecordLog: (stream) => read((d) => (d.recordLogs[stream] ?? []) as never[]),
    deleteRecordLog: (stream) => remove((d) => d.recordLogs, stream),

    close: async () => {
      closed = true;
      await mutex.idle();
    },
  };
}

/** The entry `name` of `tables`, created empty first if missing. */
function tableOf<T>(tables: Record<string, T>, name: string, empty: () => T): T {
  const existing = tables[name];
  if (existing !== undefined) return existing;
  const created = empty();
  tables[name] = created;
  return created;
}

/** Returned by an update that found nothing to change, so the file is not rewritten. */
const UNCHANGED: unique symbol = Symbol('unchanged');
