import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledOnce } from '../../../adapters/storage/sql/sql-compiled.js';
import { connectSqlite } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest } from '../../../adapters/storage/sql/sql-migrations.js';

describe('a query compiled once', () => {
  it('runs with each call’s own arguments, and refuses a shape that writes an argument into the SQL', async () => {
    const { db, kind } = connectSqlite(':memory:');
    try {
      await migrateToLatest(db as never, kind);
      await db
        .insertInto('settings')
        .values([
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ])
        .execute();
      const byKey = compiledOnce((d, key: string) => d.selectFrom('settings').select('value').where('key', '=', key), 1);
      expect((await byKey(db, 'a')).rows).toEqual([{ value: '1' }]);
      expect((await byKey(db, 'b')).rows).toEqual([{ value: '2' }]);
      expect((await byKey(db, 'c')).rows).toEqual([]);

      const inlined = compiledOnce(
        (d, key: string) => d.selectFrom('settings').select('value').where('key', '=', sql.lit(key)),
        1,
      );
      await expect(inlined(db, 'a')).rejects.toThrow(/every argument as a parameter/);
    } finally {
      await db.destroy();
    }
  });
});
