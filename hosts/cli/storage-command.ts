import { writeJsonStore } from '../../adapters/storage/json-export.js';
import { importJsonStore } from '../../adapters/storage/json-import.js';
import { countSnapshot, describeCounts } from '../../adapters/storage/snapshot.js';
import type { CliIo } from './cli-io.js';
import { withConfiguredStore } from './with-store.js';

export const STORAGE_USAGE = 'Usage: ai-implement storage import FILE | ai-implement storage export FILE';

/**
 * `ai-implement storage import FILE`: brings a JSON store of an earlier version (the lowdb
 * file) into the store DATA_DIR/STORAGE_URL name, all or nothing, and renames FILE to
 * FILE.imported. The store must be empty. `ai-implement storage export FILE` writes the
 * configured store (any adapter) as such a file (new, 0600), so a store moves to any other
 * adapter; usage goes with it, the connector and security event logs do not. Messages name
 * files and counts, never the URL.
 */
export async function storageCommand(args: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [action, file, ...extra] = args;
  if ((action !== 'import' && action !== 'export') || !file || extra.length > 0) {
    io.err(STORAGE_USAGE);
    return 2;
  }
  if (action === 'export') {
    return withConfiguredStore(env, io, 'storage export', async (storage) => {
      const snapshot = await storage.exportSnapshot();
      await writeJsonStore(snapshot, file);
      io.out(`exported ${file} (${describeCounts(countSnapshot(snapshot))})`);
      return 0;
    });
  }
  return withConfiguredStore(env, io, 'storage import', async (storage) => {
    const counts = await importJsonStore(storage, file);
    io.out(`imported ${file} (${describeCounts(counts)}); it is now ${file}.imported`);
    return 0;
  });
}
