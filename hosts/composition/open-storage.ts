import { createStorage, storageTargetOf } from '../../adapters/storage/create-storage.js';
import {
  checkStorageReachable,
  checkWritableDirectory,
  describeStorageTarget,
  storageKindLabel,
} from '../../adapters/storage/reachability.js';
import type { SnapshotImport } from '../../adapters/storage/snapshot.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import type { Logger } from '../../ports/logger.port.js';
import type { Storage } from '../../ports/storage.port.js';

export interface OpenStorageDeps {
  logger: Logger;
  now: () => number;
  /** Waits between attempts under STORAGE_WAIT=1 (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

export interface OpenedStorage {
  storage: Storage & SnapshotImport;
  /** "PostgreSQL at postgres://app@db:5432/app": for the log (never a password). */
  description: string;
  /** "PostgreSQL": for answers anyone may read. */
  kind: string;
}

/** Under STORAGE_WAIT=1, the "waiting" line is written at most this often. */
export const WAIT_LOG_EVERY_MS = 60_000;
const MAX_WAIT_STEP_MS = 5_000;

/**
 * Opens the store the settings name, after checking that DATA_DIR can be written and that the
 * store can be reached. Either failing stops the start with a message naming the directory or
 * the store and the reason — unless `storageWait` is set, when an unreachable store is waited
 * for (backing off to 5 s between attempts, one log line a minute at most).
 */
export async function openStorage(settings: CoreSettings, deps: OpenStorageDeps): Promise<OpenedStorage> {
  checkWritableDirectory(settings.dataDir, 'DATA_DIR');
  const options = { dataDir: settings.dataDir, ...(settings.storageUrl ? { storageUrl: settings.storageUrl } : {}) };
  const target = storageTargetOf(options);
  const description = describeStorageTarget(target);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastLogAt: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      await checkStorageReachable(target);
      const storage = await createStorage({ ...options, now: deps.now, log: (message) => deps.logger.info(message) });
      if (attempt > 0) deps.logger.info('storage reached', { store: description, attempts: attempt + 1 });
      return { storage, description, kind: storageKindLabel(target) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!settings.storageWait) {
        throw new Error(`Storage ${description} cannot be reached: ${reason} (STORAGE_WAIT=1 waits for it instead)`, {
          cause: error,
        });
      }
      const now = deps.now();
      if (lastLogAt === undefined || now - lastLogAt >= WAIT_LOG_EVERY_MS) {
        lastLogAt = now;
        deps.logger.warn('waiting for storage (STORAGE_WAIT=1)', { store: description, reason });
      }
      await sleep(Math.min(MAX_WAIT_STEP_MS, 250 * 2 ** Math.min(attempt, 5)));
    }
  }
}
