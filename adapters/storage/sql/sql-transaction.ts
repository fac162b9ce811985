import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlDatabase, SqlKind } from './sql-schema.js';

/**
 * Runs `work` in one transaction and commits, or rolls back on a throw.
 *
 * SQLite starts it with BEGIN IMMEDIATE: it takes the write lock at once, so two connections
 * on one file queue on busy_timeout instead of both reading and then failing to upgrade
 * (SQLITE_BUSY, which busy_timeout cannot resolve for a deferred transaction). `work` must use
 * only the handle it is given: on SQLite that handle holds the one connection.
 */
const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

export async function transact<T>(
  db: Kysely<SqlDatabase>,
  kind: SqlKind,
  work: (trx: Kysely<SqlDatabase>) => Promise<T>,
): Promise<T> {
  if (kind === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (conn) => {
    await conn.executeQuery(BEGIN_IMMEDIATE);
    let result: T;
    try {
      result = await work(conn);
    } catch (error) {
      await conn.executeQuery(ROLLBACK).catch(() => undefined);
      throw error;
    }
    await conn.executeQuery(COMMIT);
    return result;
  });
}
