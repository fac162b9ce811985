import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStorage, openSqliteStorage, type SqlStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectPostgres, connectSqlite, type SqlConnection } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest, migrateUpTo } from '../../../adapters/storage/sql/sql-migrations.js';
import type { Job } from '../../../core/domain/model.js';
import { job } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

/**
 * Migration 0007-jobs-by-machine: the jobs a store held before it are found by their machine
 * once it ran (the backfill, in each dialect's JSON), and the `machine` filter reads the two
 * indexes rather than every job.
 */

const T = 1_700_000_000_000;
const BEFORE = [
  job('fly', { runner: 'fly-machines', runId: 'mach-a', dispatchedAt: T }),
  job('both', { runner: 'fly-machines', runId: 'mach-b', machineId: 'mach-b', dispatchedAt: T + 1 }),
  job('local', { runner: 'local', machineId: 'mach-a', dispatchedAt: T + 2 }),
  job('actions', { runner: 'github-actions', runId: 'mach-b', dispatchedAt: T + 3 }),
];

/** Writes jobs as a release before 0007 did: without the new columns. */
async function writeOldRows(db: Kysely<unknown>, jobs: Job[]): Promise<void> {
  for (const j of jobs) {
    await sql`insert into jobs (id, issue_id, identifier, team_key, phase, status, dispatched_at, updated_at, data)
      values (${j.id}, ${j.issueId}, ${j.identifier}, ${j.teamKey}, ${j.phase}, ${j.status}, ${j.dispatchedAt}, ${j.updatedAt}, ${JSON.stringify(j)})`.execute(
      db,
    );
  }
}

async function checkBackfill(connection: SqlConnection, open: () => Promise<SqlStorage>): Promise<void> {
  const db = connection.db as Kysely<unknown>;
  await migrateUpTo(db, connection.kind, '0006-notifications');
  await writeOldRows(db, BEFORE);
  await connection.db.destroy();
  const storage = await open();
  try {
    const ids = async (machine: string) => (await storage.jobs.list({ machine })).map((j) => j.id);
    expect(await ids('mach-a')).toEqual(['local', 'fly']);
    expect(await ids('mach-b')).toEqual(['both']);
    expect(await ids('nowhere')).toEqual([]);
  } finally {
    await storage.close();
  }
}

describe('jobs by machine on sqlite', () => {
  it('backfills the jobs written before the migration', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'before-0007.db');
      await checkBackfill(connectSqlite(file), () => openSqliteStorage(file));
    } finally {
      await dir.remove();
    }
  });

  it('answers the machine filter from its two indexes', async () => {
    const { db, kind } = connectSqlite(':memory:');
    try {
      await migrateToLatest(db as never, kind);
      const plan = await sql<{ detail: string }>`explain query plan
        select data from jobs where machine_id = ${'m'} or fly_run_id = ${'m'}`.execute(db);
      const details = plan.rows.map((r) => r.detail).join('\n');
      expect(details).toMatch(/jobs_by_machine_id/);
      expect(details).toMatch(/jobs_by_fly_run_id/);
      expect(details).not.toMatch(/SCAN jobs/);
    } finally {
      await db.destroy();
    }
  });
});

describe('jobs by machine on postgresql', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(() => database?.drop());

  it('backfills the jobs written before the migration', async () => {
    const schema = await database.schema();
    try {
      await checkBackfill(connectPostgres(schema.url), () => openPostgresStorage(schema.url));
    } finally {
      await schema.drop();
    }
  });

  it('answers the machine filter from its two indexes', async () => {
    const schema = await database.schema();
    const { db, kind } = connectPostgres(schema.url, { maxConnections: 1 });
    try {
      await migrateToLatest(db as never, kind);
      // A handful of rows reads faster in full: the planner is told not to, to show what it can use.
      await sql`set enable_seqscan = off`.execute(db);
      const plan = await sql<{ 'QUERY PLAN': string }>`explain
        select data from jobs where machine_id = 'm' or fly_run_id = 'm'`.execute(db);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toMatch(/jobs_by_machine_id/);
      expect(text).toMatch(/jobs_by_fly_run_id/);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
