/**
 * A sort for the planner's candidate order (spec "Blocker reasons": dispatch by ticket
 * priority, then the oldest), fast at the sizes the planner must handle. Comparator sorts of
 * large object arrays are dominated by the comparator calls; here the two numeric keys are
 * packed into one float per item and sorted natively, and only items that tie on both keys
 * (rare: same priority, same creation millisecond) go through the full comparator.
 *
 * Packing: creation times are replaced by their dense rank among the distinct times (found by
 * a native sort of the times), so the key `(rank × distinctTimes + timeRank) × n + index` is
 * an exact integer below 2^53 for up to tens of millions of items; beyond that, or for tiny
 * inputs, it falls back to the comparator sort. The result equals `items.sort(compare)`
 * whenever `compare` orders by `rank`, then `time`, first.
 */

export interface RankedItem {
  /** Small non-negative integer, compared first (lower first). */
  rank: number;
  /** Compared second (lower first); must be a finite number. */
  time: number;
}

const MAX_RANK = 7;

export function rankSort<T extends RankedItem>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  const n = items.length;
  if (n < 64 || (MAX_RANK + 1) * n * n >= Number.MAX_SAFE_INTEGER) return [...items].sort(compare);

  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const { rank, time } = items[i]!;
    if (!(Number.isInteger(rank) && rank >= 0 && rank <= MAX_RANK && Number.isFinite(time))) return [...items].sort(compare);
    times[i] = time + 0; // folds -0 into 0, so equal times share one rank
  }
  const sorted = times.slice().sort();
  const distinctTimes = new Float64Array(n);
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinctTimes[distinct++] = sorted[i]!;

  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (items[i]!.rank * distinct + indexOf(distinctTimes, distinct, times[i]!)) * n + i;
  keys.sort();

  const out = new Array<T>(n);
  for (let k = 0; k < n; k++) out[k] = items[keys[k]! % n]!;

  // Runs that tie on (rank, time) are adjacent; order each by the full comparator.
  let start = 0;
  for (let k = 1; k <= n; k++) {
    if (k < n && Math.floor(keys[k]! / n) === Math.floor(keys[start]! / n)) continue;
    if (k - start > 1) {
      const run = out.slice(start, k).sort(compare);
      for (let j = 0; j < run.length; j++) out[start + j] = run[j]!;
    }
    start = k;
  }
  return out;
}

/** The position of `value` in the first `length` entries of an ascending array that holds it. */
function indexOf(sorted: Float64Array, length: number, value: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
