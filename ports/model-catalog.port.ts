import type { Provider } from '../core/domain/model.js';

export interface ModelInfo {
  id: string;
  name: string;
  createdAt?: string;
}

/** Where a provider's list came from: its API, or the built-in list when no key or region is configured or the API failed. */
export interface ProviderModels {
  provider: Provider;
  source: 'api' | 'builtin';
  /** Bedrock: the region asked. */
  region?: string;
  models: ModelInfo[];
  /** Why the built-in list is shown (no key configured, the API's error). */
  note?: string;
}

/** AWS credentials as the sessions receive them (the `AWS_ACCESS_KEY_ID`… secrets). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** ModelCatalog — the models a provider offers (adapters/models). */
export interface ModelCatalog {
  /**
   * `apiKey`: Anthropic's key as the sessions receive it; `awsCredentials` and `region`:
   * Bedrock's. Without them, or when the provider's API fails, the built-in list with a note.
   */
  list(
    provider: Provider,
    options: { apiKey?: string; region?: string; awsCredentials?: AwsCredentials },
  ): Promise<ProviderModels>;
}
