import type { ModelCatalog, ModelInfo, ProviderModels } from '../../ports/model-catalog.port.js';
import { describeAwsError, listBedrockModels } from './bedrock-models.js';

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
  /** Bedrock's control-plane endpoint for every region (`AWS_ENDPOINT_URL_BEDROCK`), else each region's own. */
  bedrockEndpoint?: string;
  timeoutMs?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The ModelCatalog port: Anthropic's model list API through its SDK (every page), with the
 * key the sessions use; Bedrock's foundation models through the AWS SDK, per region, with the
 * AWS credentials the sessions use.
 */
export function createModelCatalog(options: ModelCatalogOptions = {}): ModelCatalog {
  return {
    async list(provider, { apiKey, region, awsCredentials }): Promise<ProviderModels> {
      const builtIn = (note: string): ProviderModels => ({
        provider,
        source: 'builtin',
        ...(region ? { region } : {}),
        models: BUILT_IN_MODELS[provider],
        note,
      });
      if (provider === 'bedrock') {
        if (!awsCredentials)
          return builtIn('No AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY secrets configured: the built-in list');
        const inRegion = region ?? 'us-east-1';
        try {
          const models = await listBedrockModels({
            region: inRegion,
            credentials: awsCredentials,
            ...(options.bedrockEndpoint ? { endpoint: options.bedrockEndpoint } : {}),
            timeoutMs: options.timeoutMs ?? 10_000,
          });
          return { provider, source: 'api', region: inRegion, models };
        } catch (error) {
          return builtIn(`Bedrock’s model list failed (${describeAwsError(error)}): the built-in list`);
        }
      }
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
