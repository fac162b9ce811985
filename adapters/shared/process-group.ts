import type { ChildProcess } from 'node:child_process';

/**
 * Signals a child started with `detached: true` and everything it started (its process
 * group), so stopping an agent or a verification script leaves nothing behind. Does nothing
 * once the child has exited; falls back to the child alone if the group is already gone.
 */
export function signalProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
