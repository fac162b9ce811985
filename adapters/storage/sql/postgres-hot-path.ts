import { CompiledQuery, type Kysely } from 'kysely';
import type { HotPath, PointRead, StreamAppend } from './hot-path.js';
import { batchPerTurn } from './per-turn-batch.js';
import type { createHotQueries } from './sql-hot-queries.js';
import { preparedOnServer } from './sql-prepared.js';
import type { SqlDatabase } from './sql-schema.js';
import { createTrimWindows, type TrimWindows } from './sql-trim-windows.js';

type Db = Kysely<SqlDatabase>;
type HotQueries = ReturnType<typeof createHotQueries>;
interface Row {
  id: string;
  data: string;
}

/**
 * PostgreSQL's hot path (hot-path.ts): a statement costs a round trip and ~0.1 ms of client CPU
 * whatever it carries, so the calls of a turn share their statements. Every job and document
 * read of a turn is one statement (jobs by id, documents by collection and id, on their primary
 * keys, as one UNION ALL): a progress call reads its job, its run record and its steering
 * queue at once, so concurrent calls share one round trip. A turn with one read runs the
 * single-row query. A turn's appends are one INSERT and one trim.
 */
export function createPostgresHotPath(db: Db, hot: HotQueries): HotPath {
  const windows = createTrimWindows();
  const pointReadsSql = preparedOnServer(
    "select 0 as t, '' as collection, id, data from jobs where id = any($1) union all " +
      'select 1, collection, id, data from documents where (collection, id) in (select * from unnest($2::text[], $3::text[]))',
  );
  const keyOf = (r: PointRead) => (r.table === 'jobs' ? `j\0${r.id}` : `d\0${r.collection}\0${r.id}`);

  const single = async (read: PointRead) =>
    read.table === 'jobs'
      ? (await hot.jobById(db, read.id)).rows[0]?.data
      : (await hot.documentById(db, read.collection, read.id)).rows[0]?.data;

  const pointRead = batchPerTurn<PointRead, string | undefined>(async (reads) => {
    if (reads.length === 1) return [await single(reads[0] as PointRead)];
    const jobIds = [...new Set(reads.flatMap((r) => (r.table === 'jobs' ? [r.id] : [])))];
    const documents = reads.flatMap((r) => (r.table === 'documents' ? [[r.collection, r.id]] : []));
    const parameters = [jobIds, documents.map(([c]) => c), documents.map(([, id]) => id)];
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
    pointRead,
    append: batchPerTurn<StreamAppend, void>(async (appends) => {
      const [only] = appends;
      if (appends.length === 1 && only) {
        const sweep = windows.mustSweep(only.stream, only.keep) ? 1 : 0;
        await whilePositionTaken(() => hot.streamAppendTrimmed(db, only.stream, only.data, only.keep, sweep));
      } else await appendAllTrimmed(db, appends, windows);
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
 * the highest of (position − keep) among them; the trim looks above the previous cutoff
 * (`createTrimWindows`). Not one transaction: a crash between the two leaves a stream a few
 * entries over its `keep` until its next sweep, never short of it.
 */
async function appendAllTrimmed(db: Db, appends: StreamAppend[], windows: TrimWindows): Promise<void> {
  const { rows } = await whilePositionTaken(() =>
    db.executeQuery<{ stream: string; pos: number }>(
      CompiledQuery.raw(APPEND_ALL_SQL, [appends.map((a) => a.stream), appends.map((a) => a.data)]),
    ),
  );
  // A stream's appends took consecutive positions from its lowest returned one, in call order.
  const lowest = new Map<string, number>();
  for (const { stream, pos } of rows) lowest.set(stream, Math.min(pos, lowest.get(stream) ?? pos));
  const trims = new Map<string, { cutoff: number; appended: number; sweep: boolean }>();
  for (const { stream, keep } of appends) {
    const trim = trims.get(stream) ?? { cutoff: Number.NEGATIVE_INFINITY, appended: 0, sweep: false };
    trim.cutoff = Math.max(trim.cutoff, (lowest.get(stream) ?? 0) + trim.appended - keep);
    trim.appended++;
    trim.sweep = windows.mustSweep(stream, keep) || trim.sweep;
    trims.set(stream, trim);
  }
  const streams = [...trims.keys()];
  const cutoffs = streams.map((s) => trims.get(s)?.cutoff ?? 0);
  const above = streams.map((s, i) => {
    const { appended, sweep } = trims.get(s) ?? { appended: 0, sweep: true };
    return windows.above(cutoffs[i] ?? 0, appended, lowest.get(s) ?? 1, sweep);
  });
  await db.executeQuery(CompiledQuery.raw(TRIM_ALL_SQL, [streams, cutoffs, above]));
}

const APPEND_ALL_SQL = preparedOnServer(
  'insert into stream_entries (stream, pos, data) select t.s, coalesce((select e.pos from stream_entries e ' +
    'where e.stream = t.s order by e.pos desc limit 1), 0) + row_number() over (partition by t.s order by t.n), t.d ' +
    'from unnest($1::text[], $2::text[]) with ordinality as t(s, d, n) order by t.n returning stream, pos',
);

/**
 * Each stream's range of the (stream, pos) index, then the rows by key: joined to the table
 * as a whole, the planner would rather read all of it (OFFSET 0 keeps the lateral apart).
 */
const TRIM_ALL_SQL = preparedOnServer(
  'delete from stream_entries where seq = any(array(select e.seq from unnest($1::text[], $2::int[], $3::int[]) as ' +
    'c(stream, cutoff, above) cross join lateral (select seq from stream_entries where stream = c.stream ' +
    'and pos > c.above and pos <= c.cutoff offset 0) as e))',
);
