import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels below it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** CPU time (user + system) of every process named `postgres` on this machine so far, in ms (from /proc). */
export function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * A server process on loopback, started as `node <script>` (`node --import tsx <script>` for
 * TypeScript), so its pid is the server, not a wrapper.
 */
export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Spawn → first `/healthz` 200, in ms. */
  readonly startMs: number;
  readonly child: ChildProcess;
  /** Resident set size now, in MB (from /proc). */
  rssMb(): number;
  /**
   * CPU time the process has used so far (user + system, every thread), in ms (from /proc):
   * per request it holds up on a loaded machine better than requests per second do.
   */
  cpuMs(): number;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (then SIGKILL after 5 s), resolved once the process is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  script: string;
  args?: string[];
  env: Record<string, string>;
  port: number;
  /** Where stdout and stderr go (appended). */
  logFile: string;
  /** The path polled until it answers 200. */
  readyPath?: string;
  timeoutMs?: number;
}

/** The environment a server child gets: PATH and HOME only, plus what the bench sets. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const started = performance.now();
  // BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to every server child.
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // TypeScript goes through tsx's loader; compiled JavaScript starts as `npm start` does.
  const loader = /\.[cm]?js$/.test(options.script) ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeFlags, ...loader, options.script, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', () => setTimeout(() => log.end(), 50));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? Number(process.env.BENCH_START_TIMEOUT_MS ?? 30_000));
  let startMs = -1;
  while (startMs < 0) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited during start (${child.exitCode ?? child.signalCode}); see ${options.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer ${options.readyPath ?? '/healthz'} in time; see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${url}${options.readyPath ?? '/healthz'}`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) startMs = performance.now() - started;
    } catch {
      // not listening yet
    }
    if (startMs < 0) await sleep(10);
  }
  const pid = child.pid ?? -1;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid,
    port: options.port,
    url,
    startMs,
    child,
    rssMb() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        return kb / 1024;
      } catch {
        return Number.NaN;
      }
    },
    cpuMs() {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        // utime and stime (fields 14 and 15 of stat) in clock ticks of 10 ms.
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return Number.NaN;
      }
    },
    async kill9() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The orchestrator as `npm start` runs it: the compiled `dist/hosts/cli/bin.js serve`, built
 * first when stale. `BENCH_FROM_SOURCE=1` runs `hosts/cli/main.ts` under tsx instead.
 */
export function spawnOrchestrator(options: {
  port: number;
  dataDir: string;
  storageUrl?: string;
  logFile: string;
  extraEnv?: Record<string, string>;
}): Promise<ServerProcess> {
  const env: Record<string, string> = {
    ADMIN_ACCESS_CODE: ADMIN_CODE,
    RUNNER_TOKEN_SECRET: RUNNER_SECRET,
    RUNNER_MODE: 'shadow',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    POLL_INTERVAL_MS: '1000',
    ...(options.storageUrl ? { STORAGE_URL: options.storageUrl } : {}),
    ...options.extraEnv,
  };
  const fromSource = process.env.BENCH_FROM_SOURCE === '1';
  if (!fromSource) buildOnce();
  return spawnServer({
    script: fromSource ? join('hosts', 'cli', 'main.ts') : join('dist', 'hosts', 'cli', 'bin.js'),
    args: ['serve', '--dotenv', join(options.dataDir, 'absent.env')],
    env,
    port: options.port,
    logFile: options.logFile,
  });
}

export const ADMIN_CODE = 'bench-admin-access-code';
export const RUNNER_SECRET = 'bench-runner-token-secret-0123456789abcdef0123456789abcdef';

let built = false;
/** `scripts/build.mjs --if-stale`, once per bench process. */
function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}
