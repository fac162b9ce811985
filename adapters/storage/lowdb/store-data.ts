import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../../core/domain/model.js';

/** A claim as the file keeps it, so that a claim outlives a restart; null never lapses. */
export interface StoredClaim {
  expiresAt: number | null;
}

/** A lease as the file keeps it; a released one stays with expiresAt 0 so fences keep growing. */
export interface StoredLease {
  owner: string;
  fence: number;
  expiresAt: number;
}

type Table<T> = Record<string, T>;

/**
 * The whole lowdb store: one readable JSON document, rewritten atomically on every change.
 * Version 1 (before leases and counters) is read as is; the SQL store imports this layout
 * (see ../json-import.ts), so its field names stay.
 */
export interface StoreData {
  version: 2;
  mappings: Table<Mapping>;
  jobs: Table<Job>;
  dedup: Table<DedupEntry>;
  /** Newest first, at most DISPATCH_LOG_LIMIT entries. */
  dispatchLog: DispatchLogEntry[];
  settings: Table<string>;
  claims: Table<StoredClaim>;
  leases: Table<StoredLease>;
  counters: Table<number>;
  /** The document store: collection → id → document. */
  records: Table<Table<unknown>>;
  /** The stream store, each stream oldest first and trimmed to the `keep` of its last append. */
  recordLogs: Table<unknown[]>;
  /** The notification delivery queue (transient: never exported or imported). */
  notifications: Table<unknown>;
}

/**
 * Tables are null-prototype dictionaries: ids are opaque strings, and `table['__proto__'] = x`
 * on an ordinary object would change its prototype instead of storing an entry.
 */
export function table<T>(from?: Table<T>): Table<T> {
  return Object.assign(Object.create(null) as Table<T>, from ?? {});
}

/** Reads what the file held (or nothing) into the current shape, filling missing parts. */
export function normaliseStoreData(raw: Partial<Omit<StoreData, 'version'>> | null | undefined): StoreData {
  const records = table<Table<unknown>>();
  for (const [collection, rows] of Object.entries(raw?.records ?? {})) records[collection] = table(rows);
  return {
    version: 2,
    mappings: table(raw?.mappings),
    jobs: table(raw?.jobs),
    dedup: table(raw?.dedup),
    dispatchLog: Array.isArray(raw?.dispatchLog) ? raw.dispatchLog : [],
    settings: table(raw?.settings),
    claims: table(raw?.claims),
    leases: table(raw?.leases),
    counters: table(raw?.counters),
    records,
    recordLogs: table(raw?.recordLogs),
    notifications: table(raw?.notifications),
  };
}
