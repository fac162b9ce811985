import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSqlStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { connectPostgres, connectSqlite, type SqlConnection } from '../../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest } from '../../../adapters/storage/sql/sql-migrations.js';
import { collection } from '../../../ports/storage.port.js';
import { job, range, steps } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

/** Counts the statements a connection runs (on PostgreSQL, its hot path's pool too). */
function counted(connection: SqlConnection) {
  let statements = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      statements++;
      return args.result;
    },
  };
  const hot =
    connection.kind === 'postgres'
      ? {
          ...connection.hot,
          query: <R>(text: string, values: unknown[]) => {
            statements++;
            return connection.hot.query<R>(text, values);
          },
        }
      : undefined;
  return {
    connection: { ...connection, db: connection.db.withPlugin(plugin), ...(hot ? { hot } : {}) } as SqlConnection,
    statements: () => statements,
  };
}

const dialects: [string, () => Promise<SqlConnection>][] = [
  ['SQLite', async () => connectSqlite(':memory:')],
  ['PostgreSQL', async () => connectPostgres((await database.schema()).url)],
];

describe.each(dialects)('the %s store, under concurrent /runner/progress-shaped calls', (_name, connect) => {
  it('shares one statement among the job and document reads of a turn, one among its appends, and one among both', async () => {
    const raw = await connect();
    await migrateToLatest(raw.db as never, raw.kind);
    const { connection, statements } = counted(raw);
    const storage = createSqlStorage(connection);
    try {
      const runs = collection<{ jobId: string }>('runs');
      const ids = range(0, 20).map((i) => `job-${i}`);
      for (const id of ids) {
        await storage.jobs.put(job(id));
        await storage.documents.put(runs, id, { jobId: id });
      }
      const before = statements();
      const [jobs, records, steering] = await Promise.all([
        Promise.all(ids.map((id) => storage.jobs.get(id))),
        Promise.all(ids.map((id) => storage.documents.get(runs, id))),
        Promise.all(ids.map((id) => storage.documents.get(collection('steering'), id))),
      ]);
      // PostgreSQL: one statement; SQLite: the hot path's own statements, none through Kysely.
      expect(statements() - before).toBe(raw.kind === 'postgres' ? 1 : 0);
      expect(jobs).toEqual(ids.map((id) => job(id)));
      expect(records).toEqual(ids.map((jobId) => ({ jobId })));
      expect(steering).toEqual(ids.map(() => undefined));

      const appended = statements();
      await Promise.all(ids.map((id, i) => storage.streams.append(steps(id), { step: `s${i}`, ok: true, at: i }, 200)));
      // PostgreSQL: one statement (the inserts and their trims); SQLite: one transaction (group commit), its statements in-process.
      if (raw.kind === 'postgres') expect(statements() - appended).toBe(1);
      expect(await storage.streams.list(steps('job-7'))).toEqual([{ step: 's7', ok: true, at: 7 }]);

      // Reads and appends of one turn: on PostgreSQL one statement for both.
      const mixed = statements();
      const [again] = await Promise.all([
        Promise.all(ids.map((id) => storage.jobs.get(id))),
        Promise.all(ids.map((id, i) => storage.streams.append(steps(id), { step: `t${i}`, ok: false, at: i }, 1))),
      ]);
      if (raw.kind === 'postgres') expect(statements() - mixed).toBe(1);
      expect(again).toEqual(ids.map((id) => job(id)));
      expect(await storage.streams.list(steps('job-7'))).toEqual([{ step: 't7', ok: false, at: 7 }]);
    } finally {
      await storage.close();
    }
  });
});

describe('the SQL store under fake timers', () => {
  it('still answers reads and appends when a test fakes setImmediate after the store was loaded', async () => {
    const { vi } = await import('vitest');
    const raw = connectSqlite(':memory:');
    await migrateToLatest(raw.db as never, raw.kind);
    const storage = createSqlStorage(raw);
    vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout', 'setInterval', 'Date'] });
    try {
      await storage.jobs.put(job('job-1'));
      const [one, two] = await Promise.all([storage.jobs.get('job-1'), storage.jobs.get('job-2')]);
      expect(one).toEqual(job('job-1'));
      expect(two).toBeUndefined();
      await storage.streams.append(steps('job-1'), { step: 's', ok: true, at: 1 }, 10);
      expect(await storage.streams.list(steps('job-1'))).toEqual([{ step: 's', ok: true, at: 1 }]);
    } finally {
      vi.useRealTimers();
      await storage.close();
    }
  });
});

describe('the PostgreSQL pools', () => {
  it('plan the hot path’s statements once, and leave every other statement to the server’s own choice', async () => {
    const { sql } = await import('kysely');
    const connection = connectPostgres((await database.schema()).url);
    try {
      const shown = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(connection.db);
      expect(shown.rows[0]?.plan_cache_mode).toBe('auto');
      const hot = await connection.hot.query<{ plan_cache_mode: string }>('show plan_cache_mode', []);
      expect(hot.rows[0]?.plan_cache_mode).toBe('force_generic_plan');
    } finally {
      await connection.db.destroy();
      await connection.hot.end();
    }
  });
});
