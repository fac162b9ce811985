import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Storage } from '../../ports/storage.port.js';
import { ensurePrivateDir, ensurePrivateFile, restrictExisting } from '../system/private-files.js';
import { importJsonStore } from './json-import.js';
import { describeCounts, type SnapshotImport } from './snapshot.js';
import type { UnstorageTarget } from './unstorage/unstorage.adapter.js';

export interface CreateStorageOptions {
  /** DATA_DIR: where the embedded store keeps its file. */
  dataDir: string;
  /** STORAGE_URL: unset for the embedded SQLite file; see `parseStorageUrl` for the rest. */
  storageUrl?: string;
  /** The clock for claims and leases. */
  now?: () => number;
  /** Where the store reports what it did on opening (an import of the old JSON store). */
  log?: (message: string) => void;
  /** False: do not import DATA_DIR/ai-implement.json on opening (the import command does it itself). */
  importLegacy?: boolean;
}

/** The embedded SQLite file under DATA_DIR. */
export const EMBEDDED_STORE_FILE = 'ai-implement.db';
/** The JSON file earlier versions kept under DATA_DIR; lowdb's default file. */
export const LEGACY_STORE_FILE = 'ai-implement.json';

export type StorageTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'lowdb'; file: string }
  | { kind: 'unstorage'; target: UnstorageTarget };

const SUPPORTED =
  'postgres://…, postgresql://…, sqlite:<file>, lowdb:[<file>], memory:, fs://<path>, file://<path>, redis:// or rediss:// (or leave it unset for the embedded SQLite file)';

/**
 * Opens the store STORAGE_URL names; a URL it cannot serve is a startup error. A SQL store
 * that opens empty beside the JSON file of an earlier version imports that file first (in one
 * transaction; the file becomes `ai-implement.json.imported`), so nothing is lost on upgrade.
 */
export async function createStorage(options: CreateStorageOptions): Promise<Storage & SnapshotImport> {
  const target = storageTargetOf(options);
  const opts = options.now ? { now: options.now } : {};
  protectFiles(options.dataDir, target);
  // Only the adapter STORAGE_URL names is loaded (unstorage's redis driver brings ioredis, the SQL one pg).
  switch (target.kind) {
    case 'lowdb':
      return (await import('./lowdb/lowdb.adapter.js')).createLowdbStorage({ file: target.file, ...opts });
    case 'unstorage':
      return (await import('./unstorage/unstorage.adapter.js')).createUnstorageStorage(target.target, opts);
    case 'sqlite':
    case 'postgres': {
      const sql = await import('./sql/sql.adapter.js');
      const storage =
        target.kind === 'sqlite'
          ? await sql.openSqliteStorage(target.file, opts)
          : await sql.openPostgresStorage(target.url, opts);
      if (options.importLegacy === false) return storage;
      try {
        await importLegacyStore(storage, join(options.dataDir, LEGACY_STORE_FILE), options.log ?? (() => undefined));
      } catch (error) {
        await storage.close();
        throw error;
      }
      return storage;
    }
  }
}

/** The store the options name: STORAGE_URL's, or the embedded SQLite file under DATA_DIR. */
export function storageTargetOf(options: Pick<CreateStorageOptions, 'dataDir' | 'storageUrl'>): StorageTarget {
  const url = options.storageUrl?.trim();
  return url ? parseStorageUrl(url, options.dataDir) : { kind: 'sqlite', file: join(options.dataDir, EMBEDDED_STORE_FILE) };
}

/** DATA_DIR 0700 (it also holds the local forge's repositories), an embedded store's file 0600. */
function protectFiles(dataDir: string, target: StorageTarget): void {
  ensurePrivateDir(dataDir);
  if (target.kind === 'sqlite') {
    ensurePrivateDir(dirname(target.file));
    ensurePrivateFile(target.file);
    restrictExisting([`${target.file}-wal`, `${target.file}-shm`]);
  }
  if (target.kind === 'lowdb') {
    ensurePrivateDir(dirname(target.file));
    restrictExisting([target.file]);
  }
  if (target.kind === 'unstorage' && target.target.driver === 'fs') ensurePrivateDir(target.target.base);
}

async function importLegacyStore(storage: Storage & SnapshotImport, file: string, log: (message: string) => void): Promise<void> {
  if (!existsSync(file)) return;
  if (!(await storage.isEmpty())) {
    log(`storage: ${file} is left as it is: the store already holds data (import it with "ai-implement storage import")`);
    return;
  }
  const counts = await importJsonStore(storage, file);
  log(`storage: imported ${file} (${describeCounts(counts)}); it is now ${file}.imported`);
}

/**
 * The store a STORAGE_URL names. Error messages name the scheme only: the rest of a URL may
 * hold a password.
 */
export function parseStorageUrl(url: string, dataDir = '.'): StorageTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new Error(`STORAGE_URL must start with a scheme: ${SUPPORTED}`);
  const rest = url.slice(scheme.length + 1);
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      checkServerUrl(scheme, isPostgresUrl(url));
      return { kind: 'postgres', url };
    case 'sqlite': {
      const path = rest.replace(/^\/\//, '');
      if (!path) throw new Error('STORAGE_URL sqlite: needs a file path after it, e.g. sqlite:/var/lib/ai-implement/store.db');
      return { kind: 'sqlite', file: resolve(path) };
    }
    case 'lowdb': {
      const path = rest.replace(/^\/\//, '');
      return { kind: 'lowdb', file: path ? resolve(path) : join(dataDir, LEGACY_STORE_FILE) };
    }
    case 'memory':
      return { kind: 'unstorage', target: { driver: 'memory' } };
    case 'fs':
    case 'file': {
      const path = rest.replace(/^\/\//, '');
      if (!path)
        throw new Error(`STORAGE_URL ${scheme}:// needs a directory path after it, e.g. ${scheme}:///var/lib/ai-implement`);
      return { kind: 'unstorage', target: { driver: 'fs', base: resolve(path) } };
    }
    case 'redis':
    case 'rediss':
      checkServerUrl(scheme, URL.canParse(url));
      return { kind: 'unstorage', target: { driver: 'redis', url } };
    default:
      throw new Error(`STORAGE_URL has an unsupported scheme "${scheme}:"; use ${SUPPORTED}`);
  }
}

/**
 * A server URL that its client cannot parse is a configuration error, not an unreachable store:
 * pg throws "Invalid URL" (which STORAGE_WAIT=1 would retry for ever), and ioredis falls back to
 * localhost:6379 after printing the whole URL, password included, in a deprecation warning.
 */
function checkServerUrl(scheme: string, valid: boolean): void {
  if (!valid) {
    throw new Error(
      `STORAGE_URL is not a valid ${scheme}:// URL (user@host:port/database; characters such as @ # / ? % in a password must be percent-encoded)`,
    );
  }
}

/** What pg-connection-string accepts: spaces and stray % encoded first, a socket URL's empty host allowed. */
function isPostgresUrl(url: string): boolean {
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url;
  return URL.canParse(encoded) || URL.canParse(encoded.replace('@/', '@___DUMMY___/'));
}
