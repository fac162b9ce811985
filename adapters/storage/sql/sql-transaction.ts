import { type Kysely, sql } from 'kysely';
import type { SqlDatabase, SqlKind } from './sql-schema.js';

/**
 * Runs `work` in one transaction and commits, or rolls back on a throw.
 *
 * SQLite starts it with BEGIN IMMEDIATE: it takes the write lock at once, so two connections
 * on one file queue on busy_timeout instead of both reading and then failing to upgrade
 * (SQLITE_BUSY, which busy_timeout cannot resolve for a deferred transaction). `work` must use
 * only the handle it is given: on SQLite that handle holds the one connection.
 */
export async function transact<T>(
  db: Kysely<SqlDatabase>,
  kind: SqlKind,
  work: (trx: Kysely<SqlDatabase>) => Promise<T>,
): Promise<T> {
  if (kind === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await work(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}
