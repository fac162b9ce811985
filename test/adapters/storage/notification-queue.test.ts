import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { createLowdbStorage } from '../../../adapters/storage/lowdb/lowdb.adapter.js';
import { openPostgresStorage, openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { notificationQueueContract } from '../../../testing/contracts/notification-queue.contract.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

notificationQueueContract(
  'sql on sqlite',
  async () => {
    const dir = await tempDir();
    const open = () => openSqliteStorage(join(dir.path, 'ai-implement.db'));
    return { storage: await open(), twin: open, cleanup: dir.remove };
  },
  { shared: true },
);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

notificationQueueContract(
  'sql on postgresql',
  async () => {
    const schema = await database.schema();
    const open = () => openPostgresStorage(schema.url);
    return { storage: await open(), twin: open, cleanup: schema.drop };
  },
  { shared: true },
);

notificationQueueContract('lowdb', async () => {
  const dir = await tempDir();
  return { storage: await createLowdbStorage({ file: join(dir.path, 'store.json') }), cleanup: dir.remove };
});

notificationQueueContract('unstorage memory', async () => ({
  storage: await createUnstorageStorage({ driver: 'memory' }),
}));

notificationQueueContract('unstorage fs', async () => {
  const dir = await tempDir();
  return { storage: await createUnstorageStorage({ driver: 'fs', base: dir.path }), cleanup: dir.remove };
});

notificationQueueContract('unstorage redis', async () => {
  const url = inject('redisUrl');
  const base = `notify-${randomUUID()}`;
  return {
    storage: await createUnstorageStorage({ driver: 'redis', url, base }),
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
});
