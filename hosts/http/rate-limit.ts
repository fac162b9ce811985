/**
 * Sliding-window counters, one per key (a client address, or one shared key): at most `limit`
 * hits in any `windowMs` per key. Each key keeps one timestamp per hit inside its window, and
 * at most `maxKeys` keys are kept — past that, keys with no hit left in the window go first,
 * then the least recently started — so many clients cannot make it grow without bound.
 */
export function createRateLimiter({
  limit,
  windowMs,
  now,
  maxKeys = 10_000,
}: {
  limit: number;
  windowMs: number;
  now: () => number;
  maxKeys?: number;
}) {
  const hitsByKey = new Map<string, number[]>();

  const current = (key: string, t: number): number[] | undefined => {
    const hits = hitsByKey.get(key);
    while (hits && hits.length > 0 && hits[0]! <= t - windowMs) hits.shift();
    return hits;
  };

  const evict = (t: number) => {
    for (const [key, hits] of hitsByKey) {
      if (hitsByKey.size < maxKeys) return;
      if (hits.length === 0 || hits[hits.length - 1]! <= t - windowMs) hitsByKey.delete(key);
    }
    for (const key of hitsByKey.keys()) {
      if (hitsByKey.size < maxKeys) return;
      hitsByKey.delete(key);
    }
  };

  return {
    /** How long until `key` has room again, or undefined when it has room now. Counts nothing. */
    waitFor(key: string): number | undefined {
      const t = now();
      const hits = current(key, t);
      return hits && hits.length >= limit ? hits[0]! + windowMs - t : undefined;
    },
    /** Counts a hit for `key` if there is room; otherwise says how long until there is. */
    take(key: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
      const t = now();
      const hits = current(key, t);
      if (hits && hits.length >= limit) return { allowed: false, retryAfterMs: hits[0]! + windowMs - t };
      if (hits) hits.push(t);
      else {
        if (hitsByKey.size >= maxKeys) evict(t);
        hitsByKey.set(key, [t]);
      }
      return { allowed: true };
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
