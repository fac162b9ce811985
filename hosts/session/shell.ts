import { spawn } from 'node:child_process';
import { signalProcessGroup } from '../../adapters/shared/process-group.js';
import type { Shell, ShellResult } from '../../plugins/run-context.js';
import type { Sandbox } from '../../ports/sandbox.port.js';

const KEPT = 64 * 1024;

/**
 * The steps' Shell: runs a program in its own process group with exactly the environment it
 * is given. Past its timeout, or when the run's signal aborts, the whole group is stopped
 * (SIGTERM, then SIGKILL). Output is stdout and stderr interleaved, its last 64 KiB.
 * Every command runs in `sandbox` unless it says `unsandboxed` (the session's own git).
 */
export function createShell(options: { killGraceMs?: number; sandbox: Sandbox }): Shell {
  const grace = options.killGraceMs ?? 2_000;
  return {
    run(command) {
      const { timeoutMs, signal } = command;
      if (!command.argv[0]) throw new Error('shell: empty argv');
      const { argv, cwd, env } = command.unsandboxed
        ? command
        : options.sandbox.wrap({ ...command, writable: command.writable ?? [command.cwd] });
      const [file, ...args] = argv as [string, ...string[]];
      return new Promise<ShellResult>((resolve) => {
        let output = '';
        let killed = false;
        let settled = false;
        const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        const append = (chunk: Buffer) => {
          output = (output + chunk.toString('utf8')).slice(-KEPT);
        };
        child.stdout?.on('data', append);
        child.stderr?.on('data', append);
        const kill = (sig: NodeJS.Signals) => signalProcessGroup(child, sig);
        let hard: NodeJS.Timeout | undefined;
        const stop = () => {
          if (killed) return;
          killed = true;
          kill('SIGTERM');
          hard = setTimeout(() => kill('SIGKILL'), grace);
        };
        const timer = setTimeout(stop, Math.max(1, timeoutMs));
        if (signal?.aborted) stop();
        signal?.addEventListener('abort', stop, { once: true });
        const done = (result: ShellResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (hard) clearTimeout(hard);
          signal?.removeEventListener('abort', stop);
          resolve(result);
        };
        child.once('error', (error) => done({ exitCode: 127, output: `${file}: ${error.message}`, killed: false }));
        child.once('close', (code, sig) => done({ exitCode: code ?? (sig ? 128 + 15 : 1), output, killed }));
      });
    },
  };
}
