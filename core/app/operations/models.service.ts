import type { Clock } from '../../../ports/clock.port.js';
import type { AwsCredentials, ModelCatalog, ProviderModels } from '../../../ports/model-catalog.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import type { Storage } from '../../../ports/storage.port.js';

/** The secret holding the Anthropic key the sessions receive. */
export const ANTHROPIC_KEY_SECRET = 'ANTHROPIC_API_KEY';
/** The secrets holding the AWS credentials the sessions receive for Bedrock (the session token is optional). */
export const AWS_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
export const MODELS_CACHE_MS = 10 * 60_000;

export interface ModelsDeps {
  storage: Storage;
  clock: Clock;
  secrets: Secrets;
  modelCatalog: ModelCatalog;
}

export interface ModelsView {
  providers: (ProviderModels & { fetchedAt: number })[];
}

export interface ModelsService {
  list(): Promise<ModelsView>;
}

/**
 * `GET /api/v1/models`: Anthropic's models, and Bedrock's for each region a mapping uses,
 * each cached for ten minutes.
 */
export function createModelsService({ storage, clock, secrets, modelCatalog }: ModelsDeps): ModelsService {
  const cache = new Map<string, ProviderModels & { fetchedAt: number }>();

  async function cached(key: string, load: () => Promise<ProviderModels>) {
    const hit = cache.get(key);
    if (hit && clock.now() - hit.fetchedAt < MODELS_CACHE_MS) return hit;
    const fresh = { ...(await load()), fetchedAt: clock.now() };
    cache.set(key, fresh);
    return fresh;
  }

  return {
    async list() {
      const mappings = await storage.mappings.list();
      const regions = [
        ...new Set(mappings.filter((m) => m.provider === 'bedrock').map((m) => m.awsRegion ?? 'us-east-1')),
      ].sort();
      const revealed = await secrets.reveal([ANTHROPIC_KEY_SECRET, ...AWS_SECRETS]);
      const values = revealed.isOk() ? revealed.value : {};
      const apiKey = values[ANTHROPIC_KEY_SECRET];
      const awsCredentials = awsCredentialsOf(values);
      const anthropic = await cached(`anthropic:${apiKey ? 'key' : 'none'}`, () =>
        modelCatalog.list('anthropic', apiKey ? { apiKey } : {}),
      );
      const bedrock = await Promise.all(
        regions.map((region) =>
          // Keyed by the key id (not secret): new credentials ask again at once.
          cached(`bedrock:${region}:${awsCredentials?.accessKeyId ?? 'none'}`, () =>
            modelCatalog.list('bedrock', { region, ...(awsCredentials ? { awsCredentials } : {}) }),
          ),
        ),
      );
      return { providers: [anthropic, ...bedrock] };
    },
  };
}

function awsCredentialsOf(values: Record<string, string>): AwsCredentials | undefined {
  const [keyId, secret, session] = AWS_SECRETS.map((name) => values[name]);
  if (!keyId || !secret) return undefined;
  return { accessKeyId: keyId, secretAccessKey: secret, ...(session ? { sessionToken: session } : {}) };
}
