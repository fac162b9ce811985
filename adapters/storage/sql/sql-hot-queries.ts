import { compiledOnce } from './sql-compiled.js';
import type { SqlDatabase } from './sql-schema.js';

/**
 * Queries of a fixed shape that many calls make, each compiled once per store: a mapping by its
 * key (a job's and a document's point reads are the hot path's, hot-path.ts). Made per store,
 * since the SQL differs between the dialects.
 */
export function createHotQueries() {
  return {
    mappingByKey: compiledOnce(
      (db, teamKey: string) => db.selectFrom('mappings').select('data').where('team_key', '=', teamKey),
      1,
    ),
  };
}
