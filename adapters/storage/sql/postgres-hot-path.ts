import { CompiledQuery, type Kysely } from 'kysely';
import type { HotPath, PointRead, StreamAppend } from './hot-path.js';
import { batchPerTurn } from './per-turn-batch.js';
import { APPENDS_SQL, POINT_READS_SQL, READS_AND_APPENDS_SQL } from './postgres-hot-sql.js';
import type { createHotQueries } from './sql-hot-queries.js';
import type { SqlDatabase } from './sql-schema.js';
import { createTrimWindows } from './sql-trim-windows.js';

type Db = Kysely<SqlDatabase>;
type HotQueries = ReturnType<typeof createHotQueries>;
/**
 * PostgreSQL's hot path (hot-path.ts): a statement costs a round trip, ~0.1 ms of the server's
 * CPU and tens of µs of ours whatever it carries, so the calls of a turn share their statements:
 * its reads (jobs by id, documents by collection and id, on their primary keys) and its step
 * appends with their trims go as ONE statement (postgres-hot-sql.ts). One such statement is in
 * flight at a time; calls meanwhile join the next (`batchPerTurn`), so under load a progress
 * call's append rides with the reads of the calls that came after it. A turn with a single read
 * and nothing else runs the single-row query.
 */
export function createPostgresHotPath(db: Db, hot: HotQueries): HotPath {
  const windows = createTrimWindows();
  const single = async (read: PointRead) =>
    read.table === 'jobs'
      ? (await hot.jobById(db, read.id)).rows[0]?.data
      : (await hot.documentById(db, read.collection, read.id)).rows[0]?.data;

  const run = batchPerTurn<HotOperation, string | undefined>(
    async (operations) => {
      const reads = operations.flatMap((o) => (o.kind === 'read' ? [o.read] : []));
      const appends = operations.flatMap((o) => (o.kind === 'append' ? [o.append] : []));
      if (appends.length === 0 && reads.length === 1) return [await single(reads[0] as PointRead)];
      const readParameters = [
        reads.map((r) => (r.table === 'jobs' ? 'j' : 'd')),
        reads.map((r) => (r.table === 'jobs' ? '' : r.collection)),
        reads.map((r) => r.id),
      ];
      const appendParameters = [
        appends.map((a) => a.stream),
        appends.map((a) => a.data),
        appends.map((a) => a.keep),
        appends.map((a) => windows.mustSweep(a.stream, a.keep)),
      ];
      const query =
        appends.length === 0
          ? CompiledQuery.raw(POINT_READS_SQL, readParameters)
          : reads.length === 0
            ? CompiledQuery.raw(APPENDS_SQL, appendParameters)
            : CompiledQuery.raw(READS_AND_APPENDS_SQL, [...readParameters, ...appendParameters]);
      const { rows } = await whilePositionTaken(() => db.executeQuery<{ n: number; data: string }>(query));
      const found: (string | undefined)[] = new Array(reads.length).fill(undefined);
      for (const { n, data } of rows) found[Number(n) - 1] = data;
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
  };
}

type HotOperation = { kind: 'read'; read: PointRead } | { kind: 'append'; append: StreamAppend };

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
