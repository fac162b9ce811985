import type { Clock } from '../../../ports/clock.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { activeDedup, DEDUP_WINDOW_MS } from '../../domain/dedup.js';
import type { Job } from '../../domain/model.js';
import type { AuditService } from '../operations/audit.service.js';

export interface DispatchLogDeps {
  storage: Storage;
  clock: Clock;
  /** Where a removal from the dedup window is recorded (the audit trail), when there is one. */
  audit?: Pick<AuditService, 'record'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface DispatchLogService {
  /** The last 500 dispatches, newest first, each with its job's current status and PR. */
  log(): Promise<Record<string, unknown>[]>;
  /** The issues inside the 24-hour dedup window, newest first. */
  dedup(): Promise<Record<string, unknown>[]>;
  /** Removes an issue (by id or identifier) from the window; false when it was not there. */
  removeDedup(ref: string): Promise<boolean>;
}

export function createDispatchLogService({ storage, clock, audit }: DispatchLogDeps): DispatchLogService {
  return {
    async log() {
      const entries = await storage.dispatchLog.list();
      const jobs = await storage.jobs.list({ ids: [...new Set(entries.map((entry) => entry.jobId))] });
      const byId = new Map<string, Job>(jobs.map((job) => [job.id, job]));
      return entries.map((entry) => {
        const job = byId.get(entry.jobId);
        return {
          ...entry,
          at: iso(entry.at),
          status: job?.status ?? 'unknown',
          timedOutReason: job?.timedOutReason ?? null,
          prUrl: job?.prUrl ?? null,
          runUrl: job?.runUrl ?? null,
          error: job?.error ?? null,
        };
      });
    },

    async dedup() {
      const entries = activeDedup(await storage.dedup.list(), clock.now()).sort((a, b) => b.dispatchedAt - a.dispatchedAt);
      return entries.map((entry) => ({
        ...entry,
        dispatchedAt: iso(entry.dispatchedAt),
        expiresAt: iso(entry.dispatchedAt + DEDUP_WINDOW_MS),
      }));
    },

    async removeDedup(ref) {
      const wanted = ref.toUpperCase();
      const entry = (await storage.dedup.list()).find((e) => e.issueId === ref || e.identifier.toUpperCase() === wanted);
      if (!entry || !(await storage.dedup.remove(entry.issueId))) return false;
      await audit?.record({
        actor: 'operator',
        action: 'dedup.removed',
        teamKey: entry.teamKey,
        target: entry.identifier,
        detail: { issueId: entry.issueId },
      });
      return true;
    },
  };
}
