import { type Kysely, sql } from 'kysely';
import { StorageError } from '../../../ports/storage.port.js';
import { countSnapshot, type ImportCounts, type StoreSnapshot } from '../snapshot.js';
import { jobRow } from './sql-queries.js';
import type { SqlDatabase } from './sql-schema.js';
import { usageRow } from './sql-usage.js';

type Db = Kysely<SqlDatabase>;

const TABLES = [
  'mappings',
  'jobs',
  'dedup',
  'dispatch_log',
  'settings',
  'claims',
  'leases',
  'counters',
  'documents',
  'stream_entries',
  'usage_runs',
] as const;

/** True when no table holds a row: a store that was just created. */
export async function isEmpty(db: Db): Promise<boolean> {
  for (const table of TABLES) {
    const row = await db.selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (row) return false;
  }
  return true;
}

/** Rows per INSERT: far below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/**
 * Writes a whole snapshot; runs inside the caller's transaction, so it lands whole or not at
 * all. Checks emptiness again in that transaction: another process may have written since.
 */
export async function importSnapshot(db: Db, snapshot: StoreSnapshot): Promise<ImportCounts> {
  if (!(await isEmpty(db))) throw new StorageError('the store already holds data (import only into an empty store)');
  await insertChunked(snapshot.mappings, (c) =>
    db
      .insertInto('mappings')
      .values(c.map((m) => ({ team_key: m.teamKey, data: JSON.stringify(m) })))
      .execute(),
  );
  await insertChunked(snapshot.jobs, (c) => db.insertInto('jobs').values(c.map(jobRow)).execute());
  await insertChunked(snapshot.dedup, (c) =>
    db
      .insertInto('dedup')
      .values(c.map((d) => ({ issue_id: d.issueId, dispatched_at: d.dispatchedAt, data: JSON.stringify(d) })))
      .execute(),
  );
  // The log lists newest first; inserted oldest first, so the newest gets the highest seq.
  const oldestFirst = [...snapshot.dispatchLog].reverse();
  await insertChunked(oldestFirst, (c) =>
    db
      .insertInto('dispatch_log')
      .values(c.map((e) => ({ data: JSON.stringify(e) })))
      .execute(),
  );
  await insertChunked(snapshot.settings, (c) => db.insertInto('settings').values(c).execute());
  await insertChunked(snapshot.claims, (c) =>
    db
      .insertInto('claims')
      .values(c.map((claim) => ({ key: claim.key, expires_at: claim.expiresAt })))
      .execute(),
  );
  await insertChunked(snapshot.documents, (c) =>
    db
      .insertInto('documents')
      .values(c.map((d) => ({ collection: d.collection, id: d.id, data: JSON.stringify(d.value) })))
      .execute(),
  );
  // A snapshot lists a stream's entries oldest first: they take positions 1, 2, 3…
  for (const stream of snapshot.streams) {
    const positioned = stream.entries.map((entry, i) => ({ stream: stream.name, pos: i + 1, data: JSON.stringify(entry) }));
    await insertChunked(positioned, (c) => db.insertInto('stream_entries').values(c).execute());
  }
  await insertChunked(snapshot.counters ?? [], (c) => db.insertInto('counters').values(c).execute());
  await insertChunked(snapshot.usage ?? [], (c) => db.insertInto('usage_runs').values(c.map(usageRow)).execute());
  return countSnapshot(snapshot);
}
