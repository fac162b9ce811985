import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../../core/domain/model.js';

/** A claim as the file keeps it, so that a claim outlives a restart; null never lapses. */
export interface StoredClaim {
  expiresAt: number | null;
}

type Table<T> = Record<string, T>;

/** The whole embedded store: one JSON document, rewritten atomically on every change. */
export interface StoreData {
  version: 1;
  mappings: Table<Mapping>;
  jobs: Table<Job>;
  dedup: Table<DedupEntry>;
  /** Newest first, at most DISPATCH_LOG_LIMIT entries. */
  dispatchLog: DispatchLogEntry[];
  settings: Table<string>;
  claims: Table<StoredClaim>;
  records: Table<Table<unknown>>;
  /** Oldest first, each stream trimmed to the `keep` of its last append. */
  recordLogs: Table<unknown[]>;
}

/**
 * Tables are null-prototype dictionaries: ids are opaque strings, and `table['__proto__'] = x`
 * on an ordinary object would change its prototype instead of storing an entry.
 */
export function table<T>(from?: Table<T>): Table<T> {
  return Object.assign(Object.create(null) as Table<T>, from ?? {});
}

/** Reads what the file held (or nothing) into the current shape, filling missing parts. */
export function normaliseStoreData(raw: Partial<StoreData> | null | undefined): StoreData {
  const records = table<Table<unknown>>();
  for (const [collection, rows] of Object.entries(raw?.records ?? {})) records[collection] = table(rows);
  return {
    version: 1,
    mappings: table(raw?.mappings),
    jobs: table(raw?.jobs),
    dedup: table(raw?.dedup),
    dispatchLog: Array.isArray(raw?.dispatchLog) ? raw.dispatchLog : [],
    settings: table(raw?.settings),
    claims: table(raw?.claims),
    records,
    recordLogs: table(raw?.recordLogs),
  };
}
