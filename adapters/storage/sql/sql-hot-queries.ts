import { compiledOnce } from './sql-compiled.js';
import type { SqlDatabase } from './sql-schema.js';

/**
 * Queries of a fixed shape that many calls make, each compiled once per store: a point read of
 * a job, a mapping and a document. Made per store, since the SQL differs between the dialects.
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
  };
}
