import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';
import { range } from '../../../testing/contracts/storage-fixtures.js';
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

describe('sql on postgresql, beside others in one database', () => {
  it('keeps installations in neighbouring schemas apart, beside a foreign kysely_migration table', async () => {
    const foreign = await database.schema();
    const a = await database.schema();
    const b = await database.schema();
    const client = new pg.Client({ connectionString: foreign.url });
    await client.connect();
    // An application with Kysely migrations of its own, in a schema earlier on nobody's path.
    await client.query('create table kysely_migration (name varchar(255) primary key, timestamp varchar(255))');
    await client.query(`insert into kysely_migration values ('20240101-app', 'x')`);
    await client.end();
    const first = await openPostgresStorage(a.url);
    const second = await openPostgresStorage(b.url);
    try {
      await first.settings.set('who', 'a');
      await second.settings.set('who', 'b');
      expect(await first.settings.get('who')).toBe('a');
      expect(await second.settings.get('who')).toBe('b');
      expect(await first.counters.next('n')).toBe(1);
      expect(await second.counters.next('n')).toBe(1);
    } finally {
      await first.close();
      await second.close();
      for (const s of [foreign, a, b]) await s.drop();
    }
  });

  it('lets several replicas open a new store at the same moment (one migrates, the rest wait)', async () => {
    const schema = await database.schema();
    const opened = await Promise.all(range(0, 4).map(() => openPostgresStorage(schema.url)));
    try {
      const values = await Promise.all(opened.map((s) => s.counters.next('n')));
      expect(values.sort()).toEqual([1, 2, 3, 4]);
    } finally {
      for (const s of opened) await s.close();
      await schema.drop();
    }
  });
});
