import type { Clock } from '../../../ports/clock.port.js';
import type { ModelCatalog, ProviderModels } from '../../../ports/model-catalog.port.js';
import type { Secrets } from '../../../ports/secrets.port.js';
import type { Storage } from '../../../ports/storage.port.js';

/** The secret holding the Anthropic key the sessions receive. */
export const ANTHROPIC_KEY_SECRET = 'ANTHROPIC_API_KEY';
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
      const revealed = await secrets.reveal([ANTHROPIC_KEY_SECRET]);
      const apiKey = revealed.isOk() ? revealed.value[ANTHROPIC_KEY_SECRET] : undefined;
      const anthropic = await cached(`anthropic:${apiKey ? 'key' : 'none'}`, () =>
        modelCatalog.list('anthropic', apiKey ? { apiKey } : {}),
      );
      const bedrock = await Promise.all(
        regions.map((region) => cached(`bedrock:${region}`, () => modelCatalog.list('bedrock', { region }))),
      );
      return { providers: [anthropic, ...bedrock] };
    },
  };
}
