import type { StepReport } from '../../../ports/pipeline.port.js';
import { type Storage, stream } from '../../../ports/storage.port.js';
import { boundedStep } from '../../domain/step-bounds.js';

/** Each job keeps its newest this-many step entries (ARCHITECTURE.md "Storage": step history is capped). */
export const STEP_HISTORY_LIMIT = 200;

/** One entry of a job's step history, as `GET /api/jobs/:jobId/steps` returns it. */
export interface StepEntry extends StepReport {
  /** Which callback reported it. */
  source: 'progress' | 'step-report';
  /** When the orchestrator received it (epoch ms). */
  receivedAt: number;
}

export interface StepHistoryService {
  append(jobId: string, entry: StepEntry): Promise<void>;
  /** Oldest first. */
  list(jobId: string): Promise<StepEntry[]>;
  /** Drops a pruned job's history. */
  forget(jobId: string): Promise<void>;
}

const streamOf = (jobId: string) => stream<StepEntry>(`job-steps/${jobId}`);

/** Step reports from `/runner/progress` and `/api/step-report`, in one bounded stream per job, each report bounded too (step-bounds.ts). */
export function createStepHistoryService({ storage }: { storage: Storage }): StepHistoryService {
  return {
    append: (jobId, entry) => storage.streams.append(streamOf(jobId), boundedStep(entry), STEP_HISTORY_LIMIT),
    list: (jobId) => storage.streams.list(streamOf(jobId)),
    forget: async (jobId) => {
      await storage.streams.delete(streamOf(jobId));
    },
  };
}
