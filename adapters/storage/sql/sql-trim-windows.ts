/**
 * PostgreSQL: which entries a trim looks at. A deleted row stays in the (stream, pos) index
 * until vacuum, so a trim that walked up from a stream's first position would step over every
 * entry ever trimmed from it (measured: 0.3 → 1.4 ms a trim within a minute of appends to 20
 * streams). A trim looks only above the previous append's cutoff, where the rows its own appends
 * pushed out are. It sweeps the whole stream instead when that may not be enough: the first
 * append to a stream in this process, a `keep` other than the last one seen here, or a position
 * crossing a multiple of SWEEP_EVERY (which heals what a crash between insert and trim, or
 * another replica with another `keep`, left behind).
 */
export function createTrimWindows() {
  const keeps = new Map<string, number>();
  return {
    /** Whether this append must sweep the stream; remembers `keep`. */
    mustSweep(stream: string, keep: number): boolean {
      const known = keeps.get(stream);
      keeps.delete(stream);
      keeps.set(stream, keep);
      if (keeps.size > REMEMBERED_STREAMS) keeps.delete(keeps.keys().next().value as string);
      return known !== keep;
    },
    /** The exclusive lower bound of a trim to `cutoff` after `appended` appends from `lowest`: 0 sweeps. */
    above(cutoff: number, appended: number, lowest: number, sweep: boolean): number {
      const crosses = Math.floor((lowest + appended - 1) / SWEEP_EVERY) > Math.floor((lowest - 1) / SWEEP_EVERY);
      return sweep || crosses ? 0 : Math.max(0, cutoff - appended);
    },
  };
}

/** Streams whose last `keep` is remembered (a stream is a job's step history: the recent jobs). */
const REMEMBERED_STREAMS = 10_000;
export const SWEEP_EVERY = 64;

export type TrimWindows = ReturnType<typeof createTrimWindows>;
