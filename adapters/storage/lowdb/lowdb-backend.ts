import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { StorageError } from '../../../ports/storage.port.js';
import { type Change, DISPATCH_LOG_ID, type DocumentBackend, type Table } from '../document/document-backend.js';
import { normaliseStoreData, type StoreData, table } from './store-data.js';

/**
 * One JSON file, held in memory and rewritten whole (temp file + rename, so a crash leaves the
 * old or the new file, never half of one) once per batch of changes: a dispatch's claim, job,
 * dedup entry and log entry reach the disk together or not at all.
 *
 * Built on `new Low(new JSONFile(file))` rather than lowdb's `JSONFilePreset`: the preset swaps
 * the file for an in-memory adapter whenever NODE_ENV is `test` (vitest sets it), which would
 * make a test of durability pass without anything reaching the disk.
 */
export async function openLowdbBackend(file: string): Promise<DocumentBackend> {
  await mkdir(dirname(file), { recursive: true });
  const db = new Low<StoreData>(new JSONFile<StoreData>(file), normaliseStoreData(undefined));
  try {
    await db.read();
  } catch (error) {
    throw new StorageError(`The storage file ${file} cannot be read: ${(error as Error).message}`, error);
  }
  const data = normaliseStoreData(db.data);
  db.data = data;

  /** The dictionary behind a table; `create` makes a missing document collection. */
  const rows = (name: Table, create = false): Record<string, unknown> | undefined => {
    if (name.startsWith('documents:')) {
      const collection = name.slice('documents:'.length);
      if (!data.records[collection] && create) data.records[collection] = table();
      return data.records[collection];
    }
    if (name === 'streams') return data.recordLogs;
    if (name === 'meta') return { [DISPATCH_LOG_ID]: data.dispatchLog };
    return data[name as Exclude<Table, 'streams' | 'meta' | `documents:${string}`>] as Record<string, unknown>;
  };
  const set = (change: Change) => {
    if (change.table === 'meta') {
      data.dispatchLog = (change.value as StoreData['dispatchLog'] | undefined) ?? [];
      return;
    }
    const target = rows(change.table, change.value !== undefined);
    if (!target) return;
    if (change.value === undefined) delete target[change.id];
    else target[change.id] = change.value;
    // An emptied collection leaves the file, as it would never have been there.
    if (change.table.startsWith('documents:') && Object.keys(target).length === 0) {
      delete data.records[change.table.slice('documents:'.length)];
    }
  };
  const storedValue = (name: Table, id: string) => {
    const target = rows(name);
    return target && Object.hasOwn(target, id) ? target[id] : undefined;
  };

  return {
    get: async (name, id) => storedValue(name, id),
    entries: async (name) => Object.entries(rows(name) ?? {}),
    write: async (changes) => {
      // Kept so that a failed write leaves memory as the file is: all or nothing.
      const before = changes.map((c) => ({ ...c, value: storedValue(c.table, c.id) }));
      for (const change of changes) set(change);
      try {
        await db.write();
      } catch (error) {
        for (const change of before.reverse()) set(change);
        throw error;
      }
    },
    collections: async () => Object.keys(data.records).filter((c) => Object.keys(data.records[c] ?? {}).length > 0),
    isEmpty: async () =>
      data.dispatchLog.length === 0 &&
      [
        data.mappings,
        data.jobs,
        data.dedup,
        data.settings,
        data.claims,
        data.leases,
        data.counters,
        data.records,
        data.recordLogs,
      ].every((t) => Object.keys(t).length === 0),
    close: async () => undefined,
  };
}
