import { type Kysely, sql } from 'kysely';
import { compiledOnce } from './sql-compiled.js';
import type { SqlDatabase } from './sql-schema.js';

/** A stream's next position: one probe of the (stream, pos) index. */
const nextPosition = (db: Kysely<SqlDatabase>, stream: string) =>
  sql<number>`coalesce((${db
    .selectFrom('stream_entries')
    .select('pos')
    .where('stream', '=', stream)
    .orderBy('pos', 'desc')
    .limit(1)}), 0) + 1`;

/**
 * The queries every `/runner/progress` call makes (and most other calls too), each compiled
 * once per store: a point read of a job, a mapping and a document, and the step append with
 * its trim. Made per store, since the SQL differs between the dialects.
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
    /** SQLite: appends an entry at the stream's next position (its newest + 1, or 1). */
    streamInsert: compiledOnce(
      (db, stream: string, data: string) =>
        db.insertInto('stream_entries').values({ stream, pos: nextPosition(db, stream), data }),
      2,
    ),
    /**
     * SQLite: drops all but the newest `keep` entries, those at or below the newest position
     * minus `keep`: two probes of the (stream, pos) index, and usually one row. (Finding the
     * newest again costs less than the insert's RETURNING would through better-sqlite3.)
     */
    streamTrim: compiledOnce(
      (db, stream: string, keep: number) =>
        db
          .deleteFrom('stream_entries')
          .where('stream', '=', stream)
          .where('pos', '<=', (eb) =>
            eb
              .selectFrom('stream_entries')
              .select(sql<number>`pos - ${keep}`.as('cutoff'))
              .where('stream', '=', stream)
              .orderBy('pos', 'desc')
              .limit(1),
          ),
      2,
    ),
    /**
     * PostgreSQL: the append and its trim as one statement (one round trip, atomic without a
     * transaction). Its DELETE sees the stream as it was before the INSERT of the same
     * statement, which the cutoff (the new position minus `keep`) never reaches, so any keep ≥ 1 holds.
     */
    streamAppendTrimmed: compiledOnce(
      (db, stream: string, data: string, keep: number) =>
        db
          .with('added', (q) =>
            q
              .insertInto('stream_entries')
              .values({ stream, pos: nextPosition(db, stream), data })
              .returning('pos'),
          )
          .deleteFrom('stream_entries')
          .where('stream', '=', stream)
          .where('pos', '<=', (eb) => eb.selectFrom('added').select(sql<number>`pos - ${keep}`.as('cutoff'))),
      3,
    ),
  };
}
