import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';

const url = inject('redisUrl');
const run = promisify(execFile);

storageContract(
  'unstorage redis',
  async (now) => {
    // Every test gets its own key prefix on the shared redis-server, so tests and files never meet.
    const base = `test-${randomUUID()}`;
    const open = () => createUnstorageStorage({ driver: 'redis', url, base }, { now });
    return {
      storage: await open(),
      reopen: open,
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
  // One process only: atomicity comes from this process's mutex, so no `shared` (see the adapter).
  { durable: true },
);

describe('unstorage redis close', () => {
  it('lets the process exit once closed (the connection is released)', async () => {
    const adapter = fileURLToPath(new URL('../../../adapters/storage/unstorage/unstorage.adapter.ts', import.meta.url));
    const script = `
      const { createUnstorageStorage } = await import(${JSON.stringify(adapter)});
      const storage = await createUnstorageStorage({ driver: 'redis', url: ${JSON.stringify(url)}, base: 'exit-${randomUUID()}' });
      await storage.claims.claimOnce('k', 1000);
      await storage.close();
      console.log('closed');
    `;
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      timeout: 15_000,
    });
    expect(stdout.trim()).toBe('closed');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
