import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqlStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectSqlite } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest } from '../../../adapters/storage/sql/sql-migrations.js';
import { stream } from '../../../ports/storage.port.js';
import { range } from '../../../testing/contracts/storage-fixtures.js';
import { tempDir } from './temp-dir.js';

/**
 * The WAL's progress as SQLite's shared-memory index holds it: frames written (mxFrame, in the
 * index header at byte 16) and frames copied back into the database file (nBackfill, the
 * checkpoint info at byte 96), both native-endian 32-bit.
 */
function walProgress(file: string): { written: number; copied: number } {
  const shm = readFileSync(`${file}-shm`);
  return { written: shm.readUInt32LE(16), copied: shm.readUInt32LE(96) };
}

describe('the SQLite store checkpoints its WAL off the event loop', () => {
  it('copies the WAL back from a worker thread once the store has lived 2 s, and stops it on close', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'ai-implement.db');
    const connection = connectSqlite(file);
    await migrateToLatest(connection.db as never, connection.kind);
    const storage = createSqlStorage(connection);
    const steps = stream<number>('steps:job-1');
    try {
      for (const i of range(0, 50)) await storage.streams.append(steps, i, 20);
      const early = walProgress(file);
      // Written, not yet copied: under 1,000 pages the writer checkpoints nothing itself.
      expect(early.written).toBeGreaterThan(early.copied);
      expect(connection.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);

      await new Promise((done) => setTimeout(done, 2_700));
      // The worker runs: the writer's own checkpoint is only a backstop now, and the WAL is copied.
      expect(connection.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      for (const i of range(50, 100)) await storage.streams.append(steps, i, 20);
      await new Promise((done) => setTimeout(done, 800));
      const later = walProgress(file);
      expect(later.copied).toBe(later.written);
      expect(await storage.streams.list(steps)).toEqual(range(80, 100));
    } finally {
      await storage.close();
      await dir.remove();
    }
  });
});
