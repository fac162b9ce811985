import { createConfiguredLocalSecrets } from '../composition/local-secrets.js';
import type { CliIo } from './cli-io.js';
import { withConfiguredStore } from './with-store.js';

export const SECRETS_USAGE = 'Usage: ai-implement secrets rotate';

/**
 * `ai-implement secrets rotate`: re-encrypts every secret of the orchestrator's own store
 * (DATA_DIR/STORAGE_URL) under a new random data key, wrapped under the operator secrets now
 * configured (RUNNER_TOKEN_SECRET, ADMIN_ACCESS_CODE) only. Run it after one of them leaked and
 * was changed; run it with the server stopped (a `set` on a running server at the same moment
 * may be lost). Prints the new key id and the count, never a value.
 */
export async function secretsCommand(args: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0] !== 'rotate') {
    io.err(SECRETS_USAGE);
    return 2;
  }
  return withConfiguredStore(env, io, 'secrets rotate', async (storage, config) => {
    const secrets = createConfiguredLocalSecrets(config, storage);
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
  });
}
