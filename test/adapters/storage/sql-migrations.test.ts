import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectSqlite } from '../../../adapters/storage/sql/sql-connect.js';
import { tempDir } from './temp-dir.js';

describe('the schema check when a SQL store opens', () => {
  let remove: (() => Promise<void>) | undefined;
  afterEach(() => remove?.());

  it('opens a current store, and refuses one that a newer version migrated further', async () => {
    const dir = await tempDir();
    remove = dir.remove;
    const file = join(dir.path, 'ai-implement.db');
    await (await openSqliteStorage(file)).close();
    // Current: the one-read check lets it open, as often as asked.
    for (let i = 0; i < 2; i++) await (await openSqliteStorage(file)).close();

    const { db } = connectSqlite(file);
    await sql`insert into ai_implement_migration (name, timestamp) values ('9999-from-a-newer-version', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    await db.destroy();
    await expect(openSqliteStorage(file)).rejects.toThrow(/storage schema migration failed/);
  });
});
