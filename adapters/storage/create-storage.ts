import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Storage } from '../../ports/storage.port.js';
import { createLowdbStorage } from './lowdb/lowdb.adapter.js';
import { createUnstorageStorage, type UnstorageTarget } from './unstorage/unstorage.adapter.js';

export interface CreateStorageOptions {
  /** DATA_DIR: where the embedded store keeps its file. */
  dataDir: string;
  /** STORAGE_URL: unset for the embedded file store, else `memory:`, `fs://…`, `file://…`, `redis://…`. */
  storageUrl?: string;
  now?: () => number;
}

export const EMBEDDED_STORE_FILE = 'ai-implement.json';

const SUPPORTED = 'memory:, fs://<path>, file://<path>, redis:// or rediss:// (or leave it unset for the embedded file store)';

/** Picks the storage adapter that STORAGE_URL names; a URL it cannot serve is a startup error. */
export async function createStorage(options: CreateStorageOptions): Promise<Storage> {
  const url = options.storageUrl?.trim();
  const opts = options.now ? { now: options.now } : {};
  if (!url) {
    await mkdir(options.dataDir, { recursive: true });
    return createLowdbStorage({ file: join(options.dataDir, EMBEDDED_STORE_FILE), ...opts });
  }
  return createUnstorageStorage(parseStorageUrl(url), opts);
}

/**
 * The adapter target for a STORAGE_URL. Error messages name the scheme only: the rest of a
 * URL may hold a password.
 */
export function parseStorageUrl(url: string): UnstorageTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new Error(`STORAGE_URL must start with a scheme: ${SUPPORTED}`);
  switch (scheme) {
    case 'memory':
      return { driver: 'memory' };
    case 'fs':
    case 'file': {
      const path = url.slice(scheme.length + 1).replace(/^\/\//, '');
      if (!path)
        throw new Error(`STORAGE_URL ${scheme}:// needs a directory path after it, e.g. ${scheme}:///var/lib/ai-implement`);
      return { driver: 'fs', base: resolve(path) };
    }
    case 'redis':
    case 'rediss':
      return { driver: 'redis', url };
    default:
      throw new Error(`STORAGE_URL has an unsupported scheme "${scheme}:"; use ${SUPPORTED}`);
  }
}
