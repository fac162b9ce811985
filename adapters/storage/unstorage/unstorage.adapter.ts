import { createStorage as createKeyValueStore, type Driver, type Storage as KeyValueStore } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import memoryDriver from 'unstorage/drivers/memory';
import redisDriver from 'unstorage/drivers/redis';
import { DISPATCH_LOG_LIMIT, type Storage } from '../../../ports/storage.port.js';
import { createMutex, type Mutex } from '../../../core/app/shared/mutex.js';
import { assertPositive, closedError, plain } from '../plain.js';
import { type Coordination, createLocalCoordination, type Envelope } from './coordination.js';
import { keys } from './keys.js';
import { createRedisCoordination } from './redis-coordination.js';

export type UnstorageTarget =
  | { driver: 'memory' }
  | { driver: 'fs'; base: string }
  /** `base` prefixes every key, so several stores (or test runs) can share one redis. */
  | { driver: 'redis'; url: string; base?: string };

export interface UnstorageOptions {
  /** Decides when a claim's ttl has lapsed on memory and fs; redis keeps its own clock. */
  now?: () => number;
}

export const DEFAULT_REDIS_BASE = 'ai-implement';

/**
 * Storage on unstorage, one item per key (`mappings:ENG`, `jobs:<id>`, …) so a listing is a
 * key scan by prefix and writes of different items never contend.
 *
 * memory and fs are one-process stores: claims, trimmed logs and every write go through one
 * mutex. On redis the atomic parts are redis commands (see redis-coordination.ts), so claims
 * and logs hold across every replica sharing the url.
 */
export async function createUnstorageStorage(target: UnstorageTarget, options: UnstorageOptions = {}): Promise<Storage> {
  const now = options.now ?? Date.now;
  const mutex = createMutex();
  const { store, coordination, serialise } = open(target, mutex, now);

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  /** Every call is tracked so that `close()` lets it finish before the connection goes. */
  const op = async <T>(task: () => Promise<T>): Promise<T> => {
    if (closed) throw closedError();
    const running = task();
    inFlight.add(running);
    try {
      return await running;
    } finally {
      inFlight.delete(running);
    }
  };
  const write = (task: () => Promise<void>) => op(() => (serialise ? mutex.run(task) : task()));
  const get = <T>(key: string) => op(async () => (await store.getItem<Envelope<T>>(key))?.v);
  const put = (key: string, value: unknown) => {
    const copy = plain(value);
    return write(() => (copy === undefined ? store.removeItem(key) : store.setItem(key, { v: copy })));
  };
  const list = <T>(prefix: string) =>
    op(async () => {
      const found = await store.getKeys(prefix);
      if (found.length === 0) return [];
      const items = await store.getItems(found);
      // A key removed between the scan and the read comes back null: it is simply gone.
      return items.map((item) => (item.value as Envelope<T> | null)?.v).filter((v): v is T => v !== undefined);
    });
  const remove = (key: string) => op(() => coordination.removeItem(key));

  return {
    listMappings: () => list(keys.mappings),
    getMapping: (teamKey) => get(keys.mapping(teamKey)),
    putMapping: (mapping) => put(keys.mapping(mapping.teamKey), mapping),
    deleteMapping: (teamKey) => remove(keys.mapping(teamKey)),

    putJob: (job) => put(keys.job(job.id), job),
    getJob: (id) => get(keys.job(id)),
    listJobs: () => list(keys.jobs),
    deleteJob: (id) => remove(keys.job(id)),

    listDedup: () => list(keys.dedup),
    putDedup: (entry) => put(keys.dedupEntry(entry.issueId), entry),
    removeDedup: (issueId) => remove(keys.dedupEntry(issueId)),

    appendDispatchLog: (entry) => op(() => coordination.appendLog(keys.dispatchLog, plain(entry), DISPATCH_LOG_LIMIT, true)),
    listDispatchLog: () => op(() => coordination.listLog(keys.dispatchLog)) as never,

    getSetting: (key) => get(keys.setting(key)),
    setSetting: (key, value) => put(keys.setting(key), value),

    claimOnce: (key, ttlMs) => {
      if (ttlMs !== undefined) assertPositive('ttlMs', ttlMs);
      return op(() => coordination.claimOnce(key, ttlMs));
    },
    releaseClaim: (key) => op(() => coordination.releaseClaim(key)),

    putRecord: (collection, id, value) => put(keys.record(collection, id), value),
    getRecord: (collection, id) => get(keys.record(collection, id)),
    listRecords: (collection) => list(keys.records(collection)),
    deleteRecord: (collection, id) => remove(keys.record(collection, id)),

    appendRecordLog: async (stream, entry, keep) => {
      assertPositive('keep', keep, true);
      await op(() => coordination.appendLog(keys.recordLog(stream), plain(entry), keep, false));
    },
    listRecordLog: (stream) => op(() => coordination.listLog(keys.recordLog(stream))) as never,
    deleteRecordLog: (stream) => remove(keys.recordLog(stream)),

    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.allSettled(inFlight);
      // Without dispose an open redis connection (or fs watcher) keeps the process alive.
      await store.dispose();
    },
  };
}

interface Opened {
  store: KeyValueStore;
  coordination: Coordination;
  /** True when plain writes must also queue behind the mutex (two writes to one file race). */
  serialise: boolean;
}

function open(target: UnstorageTarget, mutex: Mutex, now: () => number): Opened {
  if (target.driver === 'redis') {
    const base = target.base ?? DEFAULT_REDIS_BASE;
    // SCAN's default of 10 keys a round trip makes listing slow once jobs number in thousands.
    const driver = redisDriver({ url: target.url, base, scanCount: 1000 });
    const client = driver.getInstance?.();
    if (!client) throw new Error('the unstorage redis driver did not expose its client');
    return { store: createKeyValueStore({ driver }), coordination: createRedisCoordination(client, base), serialise: false };
  }
  const driver: Driver = target.driver === 'memory' ? memoryDriver() : fsDriver({ base: target.base });
  const store = createKeyValueStore({ driver });
  return { store, coordination: createLocalCoordination(store, mutex, now), serialise: true };
}
