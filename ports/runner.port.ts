import type { ResultAsync } from 'neverthrow';
import type { Job, Mapping, RunnerKind } from '../core/domain/model.js';
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

/**
 * Runner — starts a session that runs one job's pipeline and reports back over the
 * callback protocol.
 *
 * Contract (test/contracts/runner.contract.ts):
 * - `launch` resolves once the runner accepted the run, with the runner's own handle
 *   (workflow run marker, machine id, pid); it never waits for the run to finish.
 * - `listSessions` returns the sessions still alive (Fly: `started`, `starting`, `created`).
 * - `destroy` stops a session; destroying one already gone succeeds.
 * - `shadow` performs no outside effect at all, and says so in what it returns.
 */
export interface Runner {
  readonly kind: RunnerKind;
  launch(run: RunLaunch): ResultAsync<{ handle: string; url?: string }, ServiceError>;
  listSessions(): ResultAsync<RunnerSession[], ServiceError>;
  destroy(sessionId: string): ResultAsync<void, ServiceError>;
}
