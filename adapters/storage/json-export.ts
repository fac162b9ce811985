import { writeFile } from 'node:fs/promises';
import { StorageError } from '../../ports/storage.port.js';
import { USAGE_COLLECTION } from './document/document-usage.js';
import type { StoreSnapshot } from './snapshot.js';

/**
 * A snapshot in the JSON store layout (the lowdb file, lowdb/store-data.ts) that `storage
 * import` and `readJsonStore` read: so a store of any adapter can move to any other. The
 * runs' usage goes under `records["usage-runs"]`, where the lowdb store keeps it.
 */
export function toJsonStore(snapshot: StoreSnapshot): Record<string, unknown> {
  // Null-prototype tables: ids and collection names are opaque (`__proto__` is a name like any).
  const records: Record<string, Record<string, unknown>> = Object.create(null);
  for (const d of snapshot.documents) {
    records[d.collection] ??= Object.create(null);
    (records[d.collection] as Record<string, unknown>)[d.id] = d.value;
  }
  if (snapshot.usage && snapshot.usage.length > 0) records[USAGE_COLLECTION] = byId(snapshot.usage, (u) => u.jobId);
  return {
    version: 2,
    mappings: byId(snapshot.mappings, (m) => m.teamKey),
    jobs: byId(snapshot.jobs, (j) => j.id),
    dedup: byId(snapshot.dedup, (d) => d.issueId),
    dispatchLog: snapshot.dispatchLog,
    settings: Object.fromEntries(snapshot.settings.map((s) => [s.key, s.value])),
    claims: Object.fromEntries(snapshot.claims.map((c) => [c.key, { expiresAt: c.expiresAt }])),
    counters: Object.fromEntries((snapshot.counters ?? []).map((c) => [c.name, c.value])),
    records,
    recordLogs: Object.fromEntries(snapshot.streams.map((s) => [s.name, s.entries])),
  };
}

/** Writes the snapshot as a JSON store file (0600: it holds the store's settings). */
export async function writeJsonStore(snapshot: StoreSnapshot, file: string): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(toJsonStore(snapshot), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new StorageError(`cannot export to ${file}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

function byId<T>(rows: T[], id: (row: T) => string): Record<string, T> {
  return Object.fromEntries(rows.map((row) => [id(row), row]));
}
