import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import { preparedOnServer } from './sql-prepared.js';
import type { SqlDatabase } from './sql-schema.js';

type Db = Kysely<SqlDatabase>;

/**
 * A query of a fixed shape built and compiled once, then run with new values: building and
 * compiling a Kysely query costs more than running a point read on SQLite, and the calls on
 * every `/runner/progress` repeat the same few shapes. `build` receives one marker per
 * argument where the values go; each marker must end up a parameter of the compiled query
 * (checked at the first call), and every call fills them with its own arguments.
 */
export function compiledOnce<A extends (string | number | null)[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
  arity: A['length'],
): (db: Db, ...args: A) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; slots: number[] } | undefined;
  const compile = (db: Db) => {
    const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`);
    const query = build(db, ...(markers as A)).compile();
    const slots = query.parameters.map((p) => markers.indexOf(p as string));
    if (markers.some((_, i) => !slots.includes(i)) || markers.some((m) => query.sql.includes(m)))
      throw new Error(`a compiled-once query must take every argument as a parameter: ${query.sql}`);
    preparedOnServer(query.sql);
    return { query, slots };
  };
  return async (db, ...args) => {
    compiled ??= compile(db);
    const { query, slots } = compiled;
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i] ?? -1;
      return slot < 0 ? p : args[slot];
    });
    return db.executeQuery<R>({ ...query, parameters });
  };
}
