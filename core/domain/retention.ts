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
