import type { ResultAsync } from 'neverthrow';
import type { Job, Mapping, RunnerKind, TimedOutReason } from '../core/domain/model.js';
import type { ServiceError } from './errors.js';

/** What a run needs to call back and do its work; travels in the runner's own way. */
export interface RunLaunch {
  job: Job;
  mapping: Mapping;
  /** Environment for the session: callback URL, tokens, nonce, job id, extraEnv, secrets. */
  env: Record<string, string>;
}

/** A live session as the runner sees it (a Fly machine, a child process, a workflow run). */
export interface RunnerSession {
  id: string;
  name: string;
  state: string;
  startedAt: number;
  jobId?: string;
  issueIdentifier?: string;
  owner?: string;
  repo?: string;
  region?: string;
}

/** The run a job was linked to on its runner (a GitHub Actions workflow run). */
export interface RunLink {
  runId: string;
  runUrl: string;
}

/** How a session that ended without a result is labelled (spec table "Log label"). */
export type SessionFailureLabel = 'session_failed' | 'container_failed';

/** The error of a job whose session is gone, or ended cleanly, without sending a result. */
export const SESSION_GONE_ERROR = 'Session ended without reporting a result';

/** What `observe` may add to any answer. */
interface ObservedExtras {
  /** The runner's own run of the job, once it can tell (recorded as `run-linked` when new). */
  run?: RunLink;
  /** The end of the session's output, unredacted: posted as the log excerpt once redacted. */
  log?: string;
}

/**
 * What a runner sees of one job's run, at `now` (spec "Job status values", `timed_out` reasons).
 * - `waiting`: accepted but not visible or not started yet (no workflow run linked, a queued
 *   run) — nothing to record.
 * - `alive`: the session exists; how far it got comes from its own callbacks.
 * - `running`: the runner itself saw the run start (GitHub's `in_progress`) — recorded as started.
 * - `finished`: the run is over and the job still has no result: the session never sent one.
 * - `timed_out`: the run outlived the runner's limit; `endSession`, when set, names a session
 *   still alive that the caller ends (the runner does not act while observing).
 * - `gone`: the runner has no session for the job. A session may not be listed yet right after
 *   its launch, so the caller grants a grace period before failing the job.
 * - `untracked`: this runner cannot follow runs (shadow): nothing is ever recorded.
 */
export type RunObservation =
  | ({ state: 'waiting' } & ObservedExtras)
  | ({ state: 'alive' } & ObservedExtras)
  | ({ state: 'running' } & ObservedExtras)
  | ({ state: 'finished'; error: string; logLabel: SessionFailureLabel } & ObservedExtras)
  | ({ state: 'timed_out'; reason: TimedOutReason; endSession?: string } & ObservedExtras)
  | ({ state: 'gone'; logLabel: SessionFailureLabel } & ObservedExtras)
  | { state: 'untracked' };

/** What `observe` is told besides the job: the time, and the job's mapping when it still exists. */
export interface ObserveContext {
  now: number;
  mapping?: Mapping;
}

/**
 * Runner — starts a session that runs one job's pipeline and reports back over the
 * callback protocol.
 *
 * Contract (testing/contracts/runner.contract.ts):
 * - `launch` resolves once the runner accepted the run, with the runner's own handle
 *   (workflow run marker, machine id, pid); it never waits for the run to finish.
 * - `listSessions` returns the sessions still alive (Fly: `started`, `starting`, `created`).
 * - `destroy` stops a session; destroying one already gone succeeds.
 * - `observe` says what the runner sees of a job's run at `context.now` (`RunObservation`); it
 *   has no effect of its own, so the run watcher can ask every sweep. It is answered for any job
 *   of this runner's kind, launched by this process or not (a restart loses nothing).
 * - `shadow` performs no outside effect at all, and says so in what it returns.
 */
export interface Runner {
  readonly kind: RunnerKind;
  /**
   * A dry-run runner (shadow) starts nothing: a dispatch on it leaves the ticket alone and its
   * job settles as `completed` with `DRY_RUN_NOTE` right after the launch, freeing its slot.
   */
  readonly dryRun?: true;
  launch(run: RunLaunch): ResultAsync<{ handle: string; url?: string }, ServiceError>;
  listSessions(): ResultAsync<RunnerSession[], ServiceError>;
  destroy(sessionId: string): ResultAsync<void, ServiceError>;
  observe(job: Job, context: ObserveContext): ResultAsync<RunObservation, ServiceError>;
}
