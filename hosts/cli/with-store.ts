import { createStorage } from '../../adapters/storage/create-storage.js';
import { type Config, loadConfig } from '../config.js';
import type { CliIo } from './cli-io.js';

/**
 * Runs a maintenance command against the store the environment names (DATA_DIR/STORAGE_URL),
 * closed afterwards. A configuration error or a thrown failure is one line on stderr, prefixed
 * with `what` (`storage import`), and exit code 1; messages never carry the URL.
 */
export async function withConfiguredStore(
  env: Record<string, string | undefined>,
  io: CliIo,
  what: string,
  work: (storage: Awaited<ReturnType<typeof createStorage>>, config: Config) => Promise<number>,
): Promise<number> {
  const config = loadConfig(env);
  if (config.isErr()) {
    io.err(config.error);
    return 1;
  }
  const { dataDir, storageUrl } = config.value;
  try {
    const storage = await createStorage({ dataDir, ...(storageUrl ? { storageUrl } : {}), importLegacy: false });
    try {
      return await work(storage, config.value);
    } finally {
      await storage.close();
    }
  } catch (error) {
    io.err(`${what} failed: ${error instanceof Error ? error.message : 'unknown error'}`);
    return 1;
  }
}
