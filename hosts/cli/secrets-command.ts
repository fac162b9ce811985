import { createStorage } from '../../adapters/storage/create-storage.js';
import { createConfiguredLocalSecrets } from '../composition/local-secrets.js';
import { loadConfig } from '../config.js';

export const SECRETS_USAGE = 'Usage: ai-implement secrets rotate';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `ai-implement secrets rotate`: re-encrypts every secret of the orchestrator's own store
 * (DATA_DIR/STORAGE_URL) under a new random data key, wrapped under the operator secrets now
 * configured (RUNNER_TOKEN_SECRET, ADMIN_ACCESS_CODE) only. Run it after one of them leaked and
 * was changed; run it with the server stopped (a `set` on a running server at the same moment
 * may be lost). Prints the new key id and the count, never a value.
 */
export async function secretsCommand(args: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  if (args.length !== 1 || args[0] !== 'rotate') {
    io.err(SECRETS_USAGE);
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
      const secrets = createConfiguredLocalSecrets(config.value, storage);
      if (!secrets) {
        io.err('secrets rotate: set RUNNER_TOKEN_SECRET or ADMIN_ACCESS_CODE (the secrets that open the store)');
        return 1;
      }
      const rotated = await secrets.rotate();
      if (rotated.isErr()) {
        io.err(`secrets rotate failed: ${rotated.error.message}`);
        return 1;
      }
      io.out(`rotated ${rotated.value.count} secret(s) to key ${rotated.value.keyId}`);
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    io.err(`secrets rotate failed: ${error instanceof Error ? error.message : 'unknown error'}`);
    return 1;
  }
}
