import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBwrapSandbox, findBwrap, SANDBOX_HOME } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createShell } from '../../hosts/session/shell.js';

let root = '';
let workspace = '';
beforeEach(async () => {
  if (!findBwrap())
    throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
  root = await mkdtemp(join(tmpdir(), 'ai-implement-bwrap-'));
  workspace = await mkdtemp(join(root, 'workspace-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const shell = createShell({ sandbox: createBwrapSandbox(), killGraceMs: 300 });
const sh = (script: string, env: Record<string, string> = {}) =>
  shell.run({ argv: ['sh', '-c', script], cwd: workspace, env: { PATH: '/usr/bin:/bin', ...env }, timeoutMs: 10_000 });

describe('the bubblewrap sandbox', () => {
  it('has its own PID namespace: the parent is the sandbox init, with the sandbox environment only', async () => {
    const r = await sh('echo "ppid=$PPID"; tr "\\0" "\\n" < /proc/$PPID/environ; echo; ls /proc | grep -E "^[0-9]+$" | wc -l', {
      AGENT_KEY: 'agent-key',
    });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ppid=1');
    expect(r.output).toContain('AGENT_KEY=agent-key');
    // Only the few processes of this sandbox: nothing of the session or the orchestrator.
    expect(Number(r.output.trim().split('\n').at(-1))).toBeLessThan(10);
    expect(r.output).not.toContain(`${process.pid}`);
  });

  it('gives the command exactly its environment, with a HOME of its own', async () => {
    const r = await shell.run({
      argv: ['env'],
      cwd: workspace,
      env: { PATH: '/usr/bin:/bin', ONLY_THIS: '1' },
      timeoutMs: 10_000,
    });
    expect(r.output.trim().split('\n').sort()).toEqual([`HOME=${SANDBOX_HOME}`, 'ONLY_THIS=1', 'PATH=/usr/bin:/bin']);
  });

  it('lets it write the workspace only: the system is read-only, other directories are absent', async () => {
    const secretDir = await mkdtemp(join(root, 'data-'));
    await writeFile(join(secretDir, 'store.json'), 'secret');
    const r = await sh(
      `echo ok > out.txt; touch /usr/evil 2>/dev/null && echo usr-writable; cat ${secretDir}/store.json 2>/dev/null || echo data-absent; ls ${process.env.HOME ?? '/root'} 2>/dev/null | head -1 || true`,
    );
    expect(await readFile(join(workspace, 'out.txt'), 'utf8')).toBe('ok\n');
    expect(r.output).not.toContain('usr-writable');
    expect(r.output).toContain('data-absent');
    expect(r.output).not.toContain('secret');
  });

  it('answers 127 for a program that is not installed, as it would unconfined', async () => {
    const r = await shell.run({
      argv: ['no-such-program-xyz'],
      cwd: workspace,
      env: { PATH: '/usr/bin:/bin' },
      timeoutMs: 10_000,
    });
    expect(r.exitCode).toBe(127);
  });
});
