import { execFileSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import type { Sandbox, SandboxCommand, SandboxRequest } from '../../ports/sandbox.port.js';

export interface BwrapOptions {
  /** The bwrap binary (`bwrap` on PATH unless told). */
  bwrap?: string;
  /** Extra directories visible read-only (the agent CLI's install, a test's fake agent). */
  readOnly?: readonly string[];
  /** Extra directories visible read-write (never DATA_DIR or the orchestrator's checkout). */
  readWrite?: readonly string[];
}

/** The system, read-only: programs, libraries and configuration, nothing of any user's. */
const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
/** Merged-/usr systems have these as symlinks into /usr; others as directories. */
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** HOME inside the sandbox: on its private tmpfs, so nothing of the real HOME is reachable. */
export const SANDBOX_HOME = '/tmp/home';

/** The bwrap binary on PATH, or undefined when bubblewrap is not installed. */
export function findBwrap(path = process.env.PATH ?? '/usr/bin:/bin'): string | undefined {
  try {
    return execFileSync('/bin/sh', ['-c', 'command -v bwrap'], { env: { PATH: path }, encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function rootArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) args.push('--ro-bind-try', dir, dir);
  for (const link of ROOT_LINKS) {
    try {
      const stat = lstatSync(link);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(link), link);
      else if (stat.isDirectory()) args.push('--ro-bind', link, link);
    } catch {
      // Not on this system.
    }
  }
  return args;
}

/**
 * Bubblewrap: each command gets its own PID namespace with a fresh `/proc` (so no process of
 * the session or the orchestrator is visible, and `/proc/$PPID/environ` is bwrap's own), a
 * private `/tmp` and HOME, the system read-only and only the `writable` directories (the
 * workspace) read-write. `--die-with-parent` and the PID namespace mean that when the command
 * ends, or the session kills it, everything it started ends too (no daemon outlives a step).
 *
 * bwrap is started with exactly the sandbox's environment rather than with `--clearenv` and
 * `--setenv`: bwrap's own process is PID 1 inside, and its `/proc/1/environ` and
 * `/proc/1/cmdline` are readable from within, so neither may hold anything the command must
 * not see.
 */
export function createBwrapSandbox(options: BwrapOptions = {}): Sandbox {
  const bwrap = options.bwrap ?? 'bwrap';
  const base = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--dir',
    SANDBOX_HOME,
    ...rootArgs(),
  ];
  for (const dir of options.readOnly ?? []) base.push('--ro-bind', dir, dir);
  for (const dir of options.readWrite ?? []) base.push('--bind', dir, dir);
  return {
    kind: 'bwrap',
    wrap(request: SandboxRequest): SandboxCommand {
      const args = [...base];
      for (const dir of request.writable) args.push('--bind', dir, dir);
      // Through sh, so a program that is not installed is the shell's 127, as it is unconfined
      // (sh's own PWD is dropped: the command gets exactly the environment it was given).
      args.push('--chdir', request.cwd, '--', '/bin/sh', '-c', 'unset PWD; exec "$0" "$@"', ...request.argv);
      return {
        argv: [bwrap, ...args],
        // Spawned from `/`: bwrap itself needs no working directory of the host.
        cwd: '/',
        env: { ...request.env, HOME: SANDBOX_HOME },
      };
    },
  };
}

/** No confinement: only when the operator set `AI_IMPLEMENT_SANDBOX=off` (or a test says so). */
export function createNoSandbox(): Sandbox {
  return { kind: 'none', wrap: ({ argv, cwd, env }) => ({ argv, cwd, env }) };
}
