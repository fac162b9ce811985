import { CompiledQuery, type Kysely } from 'kysely';
import { batchPerTurn } from './per-turn-batch.js';
import type { createHotQueries } from './sql-hot-queries.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';

type Db = Kysely<SqlDatabase>;
type HotQueries = ReturnType<typeof createHotQueries>;
interface Row {
  id: string;
  data: string;
}
interface DocumentKey {
  collection: string;
  id: string;
}
interface Append {
  stream: string;
  data: string;
  keep: number;
}

/**
 * The hot point reads and the PostgreSQL step append, shared by the calls of one turn of the
 * event loop (`batchPerTurn`): a job by id, a document by collection and id, each one statement
 * for the whole turn (`id = any($1)` on PostgreSQL, `id in (select value from json_each(?))` on
 * SQLite, both on the primary key); a turn with one call runs the single-row query as before.
 * Every caller gets exactly the row it asked for, read after its call was made.
 */
export function createBatchedQueries(db: Db, kind: SqlKind, hot: HotQueries) {
  const pg = kind === 'postgres';
  const idIn = (n: number) => (pg ? `= any($${n})` : 'in (select value from json_each(?))');
  const idList = (ids: string[]) => (pg ? ids : JSON.stringify(ids));
  const jobsSql = `select id, data from jobs where id ${idIn(1)}`;
  const documentsSql = `select id, data from documents where collection = ${pg ? '$1' : '?'} and id ${idIn(2)}`;

  const rowsById = async (sqlText: string, head: unknown[], ids: string[]) => {
    const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(sqlText, [...head, idList([...new Set(ids)])]));
    return new Map(rows.map((r) => [r.id, r.data]));
  };

  const job = batchPerTurn<string, string | undefined>(async (ids) => {
    if (ids.length === 1) return [(await hot.jobById(db, ids[0] as string)).rows[0]?.data];
    const found = await rowsById(jobsSql, [], ids);
    return ids.map((id) => found.get(id));
  });

  const document = batchPerTurn<DocumentKey, string | undefined>(async (keys) => {
    if (keys.length === 1) {
      const { collection, id } = keys[0] as DocumentKey;
      return [(await hot.documentById(db, collection, id)).rows[0]?.data];
    }
    const collections = [...new Set(keys.map((k) => k.collection))];
    const found = new Map(
      await Promise.all(
        collections.map(
          async (c) =>
            [
              c,
              await rowsById(
                documentsSql,
                [c],
                keys.filter((k) => k.collection === c).map((k) => k.id),
              ),
            ] as const,
        ),
      ),
    );
    return keys.map((k) => found.get(k.collection)?.get(k.id));
  });

  return {
    job,
    document: (collection: string, id: string) => document({ collection, id }),
    /** PostgreSQL only (SQLite has its group commit): see `appendAllTrimmed`. */
    append: batchPerTurn<Append, void>(async (appends) => {
      const [only] = appends;
      if (appends.length === 1 && only && only.keep > 1) await hot.streamAppendTrimmed(db, only.stream, only.data, only.keep - 2);
      else await appendAllTrimmed(db, appends);
      return [];
    }),
  };
}

/**
 * PostgreSQL: a turn's appends as one INSERT (in call order), then one trim per `keep` over the
 * streams appended to. Not one transaction: a crash between the two leaves a stream a few entries
 * over its `keep` until its next append trims it, never short of it.
 */
async function appendAllTrimmed(db: Db, appends: Append[]): Promise<void> {
  await db.executeQuery(
    CompiledQuery.raw(
      'insert into stream_entries (stream, data) select s, d from unnest($1::text[], $2::text[]) with ordinality as t(s, d, n) order by n',
      [appends.map((a) => a.stream), appends.map((a) => a.data)],
    ),
  );
  const byKeep = new Map<number, Set<string>>();
  for (const a of appends) byKeep.set(a.keep, (byKeep.get(a.keep) ?? new Set()).add(a.stream));
  for (const [keep, streams] of byKeep)
    await db.executeQuery(
      CompiledQuery.raw(
        // Each stream's cutoff is found once (one index probe), not once per entry of the stream.
        'delete from stream_entries s using (select t.stream, (select e.seq from stream_entries e where e.stream = t.stream ' +
          'order by e.seq desc limit 1 offset $2) as cutoff from unnest($1::text[]) as t(stream)) c ' +
          'where s.stream = c.stream and s.seq < c.cutoff',
        [[...streams], keep - 1],
      ),
    );
}
