import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { listenForChanges } from './postgres-change-notices.js';
import { preparedName } from './sql-prepared.js';
import type { RecentReads } from './sql-recent-reads.js';
import type { SqlDatabase } from './sql-schema.js';

/** A Kysely handle; on SQLite also the better-sqlite3 database under it, for the hot path (sqlite-hot-path.ts). */
export type SqlConnection = PostgresConnection | SqliteConnection;
export type SqliteConnection = { db: Kysely<SqlDatabase>; kind: 'sqlite'; sqlite: Database.Database };

/**
 * An embedded SQLite file. WAL lets readers run beside the one writer; synchronous=NORMAL is
 * durable across a process crash (only an OS crash may lose the last commits) at a fraction
 * of FULL's cost; busy_timeout lets a second connection on the same file (another process,
 * the import command) wait briefly for the writer before the adapter retries.
 */
export function connectSqlite(file: string): SqliteConnection {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // Short on purpose: the wait blocks the event loop; sql.adapter.ts retries BUSY asynchronously.
  database.pragma('busy_timeout = 20');
  return {
    db: new Kysely<SqlDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    kind: 'sqlite',
    sqlite: database,
  };
}

/** Prepared statements kept per SQL text; the queries are parameterised, so the texts are few. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The database as Kysely's SQLite driver sees it, preparing each SQL text once: the driver
 * prepares every query anew, which costs as much as running a point read. Kysely runs one
 * query at a time on the one connection and reads each statement to its end at once (all or
 * run; this store never streams), so a kept statement is never in use twice. The least
 * recently used one is dropped past the limit (a list of ids makes a text of its own).
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) statements.delete(sql);
      else statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

const INT8_OID = 20;

/**
 * PostgreSQL through a pool. pg hands back bigint (epoch ms, fences, counters, counts) as a
 * string; this pool alone parses it as a number (all values stay far below 2^53), without
 * touching pg's process-wide parsers that an embedding application may rely on. pg itself is
 * loaded with the first query, so a process on another store never loads it.
 *
 * `hot`: a second, small pool for the hot path (postgres-hot-path.ts, one statement in flight),
 * which runs its few statements on pg itself, each by its prepared name (no Kysely, no compiling),
 * whose sessions plan each of its statements once (`plan_cache_mode = force_generic_plan`).
 * Only there: the setting applies to every parameterised statement of a session, and a generic
 * plan of an admin query over skewed data (jobs by status at 100k jobs) cost it 10× its p99.
 * Like the main pool, it connects at its first query.
 */
export function connectPostgres(url: string, options: { maxConnections?: number } = {}): PostgresConnection {
  return {
    db: postgresPool(url, options.maxConnections ?? 10),
    kind: 'postgres',
    hot: hotPool(url),
    listen: (reads) => listenForChanges(url, reads),
  };
}

export type PostgresConnection = {
  db: Kysely<SqlDatabase>;
  kind: 'postgres';
  hot: HotPool;
  /** Hears other processes' writes (postgres-change-notices.ts); without it no read is kept. */
  listen?: (reads: RecentReads) => { stop(): Promise<void> };
};

/** The hot path has one statement in flight; a second connection covers one being replaced. */
const HOT_CONNECTIONS = 2;

function postgresPool(url: string, max: number): Kysely<SqlDatabase> {
  return new Kysely<SqlDatabase>({ dialect: new PostgresDialect({ pool: pgPool(url, max) }) });
}

/** The hot path's statements, each a fixed text run as its named prepared statement (sql-prepared.ts). */
export interface HotPool {
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

/**
 * Each session plans each statement once (`plan_cache_mode = force_generic_plan`): PostgreSQL
 * would otherwise go on planning a statement with array parameters at every run (its generic
 * plan looks no cheaper than a custom one), which measured 35–40 µs of each batched append and
 * trim. Set before a session's first statement, awaited (pg 9 refuses a second query queued on a
 * client).
 */
function hotPool(url: string): HotPool {
  const pool = pgPool(url, HOT_CONNECTIONS);
  const planned = new WeakSet<PoolClient>();
  let used = false;
  return {
    async query<R>(text: string, values: unknown[]) {
      used = true;
      const client = await (await pool()).connect();
      try {
        if (!planned.has(client)) {
          await client.query('set plan_cache_mode = force_generic_plan');
          planned.add(client);
        }
        const result = await client.query<R & QueryResultRow>({ name: preparedName(text), text, values });
        client.release();
        return result;
      } catch (error) {
        // A client whose statement failed on its connection is not handed out again.
        client.release(error instanceof Error && !('code' in error) ? error : undefined);
        throw error;
      }
    },
    async end() {
      if (used) await (await pool()).end();
    },
  };
}

/** A pg pool, made (and pg loaded) at its first use. */
function pgPool(url: string, max: number): () => Promise<Pool> {
  let made: Promise<Pool> | undefined;
  const pool = async (): Promise<Pool> => {
    const { default: pg } = await import('pg');
    const created = new pg.Pool({
      connectionString: url,
      max,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
      },
    });
    // An idle client losing its connection emits on the pool; without a listener that error
    // would crash the process. The next query reports the problem instead.
    created.on('error', () => undefined);
    // A client checked out of the pool has no listener of the pool's: the server going away while
    // it is held (between a transaction's statements) would throw an uncaught error and end the
    // process. Its next query fails instead, and the store reports that.
    created.on('connect', (client) => {
      client.on('error', () => undefined);
      runHotStatementsPrepared(client);
    });
    return created;
  };
  return () => {
    made ??= pool();
    return made;
  };
}

/**
 * Kysely runs `client.query(text, values)`; a hot text (a mapping by key, …) goes as its named
 * prepared statement (sql-prepared.ts).
 */
function runHotStatementsPrepared(client: PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof text === 'string' && callback === undefined ? preparedName(text) : undefined;
    return name ? query({ name, text, values }) : query(text, values, callback);
  }) as never;
}
