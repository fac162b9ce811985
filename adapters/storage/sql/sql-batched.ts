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
interface Append {
  stream: string;
  data: string;
  keep: number;
}

type PointRead = { table: 'jobs'; id: string } | { table: 'documents'; collection: string; id: string };

/**
 * The hot point reads and the PostgreSQL step append, shared by the calls of one turn of the
 * event loop (`batchPerTurn`). Every job and document read of a turn is one statement (jobs by
 * id, documents by collection and id, on their primary keys, as one UNION ALL): a progress call
 * reads its job, its run record and its steering queue at once, so concurrent calls share one
 * round trip. A turn with one read runs the single-row query as before. Every caller gets exactly
 * the row it asked for, read after its call was made.
 */
export function createBatchedQueries(db: Db, kind: SqlKind, hot: HotQueries) {
  const pg = kind === 'postgres';
  const pointReadsSql = pg
    ? "select 0 as t, '' as collection, id, data from jobs where id = any($1) union all " +
      'select 1, collection, id, data from documents where (collection, id) in (select * from unnest($2::text[], $3::text[]))'
    : "select 0 as t, '' as collection, id, data from jobs where id in (select value from json_each(?)) union all " +
      'select 1, collection, id, data from documents where (collection, id) in (select value ->> 0, value ->> 1 from json_each(?))';
  const keyOf = (r: PointRead) => (r.table === 'jobs' ? `j\0${r.id}` : `d\0${r.collection}\0${r.id}`);

  const single = async (read: PointRead) =>
    read.table === 'jobs'
      ? (await hot.jobById(db, read.id)).rows[0]?.data
      : (await hot.documentById(db, read.collection, read.id)).rows[0]?.data;

  const pointRead = batchPerTurn<PointRead, string | undefined>(async (reads) => {
    if (reads.length === 1) return [await single(reads[0] as PointRead)];
    const jobIds = [...new Set(reads.flatMap((r) => (r.table === 'jobs' ? [r.id] : [])))];
    const documents = reads.flatMap((r) => (r.table === 'documents' ? [[r.collection, r.id]] : []));
    const parameters = pg
      ? [jobIds, documents.map(([c]) => c), documents.map(([, id]) => id)]
      : [JSON.stringify(jobIds), JSON.stringify(documents)];
    const { rows } = await db.executeQuery<Row & { t: number; collection: string }>(CompiledQuery.raw(pointReadsSql, parameters));
    const found = new Map(
      rows.map((r) => [
        keyOf(Number(r.t) === 0 ? { table: 'jobs', id: r.id } : { table: 'documents', collection: r.collection, id: r.id }),
        r.data,
      ]),
    );
    return reads.map((r) => found.get(keyOf(r)));
  });

  return {
    job: (id: string) => pointRead({ table: 'jobs', id }),
    document: (collection: string, id: string) => pointRead({ table: 'documents', collection, id }),
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
