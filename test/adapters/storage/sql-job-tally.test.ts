import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStorage, openSqliteStorage, type SqlStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectPostgres, connectSqlite, type SqlConnection } from '../../../adapters/storage/sql/sql-connect.js';
import { JOB_STATUSES } from '../../../core/domain/job-status.js';
import type { JobStatus } from '../../../core/domain/model.js';
import { job, range } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

/** What a store from before migration 0010 looks like: jobs, no tally, no triggers, neither 0010 nor any later one recorded. */
async function backToBeforeTally({ db, kind }: SqlConnection): Promise<void> {
  for (const trigger of ['job_tally_insert', 'job_tally_delete', 'job_tally_update']) {
    await sql.raw(`drop trigger ${trigger}${kind === 'postgres' ? ' on jobs' : ''}`).execute(db);
  }
  if (kind === 'postgres') await sql`drop function job_tally_inserted, job_tally_deleted, job_tally_moved`.execute(db);
  await sql`drop table job_tally`.execute(db);
  await sql`delete from ai_implement_migration where name >= '0010-job-tally'`.execute(db);
}

/** Every (phase, status) pair's count as jobs.count finds it, for comparing with the tally. */
async function counted(storage: SqlStorage): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const phase of ['planning', 'implementation', 'gap-analysis'] as const) {
    for (const status of JOB_STATUSES) {
      const n = await storage.jobs.count({ phase, statuses: [status] });
      if (n > 0) out[`${phase}/${status}`] = n;
    }
  }
  return out;
}

async function tallied(storage: SqlStorage): Promise<Record<string, number>> {
  return Object.fromEntries((await storage.jobs.tally()).map((r) => [`${r.phase}/${r.status}`, r.count]));
}

function upgradeSuite(name: string, open: () => Promise<{ storage: () => Promise<SqlStorage>; raw: () => SqlConnection }>) {
  it(`${name}: migration 0010 counts the jobs a store already held, then keeps counting`, async () => {
    const { storage: reopen, raw } = await open();
    let storage = await reopen();
    for (const i of range(0, 6)) await storage.jobs.put(job(`old-${i}`, { status: i % 2 ? 'completed' : 'running' }));
    await storage.close();
    const connection = raw();
    await backToBeforeTally(connection);
    // Written by a version without the tally: no trigger counts these.
    await sql`update jobs set status = 'failed' where id = 'old-0'`.execute(connection.db);
    await connection.db.destroy();

    storage = await reopen();
    try {
      expect(await tallied(storage)).toEqual({ 'planning/completed': 3, 'planning/failed': 1, 'planning/running': 2 });
      await storage.jobs.put(job('new', { phase: 'implementation' }));
      expect(await tallied(storage)).toEqual(await counted(storage));
    } finally {
      await storage.close();
    }
  });
}

describe('the job tally on sqlite', () => {
  const dirs: { remove: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const dir of dirs) await dir.remove();
  });
  upgradeSuite('sqlite', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'ai-implement.db');
    return { storage: () => openSqliteStorage(file), raw: () => connectSqlite(file) };
  });
});

describe('the job tally on postgresql', () => {
  let database: TestDatabase;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
    await database?.drop();
  });

  upgradeSuite('postgresql', async () => {
    const schema = await database.schema();
    drops.push(schema.drop);
    return { storage: () => openPostgresStorage(schema.url), raw: () => connectPostgres(schema.url) };
  });

  it('counts a write from a session on another search path, in its own schema', async () => {
    const schema = await database.schema();
    drops.push(schema.drop);
    const storage = await openPostgresStorage(schema.url);
    const name = /search_path=(\w+)/.exec(decodeURIComponent(schema.url))?.[1];
    expect(name).toBeDefined();
    const operator = new pg.Client({ connectionString: database.url });
    await operator.connect();
    try {
      await storage.jobs.put(job('a'));
      await operator.query(`update ${name}.jobs set status = 'failed' where id = 'a'`);
      expect(await tallied(storage)).toEqual({ 'planning/failed': 1 });
    } finally {
      await operator.end();
      await storage.close();
    }
  });

  it('stays exact, without a deadlock, while two replicas move many jobs at once', async () => {
    const schema = await database.schema();
    drops.push(schema.drop);
    const [a, b] = [await openPostgresStorage(schema.url), await openPostgresStorage(schema.url)];
    try {
      const ids = range(0, 40).map((i) => `j${i}`);
      await Promise.all(ids.map((id, i) => (i % 2 ? a : b).jobs.put(job(id, { phase: i % 3 ? 'planning' : 'implementation' }))));
      // Each job goes dispatched → running → a terminal status; both replicas race for every step,
      // and one in four is deleted on the way.
      const path: JobStatus[] = ['dispatched', 'running', 'completed'];
      await Promise.all(
        ids.flatMap((id, i) =>
          [a, b].map(async (store) => {
            for (let step = 1; step < path.length; step++) {
              const current = await store.jobs.get(id);
              if (!current) return;
              const status: JobStatus = i % 5 === 0 && step === 2 ? 'failed' : (path[step] as JobStatus);
              const next = { ...current, status };
              await store.jobs.updateIf(next, [path[step - 1] as JobStatus]);
              if (i % 4 === 0 && step === 1) await store.jobs.delete(id);
            }
          }),
        ),
      );
      expect(await tallied(a)).toEqual(await counted(a));
      expect(Object.values(await tallied(a)).reduce((x, y) => x + y, 0)).toBe(30);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
