import type { StorageAvailability } from '../adapters/storage/storage-availability.js';
import type { ReconcileService } from '../core/app/dispatch/reconcile.service.js';
import type { Clock } from '../ports/clock.port.js';

export interface ReadinessDeps {
  storageAvailability: StorageAvailability;
  reconcile: Pick<ReconcileService, 'snapshot'>;
  clock: Clock;
  config: { pollIntervalMs: number };
}

/** A reconcile cycle older than this many poll intervals means the loop is stuck. */
export const STALE_CYCLE_INTERVALS = 3;

export interface ReadinessReport {
  ready: boolean;
  /** Why it is not ready, one sentence each; empty when ready. */
  reasons: string[];
  storage: { available: boolean; store: string };
  /** When the last reconcile cycle completed (ISO), if one has. */
  lastCycleAt?: string;
}

/** Whether this process can do its work: what `GET /readyz` answers. */
export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** The background work started now (the cycle age counts from here until a cycle completes). */
  started(): void;
  /** Shutting down: not ready from now on. */
  stopping(): void;
}

/**
 * Ready while the store answers a probe within a second and a reconcile cycle has completed
 * within the last 3 poll intervals (counted from the start until the first one does). Not ready
 * before the background work starts and once it is stopping.
 */
export function createReadiness({ storageAvailability, reconcile, clock, config }: ReadinessDeps): Readiness {
  let startedAt: number | undefined;
  let stopping = false;
  return {
    started: () => {
      startedAt ??= clock.now();
    },
    stopping: () => {
      stopping = true;
    },
    async check() {
      const reasons: string[] = [];
      const storage = await storageAvailability.probe();
      if (!storage.available) reasons.push(`storage unavailable (${storageAvailability.kind}): ${storage.reason ?? 'unknown'}`);
      const { completedAt } = reconcile.snapshot();
      const now = clock.now();
      const limitMs = STALE_CYCLE_INTERVALS * config.pollIntervalMs;
      if (stopping) reasons.push('shutting down');
      else if (startedAt === undefined) reasons.push('the reconcile loop is not running');
      else if (now - (completedAt ?? startedAt) > limitMs) {
        const age = Math.round((now - (completedAt ?? startedAt)) / 1000);
        reasons.push(
          completedAt === undefined
            ? `no reconcile cycle has completed since the start ${age} s ago (limit: ${STALE_CYCLE_INTERVALS} poll intervals, ${limitMs / 1000} s)`
            : `the last reconcile cycle completed ${age} s ago (limit: ${STALE_CYCLE_INTERVALS} poll intervals, ${limitMs / 1000} s)`,
        );
      }
      return {
        ready: reasons.length === 0,
        reasons,
        storage: { available: storage.available, store: storageAvailability.kind },
        ...(completedAt === undefined ? {} : { lastCycleAt: new Date(completedAt).toISOString() }),
      };
    },
  };
}
