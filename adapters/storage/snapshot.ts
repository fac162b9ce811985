import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../core/domain/model.js';
import type { RunUsageRecord } from '../../ports/usage-store.port.js';

/** Everything a store holds, in a form every adapter can write in one go (an import). */
export interface StoreSnapshot {
  mappings: Mapping[];
  jobs: Job[];
  dedup: DedupEntry[];
  /** Newest first, as the dispatch log lists. */
  dispatchLog: DispatchLogEntry[];
  settings: { key: string; value: string }[];
  /** `expiresAt` null: held until released. */
  claims: { key: string; expiresAt: number | null }[];
  documents: { collection: string; id: string; value: unknown }[];
  /** Each stream's entries oldest first. */
  streams: { name: string; entries: unknown[] }[];
  /** Absent in files of version 1, which had no counters. */
  counters?: { name: string; value: number }[];
  /**
   * The runs' usage (`Storage.usage`): money history, always carried. Absent in stores from
   * before usage. Connector events, security events and notifications are not carried: they
   * are logs with a retention (or a transient queue) that a new store starts afresh.
   */
  usage?: RunUsageRecord[];
}

/** How many of each kind an import wrote. */
export interface ImportCounts {
  mappings: number;
  jobs: number;
  dedup: number;
  dispatchLog: number;
  settings: number;
  claims: number;
  documents: number;
  streamEntries: number;
  counters: number;
  usage: number;
}

/**
 * What an adapter offers beyond the port so that an old store can be brought in: every adapter
 * in this folder implements it. `importSnapshot` writes everything or nothing and refuses a
 * store that already holds data (a merge could silently replace newer rows).
 */
export interface SnapshotImport {
  isEmpty(): Promise<boolean>;
  importSnapshot(snapshot: StoreSnapshot): Promise<ImportCounts>;
  /**
   * Everything an import carries, read from this store (`writeJsonStore` writes it as a file
   * `storage import` reads): usage included; leases, the connector and security event logs and
   * the notification queue left out, as an import leaves them out.
   */
  exportSnapshot(): Promise<StoreSnapshot>;
}

export function countSnapshot(snapshot: StoreSnapshot): ImportCounts {
  return {
    mappings: snapshot.mappings.length,
    jobs: snapshot.jobs.length,
    dedup: snapshot.dedup.length,
    dispatchLog: snapshot.dispatchLog.length,
    settings: snapshot.settings.length,
    claims: snapshot.claims.length,
    documents: snapshot.documents.length,
    streamEntries: snapshot.streams.reduce((n, s) => n + s.entries.length, 0),
    counters: snapshot.counters?.length ?? 0,
    usage: snapshot.usage?.length ?? 0,
  };
}

export function describeCounts(counts: ImportCounts): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}
