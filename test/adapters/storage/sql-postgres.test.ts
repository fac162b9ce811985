import { afterAll, beforeAll, inject } from 'vitest';
import { openPostgresStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { storageContract } from '../../contracts/storage.contract.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

storageContract(
  'sql on postgresql',
  async (now) => {
    // Every test gets a schema of its own: a fresh, empty store.
    const schema = await database.schema();
    const open = () => openPostgresStorage(schema.url, { now });
    return { storage: await open(), reopen: open, twin: open, cleanup: schema.drop };
  },
  { durable: true, shared: true },
);
