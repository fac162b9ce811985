import { compiledOnce } from './sql-compiled.js';

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
    streamInsert: compiledOnce((db, stream: string, data: string) => db.insertInto('stream_entries').values({ stream, data }), 2),
    /** Drops all but the newest `keep` entries (`skip` = keep - 1). */
    streamTrim: compiledOnce(
      (db, stream: string, skip: number) =>
        db
          .deleteFrom('stream_entries')
          .where('stream', '=', stream)
          .where('seq', '<', (eb) =>
            eb
              .selectFrom('stream_entries')
              .select('seq')
              .where('stream', '=', stream)
              .orderBy('seq', 'desc')
              .limit(1)
              .offset(skip),
          ),
      2,
    ),
    /**
     * PostgreSQL: the append and its trim as one statement (one round trip, atomic without a
     * transaction). Its DELETE sees the stream as it was before the INSERT of the same
     * statement, so it keeps the newest `keep - 1` that were there (`skip` = keep - 2; keep ≥ 2).
     */
    streamAppendTrimmed: compiledOnce(
      (db, stream: string, data: string, skip: number) =>
        db
          .with('added', (q) => q.insertInto('stream_entries').values({ stream, data }).returning('seq'))
          .deleteFrom('stream_entries')
          .where('stream', '=', stream)
          .where('seq', '<', (eb) =>
            eb
              .selectFrom('stream_entries')
              .select('seq')
              .where('stream', '=', stream)
              .orderBy('seq', 'desc')
              .limit(1)
              .offset(skip),
          ),
      3,
    ),
  };
}
