import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';

let root = '';
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the agent CLI install the sandbox shows', () => {
  it('is the directory on PATH and the one its link resolves to, when outside the system', async () => {
    root = await mkdtemp(join(tmpdir(), 'ai-implement-install-'));
    const bin = join(root, 'home', '.local', 'bin');
    const share = join(root, 'home', '.local', 'share', 'claude', 'versions');
    await mkdir(bin, { recursive: true });
    await mkdir(share, { recursive: true });
    await writeFile(join(share, '2.0.0'), '#!/bin/sh\n');
    await chmod(join(share, '2.0.0'), 0o755);
    await symlink(join(share, '2.0.0'), join(bin, 'claude'));
    expect(agentInstallDirs('claude', `/usr/bin:${bin}`)).toEqual([bin, share]);
  });

  it('adds nothing for a system program or one not installed', () => {
    expect(agentInstallDirs('sh', '/usr/bin:/bin')).toEqual([]);
    expect(agentInstallDirs('no-such-agent-cli-xyz', '/usr/bin:/bin')).toEqual([]);
  });
});
