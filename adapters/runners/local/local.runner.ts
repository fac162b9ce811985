import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { Job } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import {
  type ObserveContext,
  type RunLaunch,
  type Runner,
  type RunnerSession,
  type RunObservation,
  SESSION_GONE_ERROR,
} from '../../../ports/runner.port.js';
import { type ContainerSpec, containerRunArgs } from './container-cli.js';
import { credentialsOverStdin, handOffCredentials } from './credentials-file.js';
import { createOutputTail, type OutputTail } from './output-tail.js';

/** The session runtime of this checkout (`ai-implement session`). */
export const DEFAULT_SESSION_COMMAND = ['node', '--import', 'tsx', 'hosts/cli/main.ts', 'session'] as const;
/** The spec's default `maxJobMinutes`: a local session past it is `container_timeout`. */
export const DEFAULT_LOCAL_LIFETIME_MINUTES = 90;
const DEFAULT_TAIL_BYTES = 16 * 1024;
const KEPT_FINISHED = 100;
/**
 * What a local session takes from the orchestrator's own environment: PATH and HOME, and the
 * operator's session settings (which agent CLI to run, where workspaces go, where custom steps
 * are) — never a credential.
 */
const HOST_KEYS = [
  'PATH',
  'HOME',
  'AI_IMPLEMENT_AGENT_COMMAND',
  'AI_IMPLEMENT_WORKSPACE_DIR',
  'AI_IMPLEMENT_CUSTOM_DIR',
  'AI_IMPLEMENT_SANDBOX',
  'AI_IMPLEMENT_SANDBOX_READ_ONLY',
  'AI_IMPLEMENT_SANDBOX_READ_WRITE',
  'AI_IMPLEMENT_SANDBOX_MASK',
  'AI_IMPLEMENT_EGRESS',
  'AI_IMPLEMENT_EGRESS_ALLOW',
];
const CONTAINER_CLI_KEYS = ['DOCKER_HOST', 'DOCKER_CONFIG', 'XDG_RUNTIME_DIR', 'CONTAINER_HOST'];

/**
 * Variables a run's environment (a mapping's extraEnv) may not set on a process session: they
 * would run code in the session itself, beside its credentials (`NODE_OPTIONS=--require`,
 * `LD_PRELOAD`), or choose which `git` and config it runs (`PATH`, `HOME`, `GIT_*`).
 */
const UNSAFE_RUN_KEY = /^(?:NODE_OPTIONS|NODE_PATH|PATH|HOME|LD_\w*|DYLD_\w*|GIT_\w*|BASH_ENV|ENV)$/;

/** The run's environment without the variables above. */
export function safeRunEnv(runEnv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(runEnv).filter(([key]) => !UNSAFE_RUN_KEY.test(key)));
}

/**
 * The part of an environment a local runner may pass on (`baseEnv`): the allow-list above and
 * nothing else, so the orchestrator's own secrets are not even handed to the runner.
 */
export function sessionHostEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const key of [...HOST_KEYS, ...CONTAINER_CLI_KEYS]) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

export interface LocalRunnerOptions {
  /** argv of the session runtime; `DEFAULT_SESSION_COMMAND` unless told. */
  command?: readonly string[];
  /** Working directory of the child (process mode). */
  cwd?: string;
  /** Run each session in a container with this CLI and image instead of as a plain child. */
  container?: ContainerSpec;
  /** How long a session may live before it is killed as `container_timeout`. */
  lifetimeMs?: (run: RunLaunch) => number;
  /** How much of the end of the output is kept for the log excerpt (16 KiB). */
  tailBytes?: number;
  /** SIGTERM, then SIGKILL after this long (5 s). */
  killGraceMs?: number;
  /** Where PATH and HOME come from (the orchestrator's own environment unless told). */
  baseEnv?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Every session's end, whatever ended it; the host turns it into a job outcome. */
  onExit?: (exit: LocalSessionExit) => void;
}

export interface LocalSessionExit {
  sessionId: string;
  jobId: string;
  issueIdentifier: string;
  /** `exited` on its own, `destroyed` by `destroy`, `timed_out` past its lifetime. */
  reason: 'exited' | 'destroyed' | 'timed_out';
  code: number | null;
  signal: string | null;
  startedAt: number;
  endedAt: number;
  /** The last `tailBytes` of stdout and stderr, unredacted: redact before posting it anywhere. */
  outputTail: string;
}

export interface LocalRunner extends Runner {
  readonly kind: 'local';
  readonly mode: 'process' | 'container';
  /** The end of a live or recently finished session's output, by session id or job id. */
  outputTail(sessionOrJobId: string): string | undefined;
  /** Kills every live session (disposal); resolves when all have exited. */
  close(): Promise<void>;
}

interface Live {
  session: RunnerSession & { jobId: string; issueIdentifier: string };
  child: ChildProcess;
  tail: OutputTail;
  ending?: LocalSessionExit['reason'];
  exited: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * Runner on this machine: the session runtime as a child process, or inside a container when a
 * container spec is given (the host passes one when `docker`/`podman` is present and usable).
 *
 * The child receives the run's environment and nothing of the orchestrator's beyond PATH and
 * HOME, so no orchestrator credential reaches a session. A process session runs in its own
 * process group, so `destroy` also ends whatever the session started (the agent CLI).
 */
export function createLocalRunner(options: LocalRunnerOptions = {}): LocalRunner {
  const command = options.command ?? DEFAULT_SESSION_COMMAND;
  if (command.length === 0) throw new Error('createLocalRunner: command must not be empty');
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? Date.now;
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  const killGraceMs = options.killGraceMs ?? 5_000;
  const lifetimeMs = options.lifetimeMs ?? ((run) => (run.mapping.maxJobMinutes ?? DEFAULT_LOCAL_LIFETIME_MINUTES) * 60_000);
  const baseEnv = options.baseEnv ?? process.env;
  const container = options.container;
  if (container && sharesHostNetwork(container.extraArgs ?? []))
    throw new Error('createLocalRunner: a session container never shares the host network (--network host)');
  const live = new Map<string, Live>();
  const finished = new Map<string, { jobId: string; tail: string }>();

  const keepFinished = (id: string, jobId: string, tail: string) => {
    finished.set(id, { jobId, tail });
    while (finished.size > KEPT_FINISHED) finished.delete(finished.keys().next().value as string);
  };

  /** PATH, HOME and the session settings; in container mode also what the CLI needs to find its daemon. */
  function hostEnv(): NodeJS.ProcessEnv {
    const keys = container ? [...HOST_KEYS, ...CONTAINER_CLI_KEYS] : HOST_KEYS;
    const env: NodeJS.ProcessEnv = {};
    for (const key of keys) if (baseEnv[key] !== undefined) env[key] = baseEnv[key];
    return env;
  }

  /** The container gets only the `-e` keys, i.e. the run env; the CLI keys stay with the CLI. */
  const childEnv = (runEnv: Record<string, string>): NodeJS.ProcessEnv => ({ ...hostEnv(), ...safeRunEnv(runEnv) });

  function signal(entry: Live, sig: NodeJS.Signals) {
    const pid = entry.child.pid;
    if (pid === undefined || entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    try {
      // The whole process group: the session and everything it started.
      if (!container) process.kill(-pid, sig);
      else entry.child.kill(sig);
    } catch {
      entry.child.kill(sig);
    }
  }

  function stop(entry: Live, reason: 'destroyed' | 'timed_out'): Promise<void> {
    entry.ending ??= reason;
    live.delete(entry.session.id);
    if (container) execFile(container.cli, ['rm', '-f', entry.session.id], { env: hostEnv() }, () => {});
    signal(entry, 'SIGTERM');
    const hard = setTimeout(() => signal(entry, 'SIGKILL'), killGraceMs);
    hard.unref();
    return entry.exited.finally(() => clearTimeout(hard));
  }

  function outputTail(sessionOrJobId: string): string | undefined {
    const entry = live.get(sessionOrJobId) ?? [...live.values()].find((e) => e.session.jobId === sessionOrJobId);
    if (entry) return entry.tail.text();
    const done = finished.get(sessionOrJobId) ?? [...finished.values()].reverse().find((f) => f.jobId === sessionOrJobId);
    return done?.tail;
  }

  function start(run: RunLaunch): ResultAsync<{ handle: string }, ServiceError> {
    const { job, mapping } = run;
    const id = sessionName(job.identifier, job.phase);
    let child: ChildProcess;
    // A process session takes its credentials and secrets (the team's, the mapping's extraEnv)
    // from a 0600 file, a container session from its standard input: never from an environment
    // or an argv of this machine's processes, nor from `docker inspect`.
    let handOff: ReturnType<typeof handOffCredentials> = { env: run.env, cleanup: () => undefined };
    let input: string | undefined;
    try {
      if (container) {
        const piped = credentialsOverStdin(safeRunEnv(run.env));
        handOff = { env: piped.env, cleanup: () => undefined };
        input = piped.input;
      } else {
        handOff = handOffCredentials(safeRunEnv(run.env));
      }
      const [file, ...args] = container
        ? [
            container.cli,
            ...containerRunArgs(
              { ...container, extraArgs: [...(container.extraArgs ?? []), ...(input === undefined ? [] : ['-i'])] },
              { name: id, jobId: job.id, cpus: mapping.machineCpus, memoryMb: mapping.machineMemoryMb },
              Object.keys(handOff.env),
              container.command ?? command,
            ),
          ]
        : command;
      const stdin = input === undefined ? 'ignore' : 'pipe';
      child = spawn(file!, args, { cwd, env: childEnv(handOff.env), stdio: [stdin, 'pipe', 'pipe'], detached: !container });
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    } catch (error) {
      handOff.cleanup();
      return errAsync({ kind: 'unavailable', message: `local session could not start: ${describe(error)}` });
    }
    const tail = createOutputTail(tailBytes);
    child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    const startedAt = now();
    const session: Live['session'] = {
      id,
      name: id,
      state: 'started',
      startedAt,
      jobId: job.id,
      issueIdentifier: job.identifier,
      owner: job.owner,
      repo: job.repo,
    };

    const spawned = new Promise<ServiceError | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (error) =>
        resolve({ kind: 'unavailable', message: `local session could not start: ${describe(error)}` }),
      );
    });
    let entry: Live | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('close', (code, sig) => {
        handOff.cleanup();
        if (entry?.timer) clearTimeout(entry.timer);
        const current = live.get(id);
        if (current === entry) live.delete(id);
        const text = tail.text();
        keepFinished(id, job.id, text);
        if (entry) {
          options.onExit?.({
            sessionId: id,
            jobId: job.id,
            issueIdentifier: job.identifier,
            reason: entry.ending ?? 'exited',
            code,
            signal: sig,
            startedAt,
            endedAt: now(),
            outputTail: text,
          });
        }
        resolve();
      });
    });

    return ResultAsync.fromSafePromise(spawned).andThen((failure) => {
      if (failure) return errAsync(failure);
      entry = { session, child, tail, exited };
      live.set(id, entry);
      const limit = lifetimeMs(run);
      if (Number.isFinite(limit) && limit > 0) {
        const current = entry;
        current.timer = setTimeout(() => void stop(current, 'timed_out'), limit);
        current.timer.unref();
      }
      return okAsync({ handle: id });
    });
  }

  return {
    kind: 'local',
    mode: container ? 'container' : 'process',

    launch: start,

    listSessions: () => okAsync([...live.values()].map((entry) => ({ ...entry.session }))),

    observe(job, context) {
      const entry = [...live.values()].find((e) => e.session.id === job.runId || e.session.jobId === job.id);
      return okAsync(observeLocalSession(job, context, entry?.session.id, () => outputTail(job.id)));
    },

    destroy(sessionId) {
      const entry = live.get(sessionId);
      if (!entry) return okAsync(undefined);
      return ResultAsync.fromSafePromise(stop(entry, 'destroyed'));
    },

    outputTail,

    async close() {
      await Promise.all([...live.values()].map((entry) => stop(entry, 'destroyed')));
    },
  };
}

/**
 * What the local runner sees of a job: past the mapping's `maxJobMinutes` since the dispatch it
 * is `container_timeout` (with the session to end, if one is alive, and its output's tail);
 * otherwise alive while its session is, and gone once it is not (its exit was not seen: the
 * orchestrator restarted since the launch).
 */
export function observeLocalSession(
  job: Pick<Job, 'dispatchedAt'>,
  { now, mapping }: ObserveContext,
  sessionId: string | undefined,
  outputTail: () => string | undefined,
): RunObservation {
  const limitMs = (mapping?.maxJobMinutes ?? DEFAULT_LOCAL_LIFETIME_MINUTES) * 60_000;
  if (now - job.dispatchedAt > limitMs) {
    const log = outputTail();
    return {
      state: 'timed_out',
      reason: 'container_timeout',
      ...(sessionId ? { endSession: sessionId } : {}),
      ...(log ? { log } : {}),
    };
  }
  return sessionId ? { state: 'alive' } : { state: 'gone', logLabel: 'container_failed' };
}

/**
 * A session's end as the run watcher takes it (`report`). A destroyed session is left to
 * whoever destroyed it; a clean exit without a result is `session_failed`, any other exit
 * `container_failed`; one killed past its lifetime is `container_timeout`.
 */
export function exitObservation(exit: LocalSessionExit): RunObservation | undefined {
  const log = exit.outputTail ? { log: exit.outputTail } : {};
  if (exit.reason === 'destroyed') return undefined;
  if (exit.reason === 'timed_out') return { state: 'timed_out', reason: 'container_timeout', ...log };
  if (exit.code === 0) return { state: 'finished', error: SESSION_GONE_ERROR, logLabel: 'session_failed', ...log };
  const how = exit.code === null ? `by signal ${exit.signal ?? 'unknown'}` : `with code ${exit.code}`;
  return { state: 'finished', error: `Local session exited ${how} without a result`, logLabel: 'container_failed', ...log };
}

/** An `onExit` that hands each session end on to `report` (the run watcher's) as an observation. */
export function reportExits(report: (jobId: string, seen: RunObservation) => unknown): (exit: LocalSessionExit) => void {
  return (exit) => {
    const seen = exitObservation(exit);
    if (seen) report(exit.jobId, seen);
  };
}

/** Readable and unique: `ai-eng-12-implementation-3f9a1c`; also a valid container name. */
function sessionName(identifier: string, phase: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `ai-${slug(identifier)}-${slug(phase)}-${randomBytes(3).toString('hex')}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for `--network host`, `--network=host`, `--net host` or `--net=host`. */
function sharesHostNetwork(args: readonly string[]): boolean {
  return args.some((arg, i) => {
    const [flag, value] = arg.includes('=') ? arg.split('=', 2) : [arg, args[i + 1]];
    return (flag === '--network' || flag === '--net') && value === 'host';
  });
}
