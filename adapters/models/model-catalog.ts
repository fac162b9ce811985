import type { ModelCatalog, ModelInfo, ProviderModels } from '../../ports/model-catalog.port.js';

/** What is shown when a provider's API cannot be asked (no key, or it failed). */
export const BUILT_IN_MODELS: Record<'anthropic' | 'bedrock', ModelInfo[]> = {
  anthropic: [
    { id: 'claude-opus-4-1-20250805', name: 'Claude Opus 4.1' },
    { id: 'claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5' },
    { id: 'claude-haiku-4-5-20251001', name: 'Claude Haiku 4.5' },
    { id: 'claude-sonnet-4-20250514', name: 'Claude Sonnet 4' },
  ],
  bedrock: [
    { id: 'anthropic.claude-opus-4-1-20250805-v1:0', name: 'Claude Opus 4.1' },
    { id: 'anthropic.claude-sonnet-4-5-20250929-v1:0', name: 'Claude Sonnet 4.5' },
    { id: 'anthropic.claude-haiku-4-5-20251001-v1:0', name: 'Claude Haiku 4.5' },
    { id: 'anthropic.claude-sonnet-4-20250514-v1:0', name: 'Claude Sonnet 4' },
  ],
};

export interface ModelCatalogOptions {
  /** Anthropic's API (`ANTHROPIC_BASE_URL`, else api.anthropic.com). */
  anthropicBaseUrl?: string;
  timeoutMs?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The ModelCatalog port: Anthropic's model list API through its SDK (every page), with the
 * key the sessions use. Bedrock's list is the built-in one (the AWS SDK is not wired yet).
 */
export function createModelCatalog(options: ModelCatalogOptions = {}): ModelCatalog {
  return {
    async list(provider, { apiKey, region }): Promise<ProviderModels> {
      const builtIn = (note: string): ProviderModels => ({
        provider,
        source: 'builtin',
        ...(region ? { region } : {}),
        models: BUILT_IN_MODELS[provider],
        note,
      });
      if (provider === 'bedrock') return builtIn('Bedrock’s model list is not asked yet: the built-in list');
      if (!apiKey) return builtIn('No ANTHROPIC_API_KEY secret configured: the built-in list');
      // Loaded on first use: the SDK is not worth its start-up cost for a process that never lists models.
      const { default: Anthropic } = await import('@anthropic-ai/sdk');
      const client = new Anthropic({
        apiKey,
        ...(options.anthropicBaseUrl ? { baseURL: options.anthropicBaseUrl } : {}),
        maxRetries: 0,
        timeout: options.timeoutMs ?? 10_000,
      });
      try {
        const models: ModelInfo[] = [];
        for await (const model of client.models.list({ limit: 100 })) {
          models.push({ id: model.id, name: model.display_name, createdAt: model.created_at });
        }
        return { provider, source: 'api', models };
      } catch (error) {
        return builtIn(`Anthropic’s model list failed (${messageOf(error)}): the built-in list`);
      }
    },
  };
}
