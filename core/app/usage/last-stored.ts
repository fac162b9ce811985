import type { RunUsageRecord } from '../../../ports/usage-store.port.js';

/**
 * The usage record this replica last stored per run, for the most recently reported `limit`
 * runs: the version `UsageStore.replace` expects, so that a run's next report needs no read
 * of its record first. Only a hint: when another replica stored the run meanwhile, `replace`
 * refuses and the caller reads the store.
 */
export interface LastStored {
  get(jobId: string): RunUsageRecord | undefined;
  set(record: RunUsageRecord): void;
  forget(jobId: string): void;
}

export function createLastStored(limit = 1_000): LastStored {
  const records = new Map<string, RunUsageRecord>();
  return {
    get: (jobId) => records.get(jobId),
    set(record) {
      records.delete(record.jobId);
      records.set(record.jobId, record);
      if (records.size > limit) records.delete(records.keys().next().value as string);
    },
    forget: (jobId) => void records.delete(jobId),
  };
}
