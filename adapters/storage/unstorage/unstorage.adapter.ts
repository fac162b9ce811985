import { createStorage as createKeyValueStore, type Driver } from 'unstorage';
import type { Storage } from '../../../ports/storage.port.js';
import { createDocumentStorage } from '../document/document-storage.js';
import type { SnapshotImport } from '../snapshot.js';
import { createUnstorageBackend } from './unstorage-backend.js';

export type UnstorageTarget =
  | { driver: 'memory' }
  | { driver: 'fs'; base: string }
  /** `base` prefixes every key, so several stores (or test runs) can share one redis. */
  | { driver: 'redis'; url: string; base?: string };

export interface UnstorageOptions {
  /** Decides when claims and leases lapse; injected so tests need not wait. */
  now?: () => number;
}

export const DEFAULT_REDIS_BASE = 'ai-implement';

/**
 * Storage on unstorage: memory (tests, embedders), fs (one file per item) or redis.
 *
 * All three are ONE-process stores: compare-and-set, claims, leases, counters and dispatches
 * are made atomic by this process's mutex (document-storage.ts), which another process does
 * not see. Redis is therefore no longer offered for several replicas: two orchestrators on one
 * redis could both win a claim or overwrite each other's job. Replicas share PostgreSQL
 * (`STORAGE_URL=postgres://…`) instead.
 */
export async function createUnstorageStorage(
  target: UnstorageTarget,
  options: UnstorageOptions = {},
): Promise<Storage & SnapshotImport> {
  return createDocumentStorage(createUnstorageBackend(createKeyValueStore({ driver: await driverFor(target) })), options);
}

/** Each driver is loaded when a store asks for it: the redis one brings ioredis. */
async function driverFor(target: UnstorageTarget): Promise<Driver> {
  switch (target.driver) {
    case 'memory':
      return (await import('unstorage/drivers/memory')).default();
    case 'fs':
      return (await import('unstorage/drivers/fs')).default({ base: target.base });
    case 'redis': {
      // SCAN's default of 10 keys a round trip makes listing slow once jobs number in thousands.
      const driver = (await import('unstorage/drivers/redis')).default({
        url: target.url,
        base: target.base ?? DEFAULT_REDIS_BASE,
        scanCount: 1000,
        // While redis is down a command fails within a reconnect attempt (at most ~0.5 s apart)
        // instead of queueing through 20 retries; the store's callers answer "unavailable".
        maxRetriesPerRequest: 0,
        connectTimeout: 1_000,
        retryStrategy: (attempt: number) => Math.min(attempt * 50, 500),
      });
      // Connection errors surface as failed commands (and the availability watch logs them once);
      // without a listener ioredis prints every reconnect failure as an unhandled error event.
      driver.getInstance?.().on('error', () => undefined);
      return driver;
    }
  }
}
