import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { WorkspaceInfo, WorkspacePool } from '../../../ports/workspace-pool.port.js';
import { IN_FLIGHT_STATUSES } from '../../domain/job-status.js';
import type { AuditService } from './audit.service.js';

/** A workspace no run has used for this long is freed by the sweep. */
export const WORKSPACE_RETENTION_MS = 3 * 24 * 60 * 60_000;
/** How often each node sweeps its own disk. */
export const WORKSPACE_SWEEP_MS = 60 * 60_000;

export interface WorkspacesDeps {
  storage: Storage;
  clock: Clock;
  workspacePool: WorkspacePool;
  audit: Pick<AuditService, 'record'>;
}

export interface WorkspaceView extends WorkspaceInfo {
  /** The team of the newest job, when one is known. */
  teamKey: string | null;
  /** A run of the owning issue is in flight: the workspace may be in use. */
  inUse: boolean;
  /** The in-flight job, when there is one. */
  jobId: string | null;
}

export type WorkspacesError = { kind: 'workspaceNotFound' } | { kind: 'conflict'; message: string };

export interface WorkspacesService {
  list(): Promise<{ workspaces: WorkspaceView[]; totalBytes: number }>;
  remove(key: string): Promise<Result<{ deleted: true; key: string; freedBytes: number }, WorkspacesError>>;
  /** Frees every workspace not in use and unused for `WORKSPACE_RETENTION_MS` (the retention sweep). */
  sweep(): Promise<{ freed: string[]; freedBytes: number }>;
}

/** The local runs' working directories (`/api/v1/workspaces`), with the issue and run that own each. */
export function createWorkspacesService({ storage, clock, workspacePool, audit }: WorkspacesDeps): WorkspacesService {
  async function views(): Promise<WorkspaceView[]> {
    const [found, inFlight] = await Promise.all([workspacePool.list(), storage.jobs.list({ statuses: IN_FLIGHT_STATUSES })]);
    return found.map((w) => {
      const job = inFlight.find((j) => w.identifier !== undefined && j.identifier.toUpperCase() === w.identifier.toUpperCase());
      return { ...w, teamKey: job?.teamKey ?? null, inUse: Boolean(job), jobId: job?.id ?? null };
    });
  }

  return {
    async list() {
      const workspaces = (await views()).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
      return { workspaces, totalBytes: workspaces.reduce((sum, w) => sum + w.sizeBytes, 0) };
    },
    async remove(key) {
      const workspace = (await views()).find((w) => w.key === key);
      if (!workspace) return err({ kind: 'workspaceNotFound' });
      if (workspace.inUse) {
        return err({ kind: 'conflict', message: `Workspace in use by ${workspace.identifier} (job ${workspace.jobId})` });
      }
      if (!(await workspacePool.remove(key))) return err({ kind: 'workspaceNotFound' });
      await audit.record({
        actor: 'operator',
        action: 'workspace.deleted',
        target: key,
        detail: { identifier: workspace.identifier ?? null, freedBytes: workspace.sizeBytes },
      });
      return ok({ deleted: true as const, key, freedBytes: workspace.sizeBytes });
    },
    async sweep() {
      const cutoff = clock.now() - WORKSPACE_RETENTION_MS;
      const old = (await views()).filter((w) => !w.inUse && w.lastUsedAt < cutoff);
      const freed: WorkspaceView[] = [];
      for (const workspace of old) if (await workspacePool.remove(workspace.key)) freed.push(workspace);
      const freedBytes = freed.reduce((sum, w) => sum + w.sizeBytes, 0);
      if (freed.length > 0) {
        await audit.record({
          actor: 'orchestrator',
          action: 'workspace.swept',
          detail: { keys: freed.map((w) => w.key), freedBytes, retentionMs: WORKSPACE_RETENTION_MS },
        });
      }
      return { freed: freed.map((w) => w.key), freedBytes };
    },
  };
}
