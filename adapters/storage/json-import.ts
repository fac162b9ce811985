import { readFile, rename } from 'node:fs/promises';
import { DISPATCH_LOG_LIMIT, type Storage, StorageError } from '../../ports/storage.port.js';
import { OPERATIONS_LOG_COLLECTIONS } from './document/document-operations-events.js';
import { USAGE_COLLECTION } from './document/document-usage.js';
import type { ImportCounts, SnapshotImport, StoreSnapshot } from './snapshot.js';

/** Where an imported file goes, so that it is neither imported twice nor lost. */
export const IMPORTED_SUFFIX = '.imported';

/**
 * Brings the old embedded JSON store (the lowdb file of earlier versions, see
 * lowdb/store-data.ts) into `target` in one transaction, then renames the file to
 * `<file>.imported`. A file that cannot be read or is not that layout, or a target that
 * already holds data, rejects with a StorageError and changes nothing (the file keeps its name).
 */
export async function importJsonStore(target: Storage & SnapshotImport, file: string): Promise<ImportCounts> {
  const snapshot = await readJsonStore(file);
  if (!(await target.isEmpty())) {
    throw new StorageError(`not importing ${file}: the store already holds data (import only into an empty store)`);
  }
  const counts = await target.importSnapshot(snapshot);
  try {
    await rename(file, `${file}${IMPORTED_SUFFIX}`);
  } catch (error) {
    // The data is in; only the rename failed. Saying so beats importing it again next start.
    throw new StorageError(`imported ${file} but could not rename it to ${file}${IMPORTED_SUFFIX}: ${message(error)}`, error);
  }
  return counts;
}

/** Reads and checks an old JSON store; rejects with a StorageError naming what is wrong. */
export async function readJsonStore(file: string): Promise<StoreSnapshot> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new StorageError(`cannot import ${file}: ${message(error)}`, error);
  }
  try {
    return toSnapshot(raw);
  } catch (error) {
    throw new StorageError(`cannot import ${file}: ${message(error)}`, error);
  }
}

type Row = Record<string, unknown>;

/** The top-level keys of the JSON store (lowdb/store-data.ts and `storage export`); each may be missing. */
const STORE_KEYS = [
  'version',
  'mappings',
  'jobs',
  'dedup',
  'dispatchLog',
  'settings',
  'claims',
  'records',
  'recordLogs',
  'counters',
];

function toSnapshot(raw: unknown): StoreSnapshot {
  const data = object(raw, 'the file');
  // Any other JSON object (a package.json, a config file) would import as an empty store and be renamed.
  if (!STORE_KEYS.some((key) => key in data))
    throw new Error(`the file is not a JSON store (it has none of ${STORE_KEYS.join(', ')})`);
  const mappings = values(data, 'mappings').map((m, i) => fields(m, `mappings[${i}]`, { teamKey: 'string' }));
  const jobs = values(data, 'jobs').map((j, i) =>
    fields(j, `jobs[${i}]`, {
      id: 'string',
      issueId: 'string',
      teamKey: 'string',
      phase: 'string',
      status: 'string',
      dispatchedAt: 'number',
      updatedAt: 'number',
    }),
  );
  const dedup = values(data, 'dedup').map((d, i) => fields(d, `dedup[${i}]`, { issueId: 'string', dispatchedAt: 'number' }));
  const log = data.dispatchLog ?? [];
  if (!Array.isArray(log)) throw new Error('dispatchLog is not a list');
  const dispatchLog = log.slice(0, DISPATCH_LOG_LIMIT).map((e, i) => fields(e, `dispatchLog[${i}]`, { id: 'string' }));
  const settings = Object.entries(table(data, 'settings')).map(([key, value]) => {
    if (typeof value !== 'string') throw new Error(`settings.${key} is not a string`);
    return { key, value };
  });
  const claims = Object.entries(table(data, 'claims')).map(([key, claim]) => {
    const expiresAt = object(claim, `claims.${key}`).expiresAt ?? null;
    if (expiresAt !== null && typeof expiresAt !== 'number') throw new Error(`claims.${key}.expiresAt is not a number`);
    return { key, expiresAt };
  });
  const records = table(data, 'records');
  // The runs' usage is money history: it goes to the usage store. The connector and security
  // event logs have a retention and start afresh; they are left out rather than kept as documents.
  const usage = Object.entries(table(records, USAGE_COLLECTION)).map(([jobId, u]) => {
    const row = fields(u, `records.${USAGE_COLLECTION}.${jobId}`, {
      jobId: 'string',
      issueId: 'string',
      identifier: 'string',
      teamKey: 'string',
      phase: 'string',
      day: 'string',
      reportedAt: 'number',
      inputTokens: 'number',
      outputTokens: 'number',
      cacheReadTokens: 'number',
      cacheCreationTokens: 'number',
    });
    return { ...row, final: row.final === true, stoppedByBudget: row.stoppedByBudget === true };
  });
  const notCarried = new Set<string>([USAGE_COLLECTION, ...OPERATIONS_LOG_COLLECTIONS]);
  const documents = Object.entries(records)
    .filter(([collection]) => !notCarried.has(collection))
    .flatMap(([collection, rows]) =>
      Object.entries(object(rows, `records.${collection}`)).map(([id, value]) => ({ collection, id, value })),
    );
  const streams = Object.entries(table(data, 'recordLogs')).map(([name, entries]) => {
    if (!Array.isArray(entries)) throw new Error(`recordLogs.${name} is not a list`);
    return { name, entries };
  });
  const counters = Object.entries(table(data, 'counters')).map(([name, value]) => {
    if (!Number.isInteger(value)) throw new Error(`counters.${name} is not a whole number`);
    return { name, value: value as number };
  });
  return {
    counters,
    mappings: mappings as never,
    jobs: jobs as never,
    dedup: dedup as never,
    dispatchLog: dispatchLog as never,
    settings,
    claims,
    documents,
    streams,
    usage: usage as never,
  };
}

function object(value: unknown, what: string): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Row;
}

function table(data: Row, name: string): Row {
  return data[name] === undefined ? {} : object(data[name], name);
}

function values(data: Row, name: string): unknown[] {
  return Object.values(table(data, name));
}

function fields(value: unknown, what: string, expected: Record<string, 'string' | 'number'>): Row {
  const row = object(value, what);
  for (const [field, type] of Object.entries(expected)) {
    if (typeof row[field] !== type) throw new Error(`${what}.${field} is not a ${type}`);
  }
  return row;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
