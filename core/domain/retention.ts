/**
 * Retention — ARCHITECTURE.md "Storage": collections that grow with time are bounded. A
 * finished job is kept for `JOB_RETENTION_MS` after its last change (the dispatch log, the
 * Issues view and the pull request list read it meanwhile), then pruned with what hangs off it.
 * A job still in flight is never pruned, however old.
 */
import { isTerminal } from './job-status.js';
import type { Job } from './model.js';

export const JOB_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** The jobs whose retention has run out at `now`. */
export function jobsToPrune(jobs: readonly Job[], now: number, retentionMs: number = JOB_RETENTION_MS): Job[] {
  return jobs.filter((job) => isTerminal(job.status) && job.updatedAt <= now - retentionMs);
}

/**
 * The connector event log keeps 14 days and at most CONNECTOR_EVENTS_KEEP events, whichever is
 * less; security events keep 30 days after their group was last seen and at most
 * SECURITY_EVENTS_KEEP groups (oldest by last sighting go first). Sweeps run with the recording
 * (every RETENTION_SWEEP_EVERY records), so a flood prunes itself.
 */
export const CONNECTOR_EVENT_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;
export const CONNECTOR_EVENTS_KEEP = 20_000;
export const SECURITY_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const SECURITY_EVENTS_KEEP = 5_000;
export const RETENTION_SWEEP_EVERY = 200;
