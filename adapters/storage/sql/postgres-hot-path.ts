import type { HotPath, PointRead, StreamAppend } from './hot-path.js';
import { batchPerTurn } from './per-turn-batch.js';
import { DOCUMENT_BY_ID_SQL, hotStatement, JOB_BY_ID_SQL } from './postgres-hot-sql.js';
import { createStreamPositions } from './postgres-stream-positions.js';
import type { HotPool } from './sql-connect.js';
/**
 * PostgreSQL's hot path (hot-path.ts): a statement costs a round trip, ~0.1 ms of the server's
 * CPU and tens of µs of ours whatever it carries, so the calls of a turn share their statements:
 * its reads (jobs by id, documents by collection and id, on their primary keys) and its step
 * appends with their trims go as ONE statement (postgres-hot-sql.ts). One such statement is in
 * flight at a time; calls meanwhile join the next (`batchPerTurn`), so under load a progress
 * call's append rides with the reads of the calls that came after it. A turn with a single read
 * and nothing else runs the single-row query.
 */
export function createPostgresHotPath(pool: HotPool): HotPath {
  const positions = createStreamPositions();
  const single = async (read: PointRead) => {
    const { rows } =
      read.table === 'jobs'
        ? await pool.query<{ data: string }>(JOB_BY_ID_SQL, [read.id])
        : await pool.query<{ data: string }>(DOCUMENT_BY_ID_SQL, [read.collection, read.id]);
    return rows[0]?.data;
  };

  /** One statement for the reads and the appends: at known positions, or the full one (which then teaches them). */
  const statement = async (reads: PointRead[], appends: StreamAppend[], lean: boolean): Promise<HotRow[]> => {
    const readParameters = [
      reads.map((r) => (r.table === 'jobs' ? 'j' : 'd')),
      reads.map((r) => (r.table === 'jobs' ? '' : r.collection)),
      reads.map((r) => r.id),
    ];
    const known = lean && appends.length > 0 ? positions.lean(appends) : undefined;
    const appendParameters = known
      ? [appends.map((a) => a.stream), known.positions, appends.map((a) => a.data), known.trimmed]
      : [appends.map((a) => a.stream), appends.map((a) => a.data), appends.map((a) => a.keep), positions.sweeps(appends)];
    const sql = hotStatement(appends.length === 0 ? undefined : known ? 'lean' : 'full', reads.length > 0);
    const parameters =
      appends.length === 0 ? readParameters : reads.length === 0 ? appendParameters : [...readParameters, ...appendParameters];
    try {
      const { rows } = await pool.query<HotRow>(sql, parameters);
      known?.learn();
      const keeps = new Map(appends.map((a) => [a.stream, a.keep]));
      for (const { stream, newest } of rows)
        if (stream !== null) positions.learned(stream, Number(newest), keeps.get(stream) ?? 0);
      return rows;
    } catch (error) {
      positions.forget(appends.map((a) => a.stream));
      throw error;
    }
  };

  const run = batchPerTurn<HotOperation, string | undefined>(
    async (operations) => {
      const reads = operations.flatMap((o) => (o.kind === 'read' ? [o.read] : []));
      const appends = operations.flatMap((o) => (o.kind === 'append' ? [o.append] : []));
      if (appends.length === 0 && reads.length === 1) return [await single(reads[0] as PointRead)];
      // At known positions first; a position another writer took sends the batch through the full statement.
      let lean = true;
      const rows = await whilePositionTaken(() => {
        const attempt = statement(reads, appends, lean);
        lean = false;
        return attempt;
      });
      const found: (string | undefined)[] = new Array(reads.length).fill(undefined);
      for (const { n, data } of rows) if (n !== null) found[Number(n) - 1] = data ?? undefined;
      let next = 0;
      return operations.map((o) => (o.kind === 'read' ? found[next++] : undefined));
    },
    { maxInFlight: 1 },
  );

  return {
    pointRead: (read) => run({ kind: 'read', read }),
    append: async (append) => {
      await run({ kind: 'append', append });
    },
    forget: (stream) => positions.forget([stream]),
  };
}

/** A read's row (n, data) or a stream's newest position after the full statement (stream, newest). */
interface HotRow {
  n: number | null;
  data: string | null;
  stream: string | null;
  newest: number | null;
}

type HotOperation = { kind: 'read'; read: PointRead } | { kind: 'append'; append: StreamAppend };

/** Attempts of an append whose position another writer took first: each lost race means another append landed. */
const POSITION_ATTEMPTS = 50;

/**
 * PostgreSQL: two writers appending to one stream at once can both compute the same next
 * position; the unique (stream, pos) index turns the later one away, whole. It runs again, and
 * then sees the other's entry, so no append is lost. A lean write whose position is known no
 * longer (a NOT NULL `pos`, postgres-hot-sql.ts) runs again the same way.
 */
export async function whilePositionTaken<T>(append: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await append();
    } catch (error) {
      const { code, constraint, column } = error as { code?: string; constraint?: string; column?: string };
      const taken = (code === '23505' && constraint === 'stream_entries_by_pos') || (code === '23502' && column === 'pos');
      if (!taken || attempt >= POSITION_ATTEMPTS) throw error;
    }
  }
}
