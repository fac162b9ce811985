import type { DedupEntry, DispatchLogEntry, Job, JobStatus, Mapping, Phase } from '../core/domain/model.js';
import type { ConnectorEventStore } from './connector-events.port.js';
import type { NotificationQueueStore } from './notification-queue.port.js';
import type { SecurityEventStore } from './security-events.port.js';
import type { UsageStore } from './usage-store.port.js';

/** The dispatch log keeps this many newest entries; older ones are dropped on append. */
export const DISPATCH_LOG_LIMIT = 500;

/**
 * Storage — everything the orchestrator must not lose across a restart, as typed stores
 * shaped by the use cases' questions (not generic CRUD).
 *
 * Contract (checked by testing/contracts/storage.contract.ts against every adapter):
 * - Every write is durable once its promise resolves: closing and reopening the same
 *   location returns the same data. Values round-trip structurally (plain JSON).
 * - Nothing returned is a live reference: mutating a returned object changes nothing.
 * - A failure of the store itself (disk, connection) rejects with a `StorageError`; every
 *   expected outcome (not found, already claimed, lost a compare-and-set, fenced) is a value.
 *   A programming error in the arguments (a ttl or `keep` <= 0, a negative limit) rejects
 *   with a RangeError.
 * - Claims and leases lapse by the store's injected clock (`now`), not the database's.
 * - Atomicity holds across every process sharing the store (`claims`, `leases`, `counters`,
 *   `jobs.updateIf`, `recordDispatch`) for adapters that offer sharing (SQL on PostgreSQL, and
 *   on one SQLite file); single-process adapters (lowdb, unstorage memory/fs/redis) guarantee
 *   it within one process.
 * - `close()` flushes and releases every resource; the store is unusable afterwards.
 */
export interface Storage {
  readonly mappings: MappingStore;
  readonly jobs: JobStore;
  readonly dedup: DedupStore;
  readonly dispatchLog: DispatchLogStore;
  readonly settings: SettingStore;
  readonly claims: ClaimStore;
  readonly leases: LeaseStore;
  readonly counters: CounterStore;
  readonly documents: DocumentStore;
  readonly streams: StreamStore;
  /** Inbound deliveries and failed outbound calls (ports/connector-events.port.ts). */
  readonly connectorEvents: ConnectorEventStore;
  /** Grouped security signals with their triage status (ports/security-events.port.ts). */
  readonly securityEvents: SecurityEventStore;
  /** The notification delivery queue (ports/notification-queue.port.ts). */
  readonly notifications: NotificationQueueStore;
  /** Tokens and dollars per run, and the day's spend (issue 17; ports/usage-store.port.ts). */
  readonly usage: UsageStore;
  /**
   * One dispatch, all or nothing: the claim of `claimKey`, the job, the dedup entry and the
   * dispatch-log entry commit together. `claimed` when the claim is held (nothing written);
   * `fenced` when `fence` is given and the lease no longer carries that token (a lapsed holder
   * woke up; nothing written); `in-flight` when a job of the same issue and phase has not
   * finished (nothing written).
   */
  recordDispatch(dispatch: DispatchRecord): Promise<DispatchRecordResult>;
  close(): Promise<void>;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export interface MappingStore {
  list(): Promise<Mapping[]>;
  get(teamKey: string): Promise<Mapping | undefined>;
  put(mapping: Mapping): Promise<void>;
  /** False when there was no such mapping. */
  delete(teamKey: string): Promise<boolean>;
}

/** Which jobs to list; every field narrows. Newest `dispatchedAt` first, ties by ascending `id`. */
export interface JobQuery {
  statuses?: readonly JobStatus[];
  issueId?: string;
  /** Only jobs of the issue with this identifier (`ENG-12`; case-insensitive). */
  identifier?: string;
  teamKey?: string;
  phase?: Phase;
  /** Only jobs last changed before this time. */
  updatedBefore?: number;
  /** Only jobs last changed after this time. */
  updatedAfter?: number;
  /** Only these jobs (an empty list matches nothing). */
  ids?: readonly string[];
  /** Only jobs of these issues (an empty list matches nothing). */
  issueIds?: readonly string[];
  /**
   * Only a job that is its issue's newest (by `dispatchedAt`) among the jobs of these phases,
   * whatever their status; the other filters then apply to it. Jobs of one issue dispatched in
   * the same millisecond are all "newest".
   */
  newestOfIssueAmong?: readonly Phase[];
  /** Only jobs that opened a pull request (`prUrl` set), or only jobs that did not. */
  openedPullRequest?: boolean;
  /**
   * Only jobs that ran on this machine: its `machineId`, or the `runId` of a `fly-machines` job
   * (the Fly machine's id). Indexed where the store has indexes: an operator destroying a
   * session that names no job finds its job without reading every job.
   */
  machine?: string;
  /** At most this many (a whole number >= 0). An empty `statuses` matches nothing. */
  limit?: number;
}

/**
 * How fresh a point read must be. `latest` (the default): as of the read, on every store.
 * `recent`: the store may answer from memory what it read before, while no write to that row
 * has been seen since — every write through this store drops it at once; a write by another
 * process (another replica) drops it as that process commits (PostgreSQL: LISTEN/NOTIFY), and
 * nothing is kept longer than RECENT_READ_MAX_AGE_MS in case a notice is lost. For the reads of
 * every `/runner/progress` call, where an answer a moment old harms nothing.
 */
export type ReadFreshness = 'latest' | 'recent';

/** The oldest a `recent` read's answer can be when a notice of another process's write was lost. */
export const RECENT_READ_MAX_AGE_MS = 1000;

export interface JobStore {
  get(id: string, freshness?: ReadFreshness): Promise<Job | undefined>;
  /** Insert or replace unconditionally (an operator's or an import's write). */
  put(job: Job): Promise<void>;
  /**
   * Compare-and-set: replaces the stored job with `next` only while its status is one of
   * `expected`. False when the job is missing or its status moved on (a late `started`
   * never overwrites a terminal status written by another process).
   */
  updateIf(next: Job, expected: readonly JobStatus[]): Promise<boolean>;
  /** False when there was no such job. */
  delete(id: string): Promise<boolean>;
  list(query?: JobQuery): Promise<Job[]>;
  count(query?: Omit<JobQuery, 'limit'>): Promise<number>;
  /**
   * How many jobs there are of each phase and status (absent pairs are 0). Read at every
   * `/metrics` scrape: cheap whatever the number of jobs (the SQL store keeps it as jobs are written).
   */
  tally(): Promise<{ phase: Phase; status: JobStatus; count: number }[]>;
}

export interface DedupStore {
  list(): Promise<DedupEntry[]>;
  put(entry: DedupEntry): Promise<void>;
  /** False when the issue was not in the ledger. */
  remove(issueId: string): Promise<boolean>;
  /** Drops every entry dispatched before `cutoff` in one operation; resolves how many. */
  removeBefore(cutoff: number): Promise<number>;
}

export interface DispatchLogStore {
  /** Keeps only the newest `DISPATCH_LOG_LIMIT` entries. */
  append(entry: DispatchLogEntry): Promise<void>;
  /** Newest first; `limit` defaults to DISPATCH_LOG_LIMIT. */
  list(page?: { limit?: number; offset?: number }): Promise<DispatchLogEntry[]>;
}

export interface SettingStore {
  get(key: string): Promise<string | undefined>;
  /** `undefined` removes the setting. */
  set(key: string, value: string | undefined): Promise<void>;
}

export interface ClaimStore {
  /**
   * Of any number of concurrent claims of one key exactly one resolves `true` while the
   * claim lives. With a ttl it lapses after it; without one it lives until `release`.
   */
  claimOnce(key: string, ttlMs?: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** A held lease. `fence` grows with every new holder, never with a renewal. */
export interface Lease {
  name: string;
  owner: string;
  fence: number;
  expiresAt: number;
}

export interface LeaseStore {
  /**
   * Takes the lease when it is free, lapsed, or already held by `owner` (a restarted node
   * takes its own dead lease at once); undefined while another owner holds it.
   * Fence: the live holder acquiring again keeps its fence (that is a renewal); every other
   * acquisition (free, lapsed, released, even by the same owner) gets a fence higher than any
   * before. A released lease is kept as lapsed so that fences never go back.
   */
  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a lease still held with the same fence; undefined when it was lost. */
  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined>;
  /** Gives it up if still held by that owner with that fence; otherwise does nothing. */
  release(lease: Lease): Promise<void>;
  /** The current holder, if the lease is held and not lapsed. */
  current(name: string): Promise<Lease | undefined>;
}

export interface CounterStore {
  /** Atomically increments and returns the new value (the first call returns 1). */
  next(name: string): Promise<number>;
}

/** A named collection of documents of one type, declared once: `collection<TrackedPull>('pulls')`. */
export interface Collection<T> {
  readonly name: string;
  /** Phantom: carries the document type. */
  readonly __type?: T;
}

export function collection<T>(name: string): Collection<T> {
  return { name };
}

/** Keyed documents in typed collections (tracker issues, pulls, steering, overrides, …). Ids are opaque. */
export interface DocumentStore {
  get<T>(collection: Collection<T>, id: string, freshness?: ReadFreshness): Promise<T | undefined>;
  /** `value` must be a JSON value; `undefined` rejects with a RangeError (use `delete`). */
  put<T>(collection: Collection<T>, id: string, value: T): Promise<void>;
  /** Every document of the collection, in id order (code-point order of the ids). */
  list<T>(collection: Collection<T>): Promise<T[]>;
  /** False when there was no such document. */
  delete<T>(collection: Collection<T>, id: string): Promise<boolean>;
}

/** A bounded append-only stream of one type (a job's step history, an issue's events). */
export interface Stream<T> {
  readonly name: string;
  readonly __type?: T;
}

export function stream<T>(name: string): Stream<T> {
  return { name };
}

export interface StreamStore {
  /** Appends and keeps only the newest `keep` entries of that stream. */
  append<T>(stream: Stream<T>, entry: T, keep: number): Promise<void>;
  /** Oldest first; with `limit`, the newest `limit` entries (still oldest first). */
  list<T>(stream: Stream<T>, page?: { limit?: number }): Promise<T[]>;
  /** Drops the whole stream; false when there was none. */
  delete<T>(stream: Stream<T>): Promise<boolean>;
}

export interface DispatchRecord {
  claimKey: string;
  claimTtlMs: number;
  job: Job;
  dedup: DedupEntry;
  log: DispatchLogEntry;
  /** When set, the dispatch commits only while this lease is held, not lapsed, with this fence. */
  fence?: { lease: string; token: number };
}

/**
 * `in-flight`: a job of the same issue and phase is still in flight (`unknown`, `dispatched`,
 * `running`) — two entry points that decided different dispatch numbers at once never both
 * start a run; nothing written.
 */
export type DispatchRecordResult = 'recorded' | 'claimed' | 'fenced' | 'in-flight';
