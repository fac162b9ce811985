import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBwrap } from '../../../adapters/sandbox/bwrap.sandbox.js';
import { agentSandboxStatus } from '../../../hosts/composition/agent-sandbox-status.js';

const empty = mkdtempSync(join(tmpdir(), 'no-bwrap-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
const PATH = process.env.PATH ?? '/usr/bin:/bin';

describe('the agent sandbox as config-status tells it', () => {
  it('is fine with bubblewrap and the default allow-list, naming how many extra hosts the operator allowed', () => {
    expect(findBwrap(PATH)).toBeTruthy();
    expect(agentSandboxStatus({ PATH })).toEqual({
      ok: true,
      detail:
        'bubblewrap; egress allow-list (the model provider, the package registries, the forge), refused requests listed on the ticket',
    });
    expect(agentSandboxStatus({ PATH, AI_IMPLEMENT_EGRESS_ALLOW: 'a.example b.example:8443' }).detail).toContain(
      'the forge and 2 host(s) of AI_IMPLEMENT_EGRESS_ALLOW',
    );
    expect(agentSandboxStatus({ PATH, AI_IMPLEMENT_EGRESS: 'open' })).toMatchObject({
      ok: true,
      detail: expect.stringContaining('egress open'),
    });
  });

  it('is not fine without bubblewrap, with the sandbox off, or with settings a session refuses', () => {
    expect(agentSandboxStatus({ PATH: empty })).toMatchObject({ ok: false, detail: expect.stringContaining('bwrap) not found') });
    expect(agentSandboxStatus({ PATH, AI_IMPLEMENT_SANDBOX: 'off' })).toMatchObject({
      ok: false,
      detail: 'AI_IMPLEMENT_SANDBOX=off: local sessions run the agent unconfined',
    });
    expect(agentSandboxStatus({ PATH, AI_IMPLEMENT_EGRESS: 'wide' }).ok).toBe(false);
    const bad = agentSandboxStatus({ PATH, AI_IMPLEMENT_EGRESS_ALLOW: 'secret-host/with/path' });
    expect(bad.ok).toBe(false);
    // Names the variable, never its value.
    expect(bad.detail).not.toContain('secret-host');
  });
});
