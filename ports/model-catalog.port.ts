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

/** ModelCatalog — the models a provider offers (adapters/models). */
export interface ModelCatalog {
  /** `apiKey`: the provider's key as the sessions receive it, when there is one. */
  list(provider: Provider, options: { apiKey?: string; region?: string }): Promise<ProviderModels>;
}
