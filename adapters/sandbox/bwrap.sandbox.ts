import { execFileSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import type { Sandbox, SandboxCommand, SandboxRequest } from '../../ports/sandbox.port.js';
import { EGRESS_SOCKET } from './egress-proxy.js';
import { MODEL_SOCKET } from './model-key-proxy.js';
import { privateSystemPaths } from './private-paths.js';
import { FORWARDER_SCRIPT } from './socket-forwarder.js';

export interface BwrapOptions {
  /** The bwrap binary (`bwrap` on PATH unless told). */
  bwrap?: string;
  /** Extra directories visible read-only (the agent CLI's install, a test's fake agent). */
  readOnly?: readonly string[];
  /** Extra directories visible read-write (never DATA_DIR or the orchestrator's checkout). */
  readWrite?: readonly string[];
  /**
   * No network but the session's egress proxy (`startEgressProxy`): its directory (socket and
   * forwarder) and the node binary that runs the forwarder inside. Without it the sandbox
   * shares the host's network.
   */
  egress?: { dir: string; node: string };
  /**
   * The session's model key proxy (`startModelKeyProxy`): its directory and the node binary
   * that runs its forwarder, and the variables that point a client at it (`ANTHROPIC_BASE_URL`
   * unless told; `ANTHROPIC_BEDROCK_BASE_URL` for Bedrock). A command that asks for the model
   * API (`modelApi`, the agent) gets them pointed at the forwarder; no command ever gets a key.
   */
  modelApi?: { dir: string; node: string; baseUrls?: readonly string[] };
  /** Host paths to hide besides what `privateSystemPaths` finds (the operator's own secrets). */
  mask?: readonly string[];
}

/** The system, read-only: programs, libraries and configuration, nothing of any user's. */
const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
/** Merged-/usr systems have these as symlinks into /usr; others as directories. */
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** HOME inside the sandbox: on its private tmpfs, so nothing of the real HOME is reachable. */
export const SANDBOX_HOME = '/tmp/home';
/** Where the egress proxy's directory appears inside, and where the forwarder listens. */
export const SANDBOX_EGRESS_DIR = '/run/ai-implement-egress';
export const SANDBOX_PROXY_URL = 'http://127.0.0.1:3128';
const FORWARDER_READY = '/tmp/.ai-implement-egress-ready';
/** Where the model key proxy's directory appears inside; its forwarder takes any free port. */
export const SANDBOX_MODEL_DIR = '/run/ai-implement-model';
const MODEL_READY = '/tmp/.ai-implement-model-ready';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The variables that point HTTP clients (Claude Code, npm, pip, git, curl) at the forwarder;
 * the sandbox's own loopback (a test server the verify script starts) stays direct.
 */
export const PROXY_ENV: Record<string, string> = {
  HTTPS_PROXY: SANDBOX_PROXY_URL,
  HTTP_PROXY: SANDBOX_PROXY_URL,
  ALL_PROXY: SANDBOX_PROXY_URL,
  https_proxy: SANDBOX_PROXY_URL,
  http_proxy: SANDBOX_PROXY_URL,
  all_proxy: SANDBOX_PROXY_URL,
  NO_PROXY: 'localhost,127.0.0.1,::1',
  no_proxy: 'localhost,127.0.0.1,::1',
};

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
 * workspace) read-write, and no capability, whoever runs the session (root included). `--die-with-parent` and the PID namespace mean that when the command
 * ends, or the session kills it, everything it started ends too (no daemon outlives a step).
 *
 * bwrap is started with exactly the sandbox's environment rather than with `--clearenv` and
 * `--setenv`: bwrap's own process is PID 1 inside, and its `/proc/1/environ` and
 * `/proc/1/cmdline` are readable from within, so neither may hold anything the command must
 * not see.
 */
export function createBwrapSandbox(options: BwrapOptions = {}): Sandbox {
  const bwrap = options.bwrap ?? 'bwrap';
  const egress = options.egress;
  const base = [
    // Run as root, bwrap keeps every capability for the command unless told (run as anyone
    // else it drops them): CAP_SYS_ADMIN remounts a read-only bind writable (the host's /etc,
    // the agent's install), CAP_DAC_READ_SEARCH opens any host file by handle. None, ever; and
    // bwrap's no_new_privs keeps an exec from gaining any back.
    '--cap-drop',
    'ALL',
    // A session of its own: no controlling terminal to push keystrokes into (TIOCSTI), should
    // a session ever be started from one without `detached`.
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--proc',
    '/proc',
    // Read-only: bwrap means to cover it, but asks access(2), which answers EACCES for the
    // /proc/sys directory whatever its files allow, so it never does. Its files are owned by
    // root and judged by uid, not capability: a session running as root would let the command
    // set the host's kernel.core_pattern or kernel.modprobe to a program of the workspace,
    // which the kernel then runs as root outside every namespace.
    '--ro-bind-try',
    '/proc/sys',
    '/proc/sys',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--dir',
    SANDBOX_HOME,
    ...rootArgs(),
  ];
  for (const dir of options.readOnly ?? []) base.push('--ro-bind', dir, dir);
  // What only its owner or group may read (/etc/shadow, /etc/ssl/private…) is not shown: a
  // session running as root would otherwise read it as the owner, capabilities or not. A
  // hidden file is the host's /dev/null, which a user-namespaced sandbox cannot even open.
  const masks: string[] = [];
  for (const { path, kind } of privateSystemPaths(
    SYSTEM_DIRS.filter((d) => d !== '/usr'),
    options.mask ?? [],
  )) {
    if (kind === 'dir') masks.push('--tmpfs', path, '--remount-ro', path);
    else masks.push('--ro-bind', '/dev/null', path);
  }
  for (const dir of options.readWrite ?? []) base.push('--bind', dir, dir);
  return {
    kind: 'bwrap',
    wrap(request: SandboxRequest): SandboxCommand {
      const args = [...base];
      for (const dir of request.writable) args.push('--bind', dir, dir);
      const proxied = egress !== undefined && !request.offline;
      // With an allow-list, the command's network is its own loopback only: offline, or with
      // the forwarder to the session's proxy started (and listening) before the command.
      if (egress) args.push('--unshare-net');
      if (proxied) args.push('--ro-bind', egress.dir, SANDBOX_EGRESS_DIR);
      const model = request.modelApi && !request.offline ? options.modelApi : undefined;
      if (model) args.push('--ro-bind', model.dir, SANDBOX_MODEL_DIR);
      // Last, so no bind above shows again what is hidden.
      args.push(...masks);
      // Through sh, so a program that is not installed is the shell's 127, as it is unconfined
      // (sh's own PWD is dropped: the command gets exactly the environment it was given).
      const forwarders = startForwarders({
        ...(proxied ? { egress: egress.node } : {}),
        ...(model ? { model: { node: model.node, baseUrls: model.baseUrls ?? ['ANTHROPIC_BASE_URL'] } } : {}),
      });
      const script = `unset PWD; ${forwarders}exec "$0" "$@"`;
      args.push('--chdir', request.cwd, '--', '/bin/sh', '-c', script, ...request.argv);
      return {
        argv: [bwrap, ...args],
        // Spawned from `/`: bwrap itself needs no working directory of the host.
        cwd: '/',
        env: { ...request.env, HOME: SANDBOX_HOME, ...(proxied ? PROXY_ENV : {}) },
      };
    },
  };
}

/** A forwarder (`socket-forwarder.ts`) to the socket in `dir`, in the background with an empty environment. */
const forwarder = (node: string, dir: string, socket: string, port: number, ready: string) =>
  `env -i ${shellQuote(node)} ${dir}/${FORWARDER_SCRIPT} ${dir}/${socket} ${port} ${ready} </dev/null >/dev/null 2>&1 & `;

/**
 * The forwarders the command gets, then a wait (10 s at most) until each has written its port:
 * the command's first request must not find a port closed. The model key proxy's forwarder
 * takes any free port (with `AI_IMPLEMENT_EGRESS=open` the sandbox shares the host's loopback,
 * where a fixed port may be taken), and the command is pointed at it (`baseUrls`); its
 * credentials are the placeholders the proxy replaces.
 */
function startForwarders(node: { egress?: string; model?: { node: string; baseUrls: readonly string[] } }): string {
  const ready: string[] = [];
  let script = '';
  if (node.egress) {
    script += forwarder(node.egress, SANDBOX_EGRESS_DIR, EGRESS_SOCKET, Number(new URL(SANDBOX_PROXY_URL).port), FORWARDER_READY);
    ready.push(FORWARDER_READY);
  }
  if (node.model) {
    script += forwarder(node.model.node, SANDBOX_MODEL_DIR, MODEL_SOCKET, 0, MODEL_READY);
    ready.push(MODEL_READY);
  }
  if (ready.length === 0) return '';
  const waiting = ready.map((file) => `[ ! -s ${file} ]`).join(' || ');
  script += `n=0; while ${waiting}; do n=$((n+1)); if [ "$n" -gt 1000 ]; then echo "sandbox: a proxy's forwarder did not start" >&2; exit 125; fi; sleep 0.01; done; `;
  if (node.model) {
    script += `model_url="http://127.0.0.1:$(cat ${MODEL_READY})"; `;
    for (const name of node.model.baseUrls) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
      script += `${name}="$model_url"; export ${name}; `;
    }
    script += 'unset model_url; ';
  }
  return script;
}

/** No confinement: only when the operator set `AI_IMPLEMENT_SANDBOX=off` (or a test says so). */
export function createNoSandbox(): Sandbox {
  return { kind: 'none', wrap: ({ argv, cwd, env }) => ({ argv, cwd, env }) };
}
