import type { StreamAppend } from './hot-path.js';

/**
 * PostgreSQL: what this process knows of the streams it appends to — each one's next position
 * and the `keep` of its last append — so that most step appends are a plain write of known
 * positions and a delete of the rows they push out, by key (postgres-hot-sql.ts, `LEAN`): less
 * than half the server's CPU of the full statement, which finds each stream's newest position
 * and trims a range (measured: 6 appends, 175–205 vs 405–445 µs). What this process cannot vouch
 * for goes through the full statement:
 * - a stream not seen yet (or forgotten: a failed statement, a delete, the bound below);
 * - a `keep` other than the last one seen here (the full statement then sweeps the stream);
 * - more appends to one stream in a batch than its `keep` (a statement cannot delete its own rows);
 * - positions that cross a multiple of SWEEP_EVERY: the full statement sweeps the whole stream
 *   then, which heals what another replica left (its appends, another `keep`).
 * Another replica's append to the same stream takes the position this process would write: the
 * unique (stream, pos) index refuses the lean write whole, and the full statement runs instead.
 * The full statement's DELETE looks only above the previous cutoff unless it sweeps: a deleted row
 * stays in the (stream, pos) index until vacuum, so a trim from a stream's first position would
 * step over every entry ever trimmed from it (measured: 0.3 → 1.4 ms within a minute).
 */
export function createStreamPositions() {
  const known = new Map<string, { next: number; keep: number }>();
  const remember = (stream: string, next: number, keep: number) => {
    known.delete(stream);
    known.set(stream, { next, keep });
    if (known.size > REMEMBERED_STREAMS) known.delete(known.keys().next().value as string);
  };
  return {
    /**
     * The positions of a batch's appends and the positions each one pushes out (`pos − keep`),
     * when this process knows them all; `learn` them once written.
     */
    lean(appends: readonly StreamAppend[]): { positions: number[]; trimmed: number[]; learn: () => void } | undefined {
      const next = new Map<string, number>();
      const counts = new Map<string, number>();
      for (const { stream, keep } of appends) {
        const k = known.get(stream);
        if (!k || k.keep !== keep) return undefined;
        counts.set(stream, (counts.get(stream) ?? 0) + 1);
        if ((counts.get(stream) ?? 0) > keep) return undefined;
        next.set(stream, k.next);
      }
      for (const [stream, count] of counts) {
        const first = next.get(stream) ?? 1;
        if (Math.floor((first - 1) / SWEEP_EVERY) !== Math.floor((first + count - 1) / SWEEP_EVERY)) return undefined;
      }
      const positions = appends.map(({ stream }) => {
        const pos = next.get(stream) ?? 1;
        next.set(stream, pos + 1);
        return pos;
      });
      return {
        positions,
        trimmed: appends.map(({ keep }, i) => (positions[i] ?? 0) - keep),
        learn: () => {
          for (const { stream, keep } of appends) remember(stream, next.get(stream) ?? 1, keep);
        },
      };
    },
    /** For the full statement: whether each append must sweep its stream (not known here with this `keep`). */
    sweeps: (appends: readonly StreamAppend[]): boolean[] => appends.map(({ stream, keep }) => known.get(stream)?.keep !== keep),
    /** After the full statement: a stream's newest position, and the `keep` its last append asked for. */
    learned(stream: string, newest: number, keep: number): void {
      remember(stream, newest + 1, keep);
    },
    forget(streams: Iterable<string>): void {
      for (const stream of streams) known.delete(stream);
    },
  };
}

/** Streams remembered (a stream is a job's step history: the recent jobs). */
const REMEMBERED_STREAMS = 10_000;
export const SWEEP_EVERY = 64;
