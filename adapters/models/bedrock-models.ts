import type { AwsCredentials, ModelInfo } from '../../ports/model-catalog.port.js';

export interface BedrockModelsOptions {
  region: string;
  credentials: AwsCredentials;
  /** Bedrock's control-plane endpoint (`AWS_ENDPOINT_URL_BEDROCK`); the region's own unless set. */
  endpoint?: string;
  timeoutMs: number;
}

/**
 * Bedrock's foundation models in one region through the AWS SDK (`ListFoundationModels`, one
 * request, no paging in that API), narrowed to what a session can run: Anthropic's text models
 * whose lifecycle is ACTIVE. Throws the SDK's error (its `name` is AWS's error code).
 * The SDK is loaded on first use: a process that never lists models never pays for it.
 */
export async function listBedrockModels(options: BedrockModelsOptions): Promise<ModelInfo[]> {
  const { BedrockClient, ListFoundationModelsCommand } = await import('@aws-sdk/client-bedrock');
  const client = new BedrockClient({
    region: options.region,
    credentials: options.credentials,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // One attempt: a failure falls back to the built-in list, and the answer is cached.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
  });
  try {
    const answer = await client.send(new ListFoundationModelsCommand({ byProvider: 'Anthropic', byOutputModality: 'TEXT' }), {
      abortSignal: AbortSignal.timeout(options.timeoutMs),
    });
    return (answer.modelSummaries ?? [])
      .filter((m) => m.modelId && m.providerName?.toLowerCase() === 'anthropic')
      .filter((m) => (m.modelLifecycle?.status ?? 'ACTIVE') === 'ACTIVE')
      .map((m) => ({ id: m.modelId!, name: m.modelName ?? m.modelId! }));
  } finally {
    client.destroy();
  }
}

/** "403 AccessDeniedException: …": AWS's status, error code and message, never the credentials. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = error.name && error.name !== 'Error' ? error.name : undefined;
  return [status, code ? `${code}:` : undefined, error.message].filter(Boolean).join(' ').replace(/:$/, '');
}
