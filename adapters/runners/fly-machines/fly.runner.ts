import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { RunLaunch, Runner, RunnerSession, RunObservation } from '../../../ports/runner.port.js';
import { isFlyAppSecretReference } from '../../secrets/fly/fly-secret-reference.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { createFlyApi, type FlyApiOptions } from './fly-api.client.js';
import { type FlyCreateMachineRequest, type FlyMachine, SESSION_METADATA } from './fly-machine.types.js';
import { DEFAULT_MACHINE_LIFETIME_MINUTES, expiredMachines, type MachineTimeout, machineTimeout } from './machine-lifetime.js';

export interface FlyRunnerOptions extends FlyApiOptions {
  /** The Fly app that holds session machines (`FLY_SESSIONS_APP`). */
  app: string;
  /** Where new machines start (`FLY_SESSIONS_REGION`); Fly picks one when omitted. */
  region?: string;
  /** The session runtime image. */
  image: string;
  /** The session inside the image, when it is not the image's own command (the Dockerfile's is `serve`). */
  command?: readonly string[];
  /** `shared` unless told otherwise; `performance` for dedicated CPUs. */
  cpuKind?: 'shared' | 'performance';
  /** How long a session machine may live before it counts as `machine_timeout` (default 60). */
  lifetimeMinutes?: number;
  /** Where the operator can see a machine; its page is returned as the launch URL. */
  dashboardUrl?: string;
  retry?: RetryOptions;
  /** Receives what the runner did; never an environment value. */
  log?: (entry: FlyRunnerLogEntry) => void;
}

export type FlyRunnerLogEntry =
  | {
      event: 'machine.created';
      machineId: string;
      jobId: string;
      region?: string;
      /** The names in the machine's config. */
      envKeys: string[];
      /** The names the session takes from `GET /runner/session-env` instead. */
      handedOverKeys: string[];
    }
  | { event: 'machine.reused'; machineId: string; jobId: string }
  | { event: 'machine.destroyed'; machineId: string; alreadyGone: boolean };

export interface FlyRunner extends Runner {
  readonly kind: 'fly-machines';
  /** The alive sessions that are past their lifetime at `now` (the `machine_timeout` rule). */
  findTimedOut(now: number): ResultAsync<MachineTimeout[], ServiceError>;
}

/** Machines in these states still hold (or are about to hold) a session. */
const ALIVE_STATES = new Set(['created', 'starting', 'started']);

/**
 * Runner on Fly Machines: one machine per run, sized by the mapping, carrying the run's own
 * settings and credentials (`AI_IMPLEMENT_*`) and metadata that ties it to its job and issue. The
 * machine destroys itself when the session exits (`auto_destroy`, restart policy `no`).
 *
 * The team's secrets and the mapping's `extraEnv` are never in the machine config: Fly's API
 * shows it to anyone who can read the app, and to the machine's metadata. The session takes them
 * once from the orchestrator (`GET /runner/session-env`, with its progress token), as a
 * container session takes them on its standard input (`machineEnv`).
 *
 * `observe` finds the job's machine among the alive ones (by machine id or job metadata): past
 * its lifetime it is `machine_timeout`; none at all means the session is gone without a result.
 */
export function createFlyRunner(options: FlyRunnerOptions): FlyRunner {
  const api = createFlyApi(options);
  const app = encodeURIComponent(options.app);
  const machinesPath = `/v1/apps/${app}/machines`;
  const lifetimeMinutes = options.lifetimeMinutes ?? DEFAULT_MACHINE_LIFETIME_MINUTES;
  const dashboardUrl = (options.dashboardUrl ?? 'https://fly.io').replace(/\/+$/, '');
  const log = options.log ?? (() => {});
  const retry = <T>(call: () => ResultAsync<T, ServiceError>) => retryServiceCall(call, options.retry);
  const notConfigured = !options.app
    ? errAsync<never, ServiceError>({ kind: 'notConfigured', message: 'Fly sessions app is not set' })
    : undefined;

  const listMachines = (query: Record<string, string> = {}) =>
    retry(() => api.request<FlyMachine[]>('GET', machinesPath, { query })).map((machines) => machines ?? []);

  const findByJob = (jobId: string) =>
    listMachines({ [`metadata.${SESSION_METADATA.jobId}`]: jobId }).map((machines) =>
      machines.find((m) => m.config?.metadata?.[SESSION_METADATA.jobId] === jobId && ALIVE_STATES.has(m.state)),
    );

  const create = (run: RunLaunch) => api.request<FlyMachine>('POST', machinesPath, { body: createRequest(run, options) });

  const listSessions = (): ResultAsync<RunnerSession[], ServiceError> =>
    notConfigured ?? listMachines().map((machines) => machines.filter((m) => ALIVE_STATES.has(m.state)).map(toSession));

  return {
    kind: 'fly-machines',

    launch(run) {
      if (notConfigured) return notConfigured;
      // A create that failed with a 5xx may still have made the machine; before trying again,
      // look for it by its job id so one run never gets two machines.
      let lastError: ServiceError | undefined;
      const attempt = () => {
        const call: ResultAsync<{ machine: FlyMachine | undefined; reused: boolean }, ServiceError> =
          lastError?.kind === 'unavailable'
            ? findByJob(run.job.id).andThen((found) =>
                found ? okAsync({ machine: found, reused: true }) : create(run).map((machine) => ({ machine, reused: false })),
              )
            : create(run).map((machine) => ({ machine, reused: false }));
        return call.mapErr((error) => {
          lastError = error;
          return error;
        });
      };
      return retry(attempt).andThen(({ machine, reused }) => {
        if (!machine?.id)
          return errAsync<never, ServiceError>({ kind: 'unavailable', message: 'Fly created a machine without an id' });
        if (reused) log({ event: 'machine.reused', machineId: machine.id, jobId: run.job.id });
        else
          log({
            event: 'machine.created',
            machineId: machine.id,
            jobId: run.job.id,
            ...(machine.region ? { region: machine.region } : {}),
            ...envKeysOf(run.env),
          });
        return okAsync({ handle: machine.id, url: `${dashboardUrl}/apps/${app}/machines/${machine.id}` });
      });
    },

    listSessions,

    destroy(sessionId) {
      if (notConfigured) return notConfigured;
      const path = `${machinesPath}/${encodeURIComponent(sessionId)}`;
      return retry(() => api.request<unknown>('DELETE', path, { query: { force: 'true' } }))
        .map(() => false)
        .orElse((error) => (error.kind === 'notFound' ? okAsync(true) : errAsync(error)))
        .map((alreadyGone) => log({ event: 'machine.destroyed', machineId: sessionId, alreadyGone }));
    },

    observe(job, { now }) {
      return listSessions().map((sessions): RunObservation => {
        const session = sessions.find((s) => s.id === job.runId || s.id === job.machineId || s.jobId === job.id);
        if (!session) return { state: 'gone', logLabel: 'session_failed' };
        if (machineTimeout(session, now, lifetimeMinutes)) return { state: 'timed_out', reason: 'machine_timeout' };
        return { state: 'alive' };
      });
    },

    findTimedOut(now) {
      return listSessions().map((sessions) => expiredMachines(sessions, now, lifetimeMinutes));
    },
  };
}

/** The body of `POST /v1/apps/{app}/machines` for one run. */
export function createRequest(
  run: RunLaunch,
  options: Pick<FlyRunnerOptions, 'image' | 'command' | 'region' | 'cpuKind'>,
): FlyCreateMachineRequest {
  const { job, mapping } = run;
  return {
    name: machineName(job.identifier, job.phase, job.id),
    ...(options.region ? { region: options.region } : {}),
    config: {
      image: options.image,
      ...(options.command ? { init: { cmd: [...options.command] } } : {}),
      env: machineEnv(run.env),
      guest: { cpu_kind: options.cpuKind ?? 'shared', cpus: mapping.machineCpus, memory_mb: mapping.machineMemoryMb },
      metadata: {
        [SESSION_METADATA.jobId]: job.id,
        [SESSION_METADATA.issue]: job.identifier,
        [SESSION_METADATA.owner]: job.owner,
        [SESSION_METADATA.repo]: job.repo,
      },
      auto_destroy: true,
      restart: { policy: 'no' },
    },
  };
}

/**
 * The value of `AI_IMPLEMENT_CREDENTIALS_FILE` that tells the session to take the rest of its
 * environment from `GET /runner/session-env` (hosts/session/run-credentials.ts `CALLBACK_CREDENTIALS`).
 */
export const CALLBACK_CREDENTIALS = 'callback';

/** What the session takes from the orchestrator: every name that is not one of the run's own `AI_IMPLEMENT_*`. */
const handedOver = (name: string) => !name.startsWith('AI_IMPLEMENT_');

/** The run env without Fly app-secret references: the app supplies those itself. */
function withoutAppSecrets(env: Record<string, string>): [string, string][] {
  return Object.entries(env).filter(([key, value]) => !isFlyAppSecretReference(key, value));
}

/**
 * The env sent to Fly: the run's own settings and callback credentials only. When the run has
 * team secrets or `extraEnv`, `AI_IMPLEMENT_CREDENTIALS_FILE=callback` says where they are.
 */
export function machineEnv(env: Record<string, string>): Record<string, string> {
  const entries = withoutAppSecrets(env);
  const own = Object.fromEntries(entries.filter(([key]) => !handedOver(key)));
  return entries.some(([key]) => handedOver(key)) ? { ...own, AI_IMPLEMENT_CREDENTIALS_FILE: CALLBACK_CREDENTIALS } : own;
}

/** Names only, for the log: never a value. */
function envKeysOf(env: Record<string, string>): { envKeys: string[]; handedOverKeys: string[] } {
  const names = withoutAppSecrets(env).map(([key]) => key);
  return {
    envKeys: Object.keys(machineEnv(env)).sort(),
    handedOverKeys: names.filter(handedOver).sort(),
  };
}

/** Fly machine names are DNS-label-like; keep them readable and unique per job. */
function machineName(identifier: string, phase: string, jobId: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `ai-${slug(identifier)}-${slug(phase)}-${slug(jobId).slice(-12)}`.slice(0, 63).replace(/-+$/, '');
}

function toSession(machine: FlyMachine): RunnerSession {
  const metadata = machine.config?.metadata ?? {};
  const startedAt = Date.parse(machine.created_at ?? '');
  const optional = {
    jobId: metadata[SESSION_METADATA.jobId],
    issueIdentifier: metadata[SESSION_METADATA.issue],
    owner: metadata[SESSION_METADATA.owner],
    repo: metadata[SESSION_METADATA.repo],
    region: machine.region,
  };
  return {
    id: machine.id,
    name: machine.name ?? machine.id,
    state: machine.state,
    startedAt,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => typeof value === 'string' && value !== '')),
  };
}
