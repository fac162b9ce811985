import { SWEEP_EVERY } from './postgres-stream-positions.js';
import { preparedOnServer } from './sql-prepared.js';

/**
 * The statements of PostgreSQL's hot path (postgres-hot-path.ts), built from parts: the point
 * reads of a turn, and its step appends, either at positions this process knows (lean) or as
 * the full statement that finds them. A turn with both runs them as one statement. Every
 * statement answers rows of four columns: a read's (n, data), or a stream's (stream, newest).
 */

/**
 * The reads, each named by its place in the batch (n, from 1; a row comes back with its n), on
 * the primary keys of jobs and documents. `$p…$p+2`: each read's table ('j' or 'd'), collection
 * ('' for a job) and id.
 */
const readKeys = (p: number) =>
  `k as (select * from unnest($${p}::text[], $${p + 1}::text[], $${p + 2}::text[]) with ordinality as k(t, collection, id, n))`;
const READ_ROWS =
  "select k.n, j.data, null::text as stream, null::bigint as newest from k join jobs j on j.id = k.id where k.t = 'j' " +
  "union all select k.n, d.data, null, null from k join documents d on d.collection = k.collection and d.id = k.id where k.t = 'd'";

/**
 * The appends, each at its stream's next position in call order (its newest + 1, + 2…), and the
 * trim of every stream appended to. A stream's cutoff is what its appends, each trimmed after
 * its own insert, would have left: the highest of (position − keep) among them. An append at or
 * below its stream's cutoff is not written at all (the statement's DELETE sees the table as it
 * was before its INSERT, so it could not take it out); its position is passed over. The trim
 * looks only above the previous cutoff (the rows this turn's appends pushed out) unless it
 * sweeps the stream: asked to (`createStreamPositions`), or when its positions cross a multiple of
 * SWEEP_EVERY. Each stream's range of the (stream, pos) index, then the rows by key: joined to
 * the table as a whole, the planner would rather read all of it (OFFSET 0 keeps the lateral
 * apart). `$p…$p+3`: each append's stream, data, keep and whether it sweeps.
 */
const appendRows = (p: number) =>
  `input as (select * from unnest($${p}::text[], $${p + 1}::text[], $${p + 2}::int[], $${p + 3}::bool[]) ` +
  'with ordinality as t(s, d, keep, sweep, n)), ' +
  'planned as (select t.s as stream, coalesce((select e.pos from stream_entries e where e.stream = t.s ' +
  'order by e.pos desc limit 1), 0) + row_number() over (partition by t.s order by t.n) as pos, t.d as data, t.keep, t.sweep, t.n ' +
  'from input t), ' +
  'trims as (select stream, max(pos - keep) as cutoff, count(*) as appended, min(pos) as lowest, max(pos) as highest, ' +
  'bool_or(sweep) as sweep from planned group by stream), ' +
  'added as (insert into stream_entries (stream, pos, data) select p.stream, p.pos, p.data from planned p ' +
  'join trims c on c.stream = p.stream where p.pos > c.cutoff order by p.n)';
const TRIM =
  'delete from stream_entries where seq = any(array(select e.seq from trims c cross join lateral ' +
  '(select seq from stream_entries where stream = c.stream and pos <= c.cutoff and pos > case when c.sweep or ' +
  `(c.lowest - 1) / ${SWEEP_EVERY} <> c.highest / ${SWEEP_EVERY} then 0 else c.cutoff - c.appended end offset 0) as e))`;

/** Each stream's newest position after the full statement. */
const POSITION_ROWS = 'select null::bigint as n, null::text as data, c.stream, c.highest as newest from trims c';

/**
 * Appends at known positions (postgres-stream-positions.ts), each deleting the row it pushes out
 * by key. A position is known no longer when the stream holds one as high already (another
 * replica appended since, and maybe trimmed it away): the row is then written without a
 * position, which NOT NULL refuses, and the batch goes through the full statement; a position
 * another writer is taking at this moment is refused by the unique index. `$p…$p+3`: each
 * append's stream, position, data and the position it pushes out.
 */
const leanRows = (p: number) =>
  'added as (insert into stream_entries (stream, pos, data) select u.stream, case when exists (select 1 from stream_entries e ' +
  'where e.stream = u.stream and e.pos >= u.pos) then null else u.pos end, u.data ' +
  `from unnest($${p}::text[], $${p + 1}::int[], $${p + 2}::text[]) as u(stream, pos, data)), ` +
  'trimmed as (delete from stream_entries where seq = any(array(select e.seq from ' +
  `unnest($${p}::text[], $${p + 3}::int[]) as c(stream, pos) cross join lateral ` +
  '(select seq from stream_entries where stream = c.stream and pos = c.pos offset 0) as e)) returning 1)';

/** A turn's one read: a job's or a document's `data` by its primary key. */
export const JOB_BY_ID_SQL = preparedOnServer('select data from jobs where id = $1');
export const DOCUMENT_BY_ID_SQL = preparedOnServer('select data from documents where collection = $1 and id = $2');

const POINT_READS_SQL = preparedOnServer(`with ${readKeys(1)} ${READ_ROWS}`);
/** With reads, the reads' parameters come first; the appends and trims run whether or not the answer refers to them (data-modifying CTEs always do). */
const APPENDS_SQL = {
  full: {
    alone: preparedOnServer(`with ${appendRows(1)}, trimmed as (${TRIM} returning 1) ${POSITION_ROWS}`),
    withReads: preparedOnServer(
      `with ${appendRows(4)}, trimmed as (${TRIM} returning 1), ${readKeys(1)} ${READ_ROWS} union all ${POSITION_ROWS}`,
    ),
  },
  lean: {
    alone: preparedOnServer(`with ${leanRows(1)} select 1 where false`),
    withReads: preparedOnServer(`with ${leanRows(4)}, ${readKeys(1)} ${READ_ROWS}`),
  },
};

/** The statement of a turn: its reads alone, or its appends (at known positions or full) with or without reads. */
export const hotStatement = (appends: 'lean' | 'full' | undefined, withReads: boolean): string =>
  appends ? APPENDS_SQL[appends][withReads ? 'withReads' : 'alone'] : POINT_READS_SQL;
