import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../core/model.js';

/** The dispatch log keeps this many newest entries; older ones are dropped on append. */
export const DISPATCH_LOG_LIMIT = 500;

/**
 * Storage — everything the orchestrator must not lose across a restart.
 *
 * Contract (checked by test/contracts/storage.contract.ts against every adapter):
 * - Every write is durable once its promise resolves: closing and reopening the same
 *   location returns the same data.
 * - Values round-trip structurally (what is put is what is got, as plain JSON).
 * - `listX` never returns a live reference: mutating a returned object changes nothing.
 * - `appendDispatchLog` keeps only the newest `DISPATCH_LOG_LIMIT` entries;
 *   `listDispatchLog` returns newest first.
 * - `appendRecordLog` keeps only the newest `keep` entries of that stream (bounded history
 *   for step reports, events, audit, reaper actions); `listRecordLog` returns oldest first.
 * - `claimOnce(key, ttlMs)` is atomic across every caller sharing the store: of any number
 *   of concurrent claims of one key exactly one resolves `true` while the claim lives.
 *   With a ttl the claim lapses after it; without one it lives until `releaseClaim`.
 * - Records are keyed documents in a named collection for adapters and services that need
 *   their own state (the local tracker's issues, pull requests, sessions). Collection and
 *   id are opaque strings without `:`.
 * - `close()` flushes and releases every resource; the store is unusable afterwards.
 */
export interface Storage {
  listMappings(): Promise<Mapping[]>;
  getMapping(teamKey: string): Promise<Mapping | undefined>;
  putMapping(mapping: Mapping): Promise<void>;
  /** Resolves false when there was no such mapping. */
  deleteMapping(teamKey: string): Promise<boolean>;

  putJob(job: Job): Promise<void>;
  getJob(id: string): Promise<Job | undefined>;
  listJobs(): Promise<Job[]>;
  /** Resolves false when there was no such job. Retention prunes old terminal jobs with it. */
  deleteJob(id: string): Promise<boolean>;

  listDedup(): Promise<DedupEntry[]>;
  putDedup(entry: DedupEntry): Promise<void>;
  /** Resolves false when the issue was not in the ledger. */
  removeDedup(issueId: string): Promise<boolean>;

  appendDispatchLog(entry: DispatchLogEntry): Promise<void>;
  listDispatchLog(): Promise<DispatchLogEntry[]>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string | undefined): Promise<void>;

  claimOnce(key: string, ttlMs?: number): Promise<boolean>;
  releaseClaim(key: string): Promise<void>;

  putRecord<T>(collection: string, id: string, value: T): Promise<void>;
  getRecord<T>(collection: string, id: string): Promise<T | undefined>;
  listRecords<T>(collection: string): Promise<T[]>;
  deleteRecord(collection: string, id: string): Promise<boolean>;

  appendRecordLog<T>(stream: string, entry: T, keep: number): Promise<void>;
  listRecordLog<T>(stream: string): Promise<T[]>;
  /** Drops a whole stream (a pruned job's step history); false when there was none. */
  deleteRecordLog(stream: string): Promise<boolean>;

  close(): Promise<void>;
}
