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
      if (appends.length === 1 && only)
        await whilePositionTaken(() => hot.streamAppendTrimmed(db, only.stream, only.data, only.keep));
      else await appendAllTrimmed(db, appends);
      return [];
    }),
  };
}

/** Attempts of an append whose position another writer took first: each lost race means another append landed. */
const POSITION_ATTEMPTS = 50;

/**
 * PostgreSQL: two writers appending to one stream at once can both compute the same next
 * position; the unique (stream, pos) index turns the later one away, whole. It runs again, and
 * then sees the other's entry, so no append is lost.
 */
export async function whilePositionTaken<T>(append: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await append();
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      const taken = code === '23505' && constraint === 'stream_entries_by_pos';
      if (!taken || attempt >= POSITION_ATTEMPTS) throw error;
    }
  }
}

/**
 * PostgreSQL: a turn's appends as one INSERT (in call order: each stream's next positions are
 * its newest + 1, + 2… in the order of the calls), then one trim of every stream appended to.
 * A stream's cutoff is what its appends, each trimmed after its own insert, would have left:
 * the highest of (position − keep) among them. Not one transaction: a crash between the two
 * leaves a stream a few entries over its `keep` until its next append trims it, never short of it.
 */
async function appendAllTrimmed(db: Db, appends: Append[]): Promise<void> {
  const { rows } = await whilePositionTaken(() =>
    db.executeQuery<{ stream: string; pos: number }>(
      CompiledQuery.raw(
        'insert into stream_entries (stream, pos, data) select t.s, coalesce((select e.pos from stream_entries e ' +
          'where e.stream = t.s order by e.pos desc limit 1), 0) + row_number() over (partition by t.s order by t.n), t.d ' +
          'from unnest($1::text[], $2::text[]) with ordinality as t(s, d, n) order by t.n returning stream, pos',
        [appends.map((a) => a.stream), appends.map((a) => a.data)],
      ),
    ),
  );
  // A stream's appends took consecutive positions from its lowest returned one, in call order.
  const lowest = new Map<string, number>();
  for (const { stream, pos } of rows) lowest.set(stream, Math.min(pos, lowest.get(stream) ?? pos));
  const counted = new Map<string, number>();
  const cutoffs = new Map<string, number>();
  for (const { stream, keep } of appends) {
    const nth = counted.get(stream) ?? 0;
    counted.set(stream, nth + 1);
    const cutoff = (lowest.get(stream) ?? 0) + nth - keep;
    cutoffs.set(stream, Math.max(cutoff, cutoffs.get(stream) ?? cutoff));
  }
  await db.executeQuery(
    CompiledQuery.raw(
      // Each stream's range of the (stream, pos) index, then the rows by key: joined to the table
      // as a whole, the planner would rather read all of it (OFFSET 0 keeps the lateral apart).
      'delete from stream_entries where seq = any(array(select e.seq from unnest($1::text[], $2::int[]) as c(stream, cutoff) ' +
        'cross join lateral (select seq from stream_entries where stream = c.stream and pos <= c.cutoff offset 0) as e))',
      [[...cutoffs.keys()], [...cutoffs.values()]],
    ),
  );
}
