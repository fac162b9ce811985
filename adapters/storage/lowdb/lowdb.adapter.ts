import type { Storage } from '../../../ports/storage.port.js';
import { createDocumentStorage } from '../document/document-storage.js';
import type { SnapshotImport } from '../snapshot.js';
import { openLowdbBackend } from './lowdb-backend.js';

export interface LowdbStorageOptions {
  /** The JSON file that holds everything; its directory is created when missing. */
  file: string;
  /** Decides when claims and leases lapse; injected so tests need not wait. */
  now?: () => number;
}

/**
 * A readable single-file store for small installs (`STORAGE_URL=lowdb:`): one JSON file that
 * an operator can read and back up by copying. One process only: two processes on one file
 * would overwrite each other's changes. Every operation is atomic within the process (see
 * document-storage.ts); the whole file is rewritten on every change, so it suits hundreds of
 * jobs, not hundreds of thousands.
 */
export async function createLowdbStorage(options: LowdbStorageOptions): Promise<Storage & SnapshotImport> {
  return createDocumentStorage(await openLowdbBackend(options.file), options.now ? { now: options.now } : {});
}
