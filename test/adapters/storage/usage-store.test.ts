import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { createLowdbStorage } from '../../../adapters/storage/lowdb/lowdb.adapter.js';
import { openPostgresStorage, openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { usageStoreContract } from '../../../testing/contracts/usage-store.contract.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

usageStoreContract(
  'sql on sqlite',
  async (now) => {
    const dir = await tempDir();
    const open = () => openSqliteStorage(join(dir.path, 'ai-implement.db'), { now });
    return { storage: await open(), reopen: open, twin: open, cleanup: dir.remove };
  },
  { durable: true, shared: true },
);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

usageStoreContract(
  'sql on postgresql',
  async (now) => {
    const schema = await database.schema();
    const open = () => openPostgresStorage(schema.url, { now });
    return { storage: await open(), reopen: open, twin: open, cleanup: schema.drop };
  },
  { durable: true, shared: true },
);

usageStoreContract(
  'lowdb',
  async (now) => {
    const dir = await tempDir();
    const open = () => createLowdbStorage({ file: join(dir.path, 'ai-implement.json'), now });
    return { storage: await open(), reopen: open, cleanup: dir.remove };
  },
  { durable: true },
);

usageStoreContract('unstorage memory', async (now) => ({ storage: await createUnstorageStorage({ driver: 'memory' }, { now }) }));
