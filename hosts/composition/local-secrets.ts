import { createLocalSecrets, type LocalSecrets, type SecretUnlocker } from '../../adapters/secrets/local/local.secrets.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { collection, type Storage } from '../../ports/storage.port.js';

/** Where the local secret store is persisted (Storage records). */
const LOCAL_SECRETS = collection<Record<string, string>>('local-secrets');

/**
 * The orchestrator's own secret store on its Storage. Its data key is wrapped under
 * `RUNNER_TOKEN_SECRET` (HKDF: a random machine secret) and under `ADMIN_ACCESS_CODE` (scrypt:
 * human-chosen), whichever are set; either one opens it, and the other is wrapped again on
 * that open, so changing one of them at a time keeps every secret. Undefined when neither is set.
 */
export function createConfiguredLocalSecrets(
  config: Pick<CoreSettings, 'runnerTokenSecret' | 'adminAccessCode'>,
  storage: Storage,
): LocalSecrets | undefined {
  const unlockers: SecretUnlocker[] = [];
  if (config.runnerTokenSecret) unlockers.push({ slot: 'RUNNER_TOKEN_SECRET', secret: config.runnerTokenSecret, kdf: 'hkdf' });
  if (config.adminAccessCode) unlockers.push({ slot: 'ADMIN_ACCESS_CODE', secret: config.adminAccessCode, kdf: 'scrypt' });
  if (unlockers.length === 0) return undefined;
  return createLocalSecrets({
    unlockers,
    load: () => storage.documents.get(LOCAL_SECRETS, 'store'),
    save: (data) => storage.documents.put(LOCAL_SECRETS, 'store', data),
  });
}
