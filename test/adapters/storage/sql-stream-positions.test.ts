import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, type LogEvent, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createSqlStorage,
  openPostgresStorage,
  openSqliteStorage,
  type SqlStorage,
} from '../../../adapters/storage/sql/sql.adapter.js';
import { connectPostgres, connectSqlite, type SqlConnection } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest, migrateUpTo } from '../../../adapters/storage/sql/sql-migrations.js';
import type { SqlDatabase } from '../../../adapters/storage/sql/sql-schema.js';
import { type Stream, stream } from '../../../ports/storage.port.js';
import { range } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { recordingHotPool } from './recording-hot-pool.js';
import { tempDir } from './temp-dir.js';

/**
 * Migration 0009-stream-positions: each stream entry has a position in its stream (1, 2, 3… in
 * append order, unique with the stream). The entries a store held before it get theirs from
 * their order; an append's trim is one range of the (stream, pos) index; on PostgreSQL, writers
 * that compute the same next position at once all land, one after the other.
 */

const a = stream<string>('steps:job-a');
const b = stream<string>('steps:job-b');

/** Writes entries as a release before 0009 did (no position), a's and b's interleaved, some trimmed away since. */
async function writeOldRows(db: Kysely<unknown>): Promise<void> {
  const rows: [string, string][] = [
    [a.name, 'a-gone'],
    [a.name, 'a1'],
    [b.name, 'b1'],
    [a.name, 'a2'],
    [b.name, 'b-gone'],
    [b.name, 'b2'],
    [a.name, 'a3'],
    [b.name, 'b3'],
  ];
  for (const [name, data] of rows)
    await sql`insert into stream_entries (stream, data) values (${name}, ${JSON.stringify(data)})`.execute(db);
  await sql`delete from stream_entries where data in (${JSON.stringify('a-gone')}, ${JSON.stringify('b-gone')})`.execute(db);
}

async function checkBackfill(connect: () => SqlConnection, open: () => Promise<SqlStorage>): Promise<void> {
  const connection = connect();
  const db = connection.db as Kysely<unknown>;
  await migrateUpTo(db, connection.kind, '0007-jobs-by-machine');
  await writeOldRows(db);
  await connection.db.destroy();
  const storage = await open();
  try {
    expect(await storage.streams.list(a)).toEqual(['a1', 'a2', 'a3']);
    expect(await storage.streams.list(b, { limit: 2 })).toEqual(['b2', 'b3']);
    await storage.streams.append(a, 'a4', 3);
    await storage.streams.append(b, 'b4', 2);
    expect(await storage.streams.list(a)).toEqual(['a2', 'a3', 'a4']);
    expect(await storage.streams.list(b)).toEqual(['b3', 'b4']);
  } finally {
    await storage.close();
  }
  const after = connect().db;
  try {
    expect(await positions(after, a.name)).toEqual([
      [2, 'a2'],
      [3, 'a3'],
      [4, 'a4'],
    ]);
    expect(await positions(after, b.name)).toEqual([
      [3, 'b3'],
      [4, 'b4'],
    ]);
  } finally {
    await after.destroy();
  }
}

/** Each stream's (position, entry) pairs, in position order, read straight from the table. */
async function positions(db: Kysely<SqlDatabase>, name: string) {
  const rows = await db.selectFrom('stream_entries').select(['pos', 'data']).where('stream', '=', name).orderBy('pos').execute();
  return rows.map((r) => [Number(r.pos), JSON.parse(r.data)]);
}

/** A Kysely handle on a small pool of its own, telling `log` each query it ran. */
function postgresDb(url: string, log?: (query: CompiledQuery) => void): Kysely<SqlDatabase> {
  return new Kysely<SqlDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
    log: (event: LogEvent) => {
      if (event.level === 'query') log?.(event.query);
    },
  });
}

/** The queries the store runs on the stream table during appends, a list, and a delete; then `check`s them, the store still open. */
async function streamQueries(
  connection: SqlConnection,
  queries: CompiledQuery[],
  check: (seen: CompiledQuery[]) => Promise<void>,
) {
  const { db, kind } = connection;
  await migrateToLatest(db as never, kind);
  // 10,000 entries of 100 other streams, counted by ANALYZE: a table the planner would read whole
  // if it could not use the (stream, pos) index.
  await sql`with recursive g(n) as (select 0 union all select n + 1 from g where n < 9999)
    insert into stream_entries (stream, pos, data) select ${'steps:other-'} || (n / 100), n % 100 + 1, '{}' from g`.execute(db);
  await sql`analyze`.execute(db);
  const storage = createSqlStorage(connection);
  try {
    queries.length = 0;
    for (const i of range(0, 5)) await storage.streams.append(a, `a${i}`, 3);
    await Promise.all(range(0, 4).map((i) => storage.streams.append(i % 2 ? a : b, `x${i}`, 3)));
    // A turn of appends to many streams (one batch on PostgreSQL), each trimming one entry.
    await Promise.all(range(0, 40).map((i) => storage.streams.append(stream<string>(`steps:other-${i}`), `y${i}`, 100)));
    expect(await storage.streams.list(a, { limit: 2 })).toHaveLength(2);
    expect(await storage.streams.list(a)).toHaveLength(3);
    expect(await storage.streams.delete(b)).toBe(true);
    const seen = queries.filter((q) => q.sql.includes('stream_entries'));
    expect(seen.length).toBeGreaterThanOrEqual(4);
    await check(seen);
  } finally {
    await storage.close();
  }
}

describe('stream positions on sqlite', () => {
  it('numbers the entries written before the migration in their order, per stream', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'before-0009.db');
      await checkBackfill(
        () => connectSqlite(file),
        () => openSqliteStorage(file),
      );
    } finally {
      await dir.remove();
    }
  });

  it('trims, lists, deletes and finds the next position through the (stream, pos) key', async () => {
    const queries: CompiledQuery[] = [];
    // Every statement the connection runs, Kysely's and the hot path's (values written in).
    const database = new Database(':memory:', { verbose: (text) => queries.push(CompiledQuery.raw(String(text))) });
    const db = new Kysely<SqlDatabase>({ dialect: new SqliteDialect({ database }) });
    await streamQueries({ db, kind: 'sqlite', sqlite: database }, queries, async (seen) => {
      expect(seen.some((q) => /^delete from "?stream_entries"? .*"?pos"? <=/.test(q.sql))).toBe(true);
      for (const q of seen) {
        const plan = database
          .prepare(`explain query plan ${q.sql}`)
          .all(...q.parameters)
          .map((r) => (r as { detail: string }).detail)
          .join('\n');
        // Keyed by (stream, pos) itself since migration 0011.
        expect(plan, q.sql).toMatch(/SEARCH stream_entries USING PRIMARY KEY \(stream=/);
        expect(plan, q.sql).not.toMatch(/SCAN stream_entries/);
      }
    });
  });
});

describe('stream positions on postgresql', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(() => database?.drop());

  it('numbers the entries written before the migration in their order, per stream', async () => {
    const schema = await database.schema();
    try {
      await checkBackfill(
        () => connectPostgres(schema.url),
        () => openPostgresStorage(schema.url),
      );
    } finally {
      await schema.drop();
    }
  });

  it('loses no append when two stores (two pools) append to one stream at once, and keeps exactly `keep`', async () => {
    const schema = await database.schema();
    const first = await openPostgresStorage(schema.url);
    const second = await openPostgresStorage(schema.url);
    const { db } = connectPostgres(schema.url);
    try {
      // Each store starts an append every turn of its event loop without waiting for the last:
      // many statements of both pools in flight at once, on one stream.
      const spread = async (storage: SqlStorage, on: Stream<number>, values: number[], keep: number) => {
        const pending: Promise<void>[] = [];
        for (const v of values) {
          pending.push(storage.streams.append(on, v, keep));
          await new Promise(setImmediate);
        }
        await Promise.all(pending);
      };
      const evens = (from: number, to: number) => range(from, to).filter((i) => i % 2 === 0);
      const odds = (from: number, to: number) => range(from, to).filter((i) => i % 2 === 1);
      // An INSERT refused for a position the other store took had drawn its seq already: seqs
      // past the appends made show that the stores did race. Each store has one statement in
      // flight at a time, so a round may pass without a race: then again, on a new stream.
      let numbers = stream<number>('steps:shared-0');
      for (let round = 1; ; round++) {
        await Promise.all([spread(first, numbers, evens(0, 160), 1000), spread(second, numbers, odds(0, 160), 1000)]);
        // Then many per turn from each (one batched statement per store, both sent at once).
        for (const from of [160, 170, 180, 190])
          await Promise.all(range(from, from + 10).map((i) => (i % 2 ? first : second).streams.append(numbers, i, 1000)));
        const all = await first.streams.list(numbers);
        expect([...all].sort((x, y) => x - y)).toEqual(range(0, 200));
        const { rows: seq } = await sql<{ last: number }>`select max(seq) as last from stream_entries`.execute(db);
        if (Number(seq[0]?.last) > 200 * round) break;
        expect(round, 'no race between the two stores in 20 rounds').toBeLessThan(20);
        numbers = stream<number>(`steps:shared-${round}`);
      }
      await Promise.all([spread(first, numbers, evens(200, 300), 50), spread(second, numbers, odds(200, 300), 50)]);
      const kept = await second.streams.list(numbers);
      expect(kept).toHaveLength(50);
      // The newest 50 in the order they landed: the last 50 positions, consecutive.
      const rows = await positions(db, numbers.name);
      expect(rows.map(([, v]) => v)).toEqual(kept);
      const top = rows.at(-1)?.[0] as number;
      expect(rows.map(([p]) => p)).toEqual(range(top - 49, top + 1));
      expect(top).toBe(300);
    } finally {
      await db.destroy();
      await first.close();
      await second.close();
      await schema.drop();
    }
  });

  it('leaves after a turn of appends to one stream with different keeps what they would leave one by one', async () => {
    const schema = await database.schema();
    const storage = await openPostgresStorage(schema.url);
    try {
      const s = stream<string>('steps:keeps');
      const keeps = [10, 10, 2, 10, 10, 3, 10];
      await Promise.all(keeps.map((keep, i) => storage.streams.append(s, `e${i}`, keep)));
      // e2 keeps [e1, e2]; e5 keeps [e3, e4, e5]; the rest keep all they see.
      expect(await storage.streams.list(s)).toEqual(['e3', 'e4', 'e5', 'e6']);
    } finally {
      await storage.close();
      await schema.drop();
    }
  });

  it('writes at the positions it knows, and finds them again when another store appended (and trimmed) since', async () => {
    const schema = await database.schema();
    const texts: string[] = [];
    const db = postgresDb(schema.url);
    await migrateToLatest(db as never, 'postgres');
    // Every hot statement sent, the ones refused too.
    const mine = createSqlStorage({ db, kind: 'postgres', hot: recordingHotPool(schema.url, (text) => texts.push(text)) });
    const other = await openPostgresStorage(schema.url);
    const s = stream<string>('steps:lean');
    texts.length = 0;
    const lean = () => texts.filter((t) => t.includes('case when exists')).length;
    const full = () => texts.filter((t) => t.includes('row_number() over')).length;
    try {
      await mine.streams.append(s, 'e1', 3);
      expect([lean(), full()]).toEqual([0, 1]);
      await mine.streams.append(s, 'e2', 3);
      expect([lean(), full()]).toEqual([1, 1]);
      // The other store appends past e2 and trims it and e1 away: the position after e2 is free
      // again, but no longer the newest.
      for (const v of ['b1', 'b2', 'b3', 'b4']) await other.streams.append(s, v, 3);
      expect(await other.streams.list(s)).toEqual(['b2', 'b3', 'b4']);
      await mine.streams.append(s, 'e3', 3);
      expect([lean(), full()]).toEqual([2, 2]);
      expect(await mine.streams.list(s)).toEqual(['b3', 'b4', 'e3']);
      const { rows } = await sql<{ pos: number }>`select pos from stream_entries where stream = ${s.name} order by pos`.execute(
        db,
      );
      expect(rows.map((r) => Number(r.pos))).toEqual([5, 6, 7]);
      // Known again: lean.
      await mine.streams.append(s, 'e4', 3);
      expect([lean(), full()]).toEqual([3, 2]);
      expect(await other.streams.list(s)).toEqual(['b4', 'e3', 'e4']);
    } finally {
      await mine.close();
      await other.close();
      await schema.drop();
    }
  });

  it('runs again an append whose position another writer took first, single or batched', async () => {
    const schema = await database.schema();
    const storage = await openPostgresStorage(schema.url);
    const other = new pg.Client({ connectionString: schema.url });
    await other.connect();
    try {
      const s = stream<string>('steps:raced');
      await storage.streams.append(s, 'e1', 10);
      const race = async (taken: number, appends: () => Promise<unknown>) => {
        // Another writer holds the next position, uncommitted: the append waits on the unique index, then is refused.
        await other.query('begin');
        await other.query('insert into stream_entries (stream, pos, data) values ($1, $2, $3)', [
          s.name,
          taken,
          JSON.stringify(`other${taken}`),
        ]);
        const appended = appends();
        await new Promise((done) => setTimeout(done, 300));
        await other.query('commit');
        await appended;
      };
      await race(2, () => storage.streams.append(s, 'e2', 10));
      await race(4, () => Promise.all([storage.streams.append(s, 'e3', 10), storage.streams.append(s, 'e4', 10)]));
      expect(await storage.streams.list(s)).toEqual(['e1', 'other2', 'e2', 'other4', 'e3', 'e4']);
    } finally {
      await other.end();
      await storage.close();
      await schema.drop();
    }
  });

  it('trims, lists, deletes and finds the next position through the (stream, pos) index', async () => {
    const schema = await database.schema();
    const queries: CompiledQuery[] = [];
    const db = postgresDb(schema.url, (query) => queries.push(query));
    const client = new pg.Client({ connectionString: schema.url });
    try {
      await client.connect();
      const hot = recordingHotPool(schema.url, (text, parameters) => queries.push(CompiledQuery.raw(text, [...parameters])));
      await streamQueries({ db, kind: 'postgres', hot }, queries, async (seen) => {
        expect(seen.some((q) => /pos <=|"pos" <=/.test(q.sql))).toBe(true);
        for (const q of seen) {
          const plan = await client.query<{ 'QUERY PLAN': string }>(`explain ${q.sql}`, q.parameters as unknown[]);
          const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
          expect(text, q.sql).toMatch(/stream_entries_by_pos/);
          expect(text, q.sql).not.toMatch(/Seq Scan on stream_entries/);
        }
      });
    } finally {
      await client.end().catch(() => undefined);
      await schema.drop();
    }
  });
});
