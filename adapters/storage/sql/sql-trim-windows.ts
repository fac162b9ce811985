/**
 * PostgreSQL: which entries a step-history trim looks at. A deleted row stays in the
 * (stream, pos) index until vacuum, so a trim that walked up from a stream's first position
 * would step over every entry ever trimmed from it (measured: 0.3 → 1.4 ms a trim within a
 * minute of appends to 20 streams). A trim looks only above the previous append's cutoff,
 * where the rows its own appends pushed out are (postgres-hot-path.ts). It sweeps the whole
 * stream instead when that may not be enough: the first append to a stream in this process, a
 * `keep` other than the last one seen here (said here), or positions crossing a multiple of
 * SWEEP_EVERY (which heals what another replica with another `keep` left behind).
 */
export function createTrimWindows() {
  const keeps = new Map<string, number>();
  return {
    /** Whether this append must sweep its stream; remembers `keep`. */
    mustSweep(stream: string, keep: number): boolean {
      const known = keeps.get(stream);
      keeps.delete(stream);
      keeps.set(stream, keep);
      if (keeps.size > REMEMBERED_STREAMS) keeps.delete(keeps.keys().next().value as string);
      return known !== keep;
    },
  };
}

/** Streams whose last `keep` is remembered (a stream is a job's step history: the recent jobs). */
const REMEMBERED_STREAMS = 10_000;
export const SWEEP_EVERY = 64;
