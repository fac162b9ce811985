import { createStorage } from '../../adapters/storage/create-storage.js';
import { importJsonStore } from '../../adapters/storage/json-import.js';
import { describeCounts } from '../../adapters/storage/snapshot.js';
import { loadConfig } from '../config.js';

export const STORAGE_USAGE = 'Usage: ai-implement storage import FILE';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `ai-implement storage import FILE`: brings a JSON store of an earlier version (the lowdb
 * file) into the store DATA_DIR/STORAGE_URL name, all or nothing, and renames FILE to
 * FILE.imported. The store must be empty. Messages name files and counts, never the URL.
 */
export async function storageCommand(args: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [action, file, ...extra] = args;
  if (action !== 'import' || !file || extra.length > 0) {
    io.err(STORAGE_USAGE);
    return 2;
  }
  const config = loadConfig(env);
  if (config.isErr()) {
    io.err(config.error);
    return 1;
  }
  const { dataDir, storageUrl } = config.value;
  try {
    const storage = await createStorage({ dataDir, ...(storageUrl ? { storageUrl } : {}), importLegacy: false });
    try {
      const counts = await importJsonStore(storage, file);
      io.out(`imported ${file} (${describeCounts(counts)}); it is now ${file}.imported`);
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    io.err(`storage import failed: ${error instanceof Error ? error.message : 'unknown error'}`);
    return 1;
  }
}
