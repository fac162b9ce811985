import { describe, expect, it } from 'vitest';
import { egressAllows } from '../../core/domain/egress.js';
import { sessionEgressRules, startSessionEgress } from '../../hosts/session/session-egress.js';
import { readSessionEnv } from '../../hosts/session/session-env.js';
import { SESSION_RUN_ENV } from './session-run-env.js';

const RUN = SESSION_RUN_ENV;

describe("the session's egress settings", () => {
  it('default to the allow-list: the model provider, the registries and the forge, not the orchestrator nor anything else', () => {
    const config = readSessionEnv({ ...RUN, AI_IMPLEMENT_GITHUB_API_URL: 'https://ghe.corp.example/api/v3' })._unsafeUnwrap();
    expect(config.sandbox.egress).toBe('allow-list');
    const rules = sessionEgressRules(config);
    for (const host of ['api.anthropic.com', 'registry.npmjs.org', 'pypi.org', 'ghe.corp.example'])
      expect(egressAllows(rules, host, 443), host).toBe(true);
    for (const host of ['orchestrator.example', 'github.com', 'evil.example', '169.254.169.254'])
      expect(egressAllows(rules, host, 443), host).toBe(false);
  });

  it("add the agent's ANTHROPIC_BASE_URL and the operator's AI_IMPLEMENT_EGRESS_ALLOW", () => {
    const config = readSessionEnv({
      ...RUN,
      ANTHROPIC_BASE_URL: 'https://llm-gateway.corp.example:8443/anthropic',
      AI_IMPLEMENT_EGRESS_ALLOW: 'npm.corp.example, *.pkg.corp.example 10.0.0.5:3000',
    })._unsafeUnwrap();
    const rules = sessionEgressRules(config);
    expect(egressAllows(rules, 'llm-gateway.corp.example', 8443)).toBe(true);
    expect(egressAllows(rules, 'npm.corp.example', 443)).toBe(true);
    expect(egressAllows(rules, 'pypi.pkg.corp.example', 443)).toBe(true);
    expect(egressAllows(rules, '10.0.0.5', 3000)).toBe(true);
    expect(egressAllows(rules, '10.0.0.5', 443)).toBe(false);
  });

  it('refuse an unknown mode and an entry that is no host, naming it', () => {
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_EGRESS: 'maybe' })._unsafeUnwrapErr()).toBe(
      'session: AI_IMPLEMENT_EGRESS must be allow-list or open',
    );
    expect(readSessionEnv({ ...RUN, AI_IMPLEMENT_EGRESS_ALLOW: 'ok.example, bad/host' })._unsafeUnwrapErr()).toBe(
      'session: AI_IMPLEMENT_EGRESS_ALLOW has entries that are no host: bad/host',
    );
  });

  it('start no proxy when the network is open or the sandbox is off, and one for the allow-list', async () => {
    const open = readSessionEnv({ ...RUN, AI_IMPLEMENT_EGRESS: 'open' })._unsafeUnwrap();
    const off = readSessionEnv({ ...RUN, AI_IMPLEMENT_SANDBOX: 'off' })._unsafeUnwrap();
    expect(await startSessionEgress(open)).toBeUndefined();
    expect(await startSessionEgress(off)).toBeUndefined();
    const proxy = await startSessionEgress(readSessionEnv(RUN)._unsafeUnwrap());
    expect(proxy?.dir).toBeTruthy();
    await proxy?.close();
  });

  it('read AI_IMPLEMENT_SANDBOX_MASK as absolute paths', () => {
    const config = readSessionEnv({
      ...RUN,
      AI_IMPLEMENT_SANDBOX_MASK: '/etc/app/secret.env:relative:/srv/keys',
    })._unsafeUnwrap();
    expect(config.sandbox.mask).toEqual(['/etc/app/secret.env', '/srv/keys']);
  });
});
