import { type Kysely, sql } from 'kysely';
import { compiledOnce } from './sql-compiled.js';
import type { SqlDatabase } from './sql-schema.js';
import { SWEEP_EVERY } from './sql-trim-windows.js';

/** A stream's next position: one probe of the (stream, pos) index. */
const nextPosition = (db: Kysely<SqlDatabase>, stream: string) =>
  sql<number>`coalesce((${db
    .selectFrom('stream_entries')
    .select('pos')
    .where('stream', '=', stream)
    .orderBy('pos', 'desc')
    .limit(1)}), 0) + 1`;

/**
 * Queries of a fixed shape that many calls make, each compiled once per store: a point read of
 * a job, a mapping and a document, and PostgreSQL's single step append with its trim (SQLite's
 * hot path runs its own statements: sqlite-hot-path.ts). Made per store, since the SQL differs between the dialects.
 */
export function createHotQueries() {
  return {
    jobById: compiledOnce((db, id: string) => db.selectFrom('jobs').select('data').where('id', '=', id), 1),
    mappingByKey: compiledOnce(
      (db, teamKey: string) => db.selectFrom('mappings').select('data').where('team_key', '=', teamKey),
      1,
    ),
    documentById: compiledOnce(
      (db, collection: string, id: string) =>
        db.selectFrom('documents').select('data').where('collection', '=', collection).where('id', '=', id),
      2,
    ),
    /**
     * PostgreSQL: the append and its trim as one statement (one round trip, atomic without a
     * transaction). Its DELETE sees the stream as it was before the INSERT of the same
     * statement, which the cutoff (the new position minus `keep`) never reaches, so any keep ≥ 1
     * holds. It looks only above the previous append's cutoff unless `sweep` is 1 or the new
     * position is a multiple of SWEEP_EVERY (see `createTrimWindows`).
     */
    streamAppendTrimmed: compiledOnce(
      (db, stream: string, data: string, keep: number, sweep: number) =>
        db
          .with('added', (q) =>
            q
              .insertInto('stream_entries')
              .values({ stream, pos: nextPosition(db, stream), data })
              .returning('pos'),
          )
          .deleteFrom('stream_entries')
          .where('stream', '=', stream)
          .where('pos', '<=', (eb) => eb.selectFrom('added').select(sql<number>`pos - ${keep}`.as('cutoff')))
          .where('pos', '>', (eb) =>
            eb
              .selectFrom('added')
              .select(
                sql<number>`case when ${sweep} = 1 or pos % ${sql.lit(SWEEP_EVERY)} = 0 then 0 else pos - ${keep} - 1 end`.as(
                  'above',
                ),
              ),
          ),
      4,
    ),
  };
}
