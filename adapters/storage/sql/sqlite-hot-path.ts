import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { HotPath, PointRead, StreamAppend } from './hot-path.js';
import { batchPerTurn } from './per-turn-batch.js';
import type { SqlDatabase } from './sql-schema.js';

/**
 * SQLite's hot path (hot-path.ts): the point reads and step appends run on better-sqlite3
 * directly. Through Kysely each statement costs a few µs of promises, query
 * objects and result copies on top of SQLite's own work, about as much as the statement
 * itself; here the reads of one turn of the event loop, and its appends, each take Kysely's
 * one connection once (its mutex: no transaction of another call is open on it meanwhile)
 * and run their statements synchronously on it. Appends commit together (group commit, BEGIN
 * IMMEDIATE: no other writer takes a position between the read of the newest and the
 * write), each trimmed to its `keep` after its own insert.
 */
export function createSqliteHotPath(db: Kysely<SqlDatabase>, sqlite: Database.Database): HotPath {
  const jobById = sqlite.prepare<[string], string>('select data from jobs where id = ?').pluck();
  const documentById = sqlite
    .prepare<[string, string], string>('select data from documents where collection = ? and id = ?')
    .pluck();
  const insert = sqlite.prepare<[string, string, string]>(
    'insert into stream_entries (stream, pos, data) values (?, coalesce((select pos from stream_entries where stream = ? order by pos desc limit 1), 0) + 1, ?)',
  );
  // All but the newest `keep`: those at or below the newest position minus `keep` (usually one row).
  const trim = sqlite.prepare<[string, number, string]>(
    'delete from stream_entries where stream = ? and pos <= (select pos - ? from stream_entries where stream = ? order by pos desc limit 1)',
  );
  const appendAll = sqlite.transaction((appends: StreamAppend[]) => {
    for (const { stream, data, keep } of appends) {
      insert.run(stream, stream, data);
      trim.run(stream, keep, stream);
    }
  });
  /** `work` on Kysely's one connection, while no other call holds it. */
  const onConnection = <T>(work: () => T): Promise<T> => db.connection().execute(async () => work());

  return {
    pointRead: batchPerTurn<PointRead, string | undefined>((reads) =>
      onConnection(() => reads.map((r) => (r.table === 'jobs' ? jobById.get(r.id) : documentById.get(r.collection, r.id)))),
    ),
    append: batchPerTurn<StreamAppend, void>(async (appends) => {
      await onConnection(() => appendAll.immediate(appends));
      return [];
    }),
  };
}
