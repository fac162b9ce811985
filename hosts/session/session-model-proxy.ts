import { MODEL_KEY_PLACEHOLDER, type ModelKeyProxy, startModelKeyProxy } from '../../adapters/sandbox/model-key-proxy.js';
import type { SessionConfig } from './session-env.js';

const ANTHROPIC_API = 'https://api.anthropic.com';

export interface SessionModelProxy {
  proxy: ModelKeyProxy;
  /** The key the proxy adds: redacted from everything the run reports, as before. */
  apiKey: string;
  /** The agent's environment without the key (a placeholder) or the API's base (the proxy's upstream). */
  agentEnv: Record<string, string>;
}

/**
 * The model key proxy when the agent is sandboxed and holds an Anthropic key: the key stays
 * in the session, and the sandbox reaches the API through the proxy (`bwrap.sandbox.ts`'s
 * `modelApi`). None with `AI_IMPLEMENT_SANDBOX=off` (nothing to keep the key from) or without
 * `ANTHROPIC_API_KEY` (Bedrock's AWS keys are not covered: they sign each request).
 */
export async function startSessionModelProxy(config: SessionConfig): Promise<SessionModelProxy | undefined> {
  const apiKey = config.agentEnv.ANTHROPIC_API_KEY;
  if (config.sandbox.mode !== 'bwrap' || !apiKey) return undefined;
  const { ANTHROPIC_BASE_URL: upstream, ...rest } = config.agentEnv;
  const proxy = await startModelKeyProxy({ apiKey, upstream: upstream || ANTHROPIC_API });
  return { proxy, apiKey, agentEnv: { ...rest, ANTHROPIC_API_KEY: MODEL_KEY_PLACEHOLDER } };
}
