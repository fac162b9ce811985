import { type EgressProxy, startEgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import { DEFAULT_EGRESS_HOSTS, type EgressRule, parseEgressRule } from '../../core/domain/egress.js';
import type { SessionConfig } from './session-env.js';

/**
 * What the agent's sandbox may reach: the model provider and the public package registries
 * (`DEFAULT_EGRESS_HOSTS`), the forge the run works on (GitHub's web and API hosts, GHES's
 * too), the model API the agent was pointed at (`ANTHROPIC_BASE_URL`), and the operator's
 * `AI_IMPLEMENT_EGRESS_ALLOW`.
 */
export function sessionEgressRules(config: SessionConfig): EgressRule[] {
  const entries: string[] = [...DEFAULT_EGRESS_HOSTS];
  if (config.forge === 'github') entries.push(config.githubServerUrl, config.githubApiUrl);
  const modelUrl = config.agentEnv.ANTHROPIC_BASE_URL;
  if (modelUrl) entries.push(modelUrl);
  const rules = entries.map(parseEgressRule).filter((r): r is EgressRule => r !== undefined);
  return [...rules, ...config.sandbox.egressAllow];
}

/** The session's egress proxy when its sandbox confines the network; none for `off` or `open`. */
export async function startSessionEgress(config: SessionConfig): Promise<EgressProxy | undefined> {
  if (config.sandbox.mode !== 'bwrap' || config.sandbox.egress !== 'allow-list') return undefined;
  return startEgressProxy({ rules: sessionEgressRules(config) });
}
