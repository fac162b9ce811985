import { findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { parseEgressAllow } from '../../core/domain/egress.js';

/**
 * What config-status says of the agent's sandbox on this machine (issue 13: "a runner that
 * cannot sandbox refuses to start an agent unless the operator says off, and doctor and
 * config-status say so"): bubblewrap found or not, `AI_IMPLEMENT_SANDBOX=off`, and the egress
 * mode with the operator's extra hosts. Names variables, never a value of one.
 */
export function agentSandboxStatus(env: NodeJS.ProcessEnv = process.env): { ok: boolean; detail: string } {
  if (env.AI_IMPLEMENT_SANDBOX === 'off')
    return { ok: false, detail: 'AI_IMPLEMENT_SANDBOX=off: local sessions run the agent unconfined' };
  const bwrap = findBwrap(env.PATH);
  if (!bwrap)
    return {
      ok: false,
      detail:
        "bubblewrap (bwrap) not found: local sessions refuse to run the agent (install Debian's bubblewrap, or set AI_IMPLEMENT_SANDBOX=off)",
    };
  const egress = env.AI_IMPLEMENT_EGRESS?.trim() || 'allow-list';
  if (egress === 'open')
    return { ok: true, detail: "bubblewrap; egress open (AI_IMPLEMENT_EGRESS=open): the sandbox shares this machine's network" };
  if (egress !== 'allow-list')
    return { ok: false, detail: 'AI_IMPLEMENT_EGRESS must be allow-list or open: sessions refuse to start' };
  const extra = parseEgressAllow(env.AI_IMPLEMENT_EGRESS_ALLOW ?? '');
  if (extra.invalid.length > 0)
    return { ok: false, detail: 'AI_IMPLEMENT_EGRESS_ALLOW has entries that are no host: sessions refuse to start' };
  const more = extra.rules.length > 0 ? ` and ${extra.rules.length} host(s) of AI_IMPLEMENT_EGRESS_ALLOW` : '';
  return {
    ok: true,
    detail: `bubblewrap; egress allow-list (the model provider, the package registries, the forge${more}), refused requests listed on the ticket`,
  };
}
