import type { AwsKeys } from '../../adapters/sandbox/bedrock-signer.js';
import {
  type AnthropicCredentials,
  MODEL_AUTH_TOKEN_PLACEHOLDER,
  MODEL_KEY_PLACEHOLDER,
  MODEL_OAUTH_TOKEN_PLACEHOLDER,
  type ModelKeyProxy,
  startModelKeyProxy,
} from '../../adapters/sandbox/model-key-proxy.js';
import type { SessionConfig } from './session-env.js';

const ANTHROPIC_API = 'https://api.anthropic.com';

/** The Anthropic credentials the proxy keeps, by variable, and what the agent gets instead. */
const ANTHROPIC_CREDENTIALS: readonly { name: string; field: keyof AnthropicCredentials; placeholder: string }[] = [
  { name: 'ANTHROPIC_API_KEY', field: 'apiKey', placeholder: MODEL_KEY_PLACEHOLDER },
  { name: 'ANTHROPIC_AUTH_TOKEN', field: 'authToken', placeholder: MODEL_AUTH_TOKEN_PLACEHOLDER },
  { name: 'CLAUDE_CODE_OAUTH_TOKEN', field: 'oauthToken', placeholder: MODEL_OAUTH_TOKEN_PLACEHOLDER },
];

/** Claude Code's reading of a flag such as `CLAUDE_CODE_USE_BEDROCK`. */
const truthy = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value?.trim() ?? '');

export interface SessionModelProxy {
  proxy: ModelKeyProxy;
  /** What the proxy holds (keys, tokens, the bases it was given): redacted from everything the run reports, as before. */
  secrets: string[];
  /** The agent's environment: placeholders for the tokens, no AWS keys, no base of the mapping's. */
  agentEnv: Record<string, string>;
  /** The variables the sandbox points at the proxy for the agent (`ANTHROPIC_BASE_URL`, `ANTHROPIC_BEDROCK_BASE_URL`). */
  baseUrls: string[];
}

/**
 * The model key proxy when the agent is sandboxed and holds a model credential: the session
 * keeps it, and the sandbox reaches the API through the proxy (`bwrap.sandbox.ts`'s `modelApi`).
 *
 * - `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN`, `CLAUDE_CODE_OAUTH_TOKEN`: each becomes its
 *   placeholder in the same variable, so Claude Code sends the same header and the proxy puts
 *   the real value in it; the mapping's `ANTHROPIC_BASE_URL` becomes the proxy's upstream.
 * - Bedrock (`CLAUDE_CODE_USE_BEDROCK` with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, or
 *   a Bedrock API key, `AWS_BEARER_TOKEN_BEDROCK`): they (and `AWS_SESSION_TOKEN`) leave the
 *   agent's environment, which gets `CLAUDE_CODE_SKIP_BEDROCK_AUTH=1` instead; the proxy signs
 *   for `AWS_REGION` (or sends the API key, which wins) to the mapping's
 *   `ANTHROPIC_BEDROCK_BASE_URL`, else the region's runtime endpoint.
 *
 * None with `AI_IMPLEMENT_SANDBOX=off` (nothing to keep them from) or without any of them.
 */
export async function startSessionModelProxy(config: SessionConfig): Promise<SessionModelProxy | undefined> {
  if (config.sandbox.mode !== 'bwrap') return undefined;
  const env = { ...config.agentEnv };
  const secrets: string[] = [];
  const take = (name: string) => {
    const value = env[name];
    delete env[name];
    if (value) secrets.push(value);
    return value || undefined;
  };

  const held: AnthropicCredentials = {};
  for (const { name, field, placeholder } of ANTHROPIC_CREDENTIALS) {
    const value = take(name);
    if (value) {
      held[field] = value;
      env[name] = placeholder;
    }
  }
  const anthropic = Object.keys(held).length > 0 ? { ...held, upstream: take('ANTHROPIC_BASE_URL') ?? ANTHROPIC_API } : undefined;

  let bedrock: { upstream: string; region: string; keys?: AwsKeys; bearerToken?: string } | undefined;
  const hasKeys = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  if (truthy(env.CLAUDE_CODE_USE_BEDROCK) && (hasKeys || env.AWS_BEARER_TOKEN_BEDROCK)) {
    // As the Anthropic Bedrock SDK picks it.
    const region = env.AWS_REGION || 'us-east-1';
    if (!/^[a-z0-9-]+$/.test(region)) throw new Error(`AWS_REGION is not a region name: ${region}`);
    const bearerToken = take('AWS_BEARER_TOKEN_BEDROCK');
    const accessKeyId = take('AWS_ACCESS_KEY_ID') ?? '';
    const secretAccessKey = take('AWS_SECRET_ACCESS_KEY') ?? '';
    const sessionToken = take('AWS_SESSION_TOKEN');
    bedrock = {
      upstream: take('ANTHROPIC_BEDROCK_BASE_URL') ?? `https://bedrock-runtime.${region}.amazonaws.com`,
      region,
      ...(bearerToken ? { bearerToken } : {}),
      ...(hasKeys ? { keys: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    };
    env.CLAUDE_CODE_SKIP_BEDROCK_AUTH = '1';
  }
  if (!anthropic && !bedrock) return undefined;

  const proxy = await startModelKeyProxy({ ...(anthropic ? { anthropic } : {}), ...(bedrock ? { bedrock } : {}) });
  const baseUrls = [...(anthropic ? ['ANTHROPIC_BASE_URL'] : []), ...(bedrock ? ['ANTHROPIC_BEDROCK_BASE_URL'] : [])];
  return { proxy, secrets, agentEnv: env, baseUrls };
}
