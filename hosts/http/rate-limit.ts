/**
 * A sliding-window counter: at most `limit` hits in any `windowMs`. Keeps one timestamp per
 * hit inside the window, so memory is bounded by `limit`.
 */
export function createRateLimiter({ limit, windowMs, now }: { limit: number; windowMs: number; now: () => number }) {
  const hits: number[] = [];
  return {
    /** Counts a hit if there is room; otherwise says how long until there is. */
    take(): { allowed: true } | { allowed: false; retryAfterMs: number } {
      const t = now();
      while (hits.length > 0 && hits[0]! <= t - windowMs) hits.shift();
      if (hits.length >= limit) return { allowed: false, retryAfterMs: hits[0]! + windowMs - t };
      hits.push(t);
      return { allowed: true };
    },
  };
}
