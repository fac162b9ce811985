import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { storageContract } from '../../contracts/storage.contract.js';

const url = inject('redisUrl');

storageContract(
  'unstorage redis',
  async () => {
    // Every test gets its own key prefix on the shared redis-server, so tests and files never meet.
    const base = `test-${randomUUID()}`;
    const open = () => createUnstorageStorage({ driver: 'redis', url, base });
    return {
      storage: await open(),
      reopen: open,
      twin: open,
      cleanup: async () => {
        const redis = new Redis(url);
        try {
          const leftovers = await redis.keys(`${base}:*`);
          if (leftovers.length > 0) await redis.del(...leftovers);
        } finally {
          redis.disconnect();
        }
      },
    };
  },
  { durable: true, shared: true },
);
