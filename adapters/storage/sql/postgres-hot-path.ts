import { CompiledQuery, type Kysely } from 'kysely';
import type { HotPath, PointRead, StreamAppend } from './hot-path.js';
import { batchPerTurn } from './per-turn-batch.js';
import type { createHotQueries } from './sql-hot-queries.js';
import { preparedOnServer } from './sql-prepared.js';
import type { SqlDatabase } from './sql-schema.js';
import { createTrimWindows, SWEEP_EVERY } from './sql-trim-windows.js';

type Db = Kysely<SqlDatabase>;
type HotQueries = ReturnType<typeof createHotQueries>;
/**
 * PostgreSQL's hot path (hot-path.ts): a statement costs a round trip and ~0.1 ms of client CPU
 * whatever it carries, so the calls of a turn share their statements. Every job and document
 * read of a turn is one statement (jobs by id, documents by collection and id, on their primary
 * keys, as one UNION ALL): a progress call reads its job, its run record and its steering
 * queue at once, so concurrent calls share one round trip. A turn with one read runs the
 * single-row query. A turn's appends and their trims are one statement.
 */
export function createPostgresHotPath(db: Db, hot: HotQueries): HotPath {
  const windows = createTrimWindows();
  const single = async (read: PointRead) =>
    read.table === 'jobs'
      ? (await hot.jobById(db, read.id)).rows[0]?.data
      : (await hot.documentById(db, read.collection, read.id)).rows[0]?.data;

  const pointRead = batchPerTurn<PointRead, string | undefined>(async (reads) => {
    if (reads.length === 1) return [await single(reads[0] as PointRead)];
    // Each read is named by its place in the batch (n, from 1): a row comes back with its n.
    const parameters = [
      reads.map((r) => (r.table === 'jobs' ? 'j' : 'd')),
      reads.map((r) => (r.table === 'jobs' ? '' : r.collection)),
      reads.map((r) => r.id),
    ];
    const { rows } = await db.executeQuery<{ n: number; data: string }>(CompiledQuery.raw(POINT_READS_SQL, parameters));
    const found: (string | undefined)[] = new Array(reads.length).fill(undefined);
    for (const { n, data } of rows) found[Number(n) - 1] = data;
    return found;
  }, BATCHING);

  return {
    pointRead,
    append: batchPerTurn<StreamAppend, void>(async (appends) => {
      const parameters = [
        appends.map((a) => a.stream),
        appends.map((a) => a.data),
        appends.map((a) => a.keep),
        appends.map((a) => windows.mustSweep(a.stream, a.keep)),
      ];
      await whilePositionTaken(() => db.executeQuery(CompiledQuery.raw(APPEND_ALL_SQL, parameters)));
      return [];
    }, BATCHING),
  };
}

/** The reads of a turn, on the primary keys of jobs and documents. */
const POINT_READS_SQL = preparedOnServer(
  'with k as (select * from unnest($1::text[], $2::text[], $3::text[]) with ordinality as k(t, collection, id, n)) ' +
    "select k.n, j.data from k join jobs j on j.id = k.id where k.t = 'j' union all " +
    "select k.n, d.data from k join documents d on d.collection = k.collection and d.id = k.id where k.t = 'd'",
);

/** One read and one append statement in flight at a time; calls meanwhile join the next (`batchPerTurn`). */
const BATCHING = { maxInFlight: 1 };

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
 * A turn's appends, each at its stream's next position in call order (its newest + 1, + 2…),
 * and the trim of every stream appended to, as one statement: one round trip, atomic without a
 * transaction. A stream's cutoff is what its appends, each trimmed after its own insert, would
 * have left: the highest of (position − keep) among them. An append at or below its stream's
 * cutoff is not written at all (the statement's DELETE sees the table as it was before its
 * INSERT, so it could not take it out); its position is passed over. The trim looks only above
 * the previous cutoff (the rows this turn's appends pushed out) unless it sweeps the stream:
 * asked to (`createTrimWindows`), or when its positions cross a multiple of SWEEP_EVERY. Each
 * stream's range of the (stream, pos) index, then the rows by key: joined to the table as a
 * whole, the planner would rather read all of it (OFFSET 0 keeps the lateral apart).
 */
const APPEND_ALL_SQL = preparedOnServer(
  'with input as (select * from unnest($1::text[], $2::text[], $3::int[], $4::bool[]) with ordinality as t(s, d, keep, sweep, n)), ' +
    'planned as (select t.s as stream, coalesce((select e.pos from stream_entries e where e.stream = t.s ' +
    'order by e.pos desc limit 1), 0) + row_number() over (partition by t.s order by t.n) as pos, t.d as data, t.keep, t.sweep, t.n ' +
    'from input t), ' +
    'trims as (select stream, max(pos - keep) as cutoff, count(*) as appended, min(pos) as lowest, max(pos) as highest, ' +
    'bool_or(sweep) as sweep from planned group by stream), ' +
    'added as (insert into stream_entries (stream, pos, data) select p.stream, p.pos, p.data from planned p ' +
    'join trims c on c.stream = p.stream where p.pos > c.cutoff order by p.n) ' +
    'delete from stream_entries where seq = any(array(select e.seq from trims c cross join lateral ' +
    '(select seq from stream_entries where stream = c.stream and pos <= c.cutoff and pos > case when c.sweep or ' +
    `(c.lowest - 1) / ${SWEEP_EVERY} <> c.highest / ${SWEEP_EVERY} then 0 else c.cutoff - c.appended end offset 0) as e))`,
);
