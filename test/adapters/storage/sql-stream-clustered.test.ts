import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectSqlite } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest, migrateUpTo } from '../../../adapters/storage/sql/sql-migrations.js';
import { stream } from '../../../ports/storage.port.js';
import { tempDir } from './temp-dir.js';

/** Migration 0011 (SQLite): the stream table becomes keyed by (stream, pos), its entries kept. */
describe('stream entries keyed by position on sqlite', () => {
  it('keeps every entry of a store from before 0011, in place, and appends after them', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'before-0011.db');
    try {
      const before = connectSqlite(file);
      await migrateUpTo(before.db as never, 'sqlite', '0010-job-tally');
      const rows = [
        { stream: 'steps:job-a', pos: 3, data: '"a3"' },
        { stream: 'steps:job-a', pos: 4, data: '"a4"' },
        { stream: 'steps:job-b', pos: 1, data: '"b1"' },
      ];
      await before.db.insertInto('stream_entries').values(rows).execute();
      await migrateToLatest(before.db as never, 'sqlite');
      const after = await before.db
        .selectFrom('stream_entries')
        .select(['stream', 'pos', 'data'])
        .orderBy('stream')
        .orderBy('pos')
        .execute();
      expect(after).toEqual(rows);
      const { rows: table } = await sql<{ sql: string }>`select sql from sqlite_master where name = 'stream_entries'`.execute(
        before.db,
      );
      expect(table[0]?.sql).toMatch(/primary key \(stream, pos\)\) without rowid/i);
      await before.db.destroy();

      const storage = await openSqliteStorage(file);
      try {
        await storage.streams.append(stream<string>('steps:job-a'), 'a5', 2);
        expect(await storage.streams.list(stream<string>('steps:job-a'))).toEqual(['a4', 'a5']);
        expect(await storage.streams.list(stream<string>('steps:job-b'))).toEqual(['b1']);
      } finally {
        await storage.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
