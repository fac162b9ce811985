import type { Cluster, Redis } from 'ioredis';
import { joinKeys } from 'unstorage';
import type { Coordination } from './coordination.js';
import { keys } from './keys.js';

/**
 * Claims and logs done by redis itself, so they hold across every process on one redis:
 * a claim is `SET key NX [PX ttl]` (one command, so exactly one caller sets it), a log is a
 * list pushed and trimmed in one MULTI.
 */
export function createRedisCoordination(client: Redis | Cluster, base: string): Coordination {
  // The same key the unstorage redis driver uses for its items under `base`.
  const raw = (key: string) => joinKeys(base, key);
  return {
    removeItem: async (key) => (await client.del(raw(key))) > 0,
    claimOnce: async (key, ttlMs) => {
      const k = raw(keys.claim(key));
      const answer =
        ttlMs === undefined ? await client.set(k, '1', 'NX') : await client.set(k, '1', 'PX', Math.ceil(ttlMs), 'NX');
      return answer === 'OK';
    },
    releaseClaim: async (key) => {
      await client.del(raw(keys.claim(key)));
    },
    appendLog: async (key, entry, keep, newestFirst) => {
      const k = raw(key);
      const json = JSON.stringify(entry);
      const batch = newestFirst
        ? client
            .multi()
            .lpush(k, json)
            .ltrim(k, 0, keep - 1)
        : client.multi().rpush(k, json).ltrim(k, -keep, -1);
      const results = await batch.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error(`redis transaction on ${k} was discarded`);
    },
    listLog: async (key) => (await client.lrange(raw(key), 0, -1)).map((json) => JSON.parse(json) as unknown),
  };
}
