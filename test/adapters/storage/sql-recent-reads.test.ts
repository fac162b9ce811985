import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStorage, type SqlStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { CHANGE_CHANNEL } from '../../../adapters/storage/sql/sql-migrations.js';
import { createRecentReads } from '../../../adapters/storage/sql/sql-recent-reads.js';
import { collection, RECENT_READ_MAX_AGE_MS } from '../../../ports/storage.port.js';
import { job, range } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('recent reads (kept answers of point reads)', () => {
  const counting = (answer: () => string | undefined) => {
    let loads = 0;
    return {
      load: async () => {
        loads++;
        return answer();
      },
      loads: () => loads,
    };
  };

  it('keeps an answer, found or missing, only while other writers are heard', async () => {
    let clock = 0;
    const reads = createRecentReads(() => clock);
    let value: string | undefined = 'a';
    const source = counting(() => value);
    expect(await reads.read('k', source.load)).toBe('a');
    expect(await reads.read('k', source.load)).toBe('a');
    expect(source.loads()).toBe(2);

    reads.hearing(true);
    await reads.read('k', source.load);
    value = 'b';
    expect(await reads.read('k', source.load)).toBe('a');
    expect(source.loads()).toBe(3);
    reads.hearing(false);
    expect(await reads.read('k', source.load)).toBe('b');

    reads.hearing(true);
    value = undefined;
    expect(await reads.read('missing', source.load)).toBeUndefined();
    value = 'c';
    expect(await reads.read('missing', source.load)).toBeUndefined();
    clock += RECENT_READ_MAX_AGE_MS + 1;
    expect(await reads.read('missing', source.load)).toBe('c');
  });

  it('drops an answer when its row changes, and keeps none read across a change', async () => {
    const reads = createRecentReads(() => 0);
    reads.hearing(true);
    let value = 'old';
    const source = counting(() => value);
    await reads.read('k', source.load);
    value = 'new';
    reads.changed('k');
    expect(await reads.read('k', source.load)).toBe('new');

    // A read started before the change answers what it read, and is not kept.
    const slow = deferred<string>();
    const running = reads.read('k2', () => slow.promise);
    reads.changed('k2');
    slow.resolve('before the change');
    expect(await running).toBe('before the change');
    const after = counting(() => 'after the change');
    expect(await reads.read('k2', after.load)).toBe('after the change');
    expect(after.loads()).toBe(1);

    const everything = deferred<string>();
    const across = reads.read('k3', () => everything.promise);
    reads.changedAll();
    everything.resolve('stale');
    await across;
    expect(await reads.read('k3', async () => 'fresh')).toBe('fresh');
    expect(await reads.read('k', async () => 'unseen')).toBe('unseen');
  });
});

describe('recent reads on postgresql', () => {
  let database: TestDatabase;
  const drops: (() => Promise<void>)[] = [];
  const open: SqlStorage[] = [];
  let operator: pg.Client;
  const things = collection<{ n: number }>('things');

  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'));
    operator = new pg.Client({ connectionString: database.url });
    await operator.connect();
  });
  // Each test's stores close after it: the listening connections seen are the test's own.
  afterEach(async () => {
    for (const storage of open.splice(0)) await storage.close();
  });
  afterAll(async () => {
    await operator?.end();
    for (const drop of drops) await drop();
    await database?.drop();
  });

  const fresh = async () => {
    const schema = await database.schema();
    drops.push(schema.drop);
    const name = /search_path=(\w+)/.exec(decodeURIComponent(schema.url))?.[1] as string;
    const storage = await openPostgresStorage(schema.url);
    open.push(storage);
    const second = async () => {
      const other = await openPostgresStorage(schema.url);
      open.push(other);
      return other;
    };
    /** A write no notice tells of (triggers off in this session): only a store that keeps answers misses it. */
    const unheard = async (statement: string) => {
      await operator.query('set session_replication_role = replica');
      try {
        await operator.query(statement.replaceAll('$schema', name));
      } finally {
        await operator.query('set session_replication_role = origin');
      }
    };
    return { storage, second, unheard, name };
  };
  const until = async (check: () => Promise<boolean>, ms = 2000) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - started;
  };
  const listening = async () => {
    const rows = await operator.query(
      `select pid from pg_stat_activity where datname = current_database() and query = 'listen ${CHANGE_CHANNEL}' and pid <> pg_backend_pid()`,
    );
    return rows.rows.map((r) => r.pid as number);
  };

  it('answers a recent read from memory until the row changes; latest reads always read', async () => {
    const { storage, unheard } = await fresh();
    await until(async () => (await listening()).length > 0);
    await storage.documents.put(things, 'x', { n: 1 });
    await storage.jobs.put(job('j', { status: 'running' }));
    expect(await storage.documents.get(things, 'x', 'recent')).toEqual({ n: 1 });
    expect((await storage.jobs.get('j', 'recent'))?.status).toBe('running');

    await unheard(`update $schema.documents set data = '{"n":2}' where id = 'x'`);
    await unheard(
      `update $schema.jobs set status = 'failed', data = jsonb_set(data::jsonb, '{status}', '"failed"')::text where id = 'j'`,
    );
    expect(await storage.documents.get(things, 'x', 'recent')).toEqual({ n: 1 });
    expect((await storage.jobs.get('j', 'recent'))?.status).toBe('running');
    expect(await storage.documents.get(things, 'x')).toEqual({ n: 2 });
    expect((await storage.jobs.get('j', 'latest'))?.status).toBe('failed');
    // Nothing is kept longer than the bound, notice or not.
    await new Promise((r) => setTimeout(r, RECENT_READ_MAX_AGE_MS + 50));
    expect(await storage.documents.get(things, 'x', 'recent')).toEqual({ n: 2 });
  });

  it("sees this store's own writes at once", async () => {
    const { storage } = await fresh();
    await until(async () => (await listening()).length > 0);
    expect(await storage.documents.get(things, 'y', 'recent')).toBeUndefined();
    await storage.documents.put(things, 'y', { n: 1 });
    expect(await storage.documents.get(things, 'y', 'recent')).toEqual({ n: 1 });
    await storage.documents.delete(things, 'y');
    expect(await storage.documents.get(things, 'y', 'recent')).toBeUndefined();

    await storage.jobs.put(job('k', { status: 'dispatched' }));
    expect((await storage.jobs.get('k', 'recent'))?.status).toBe('dispatched');
    expect(await storage.jobs.updateIf(job('k', { status: 'running' }), ['dispatched'])).toBe(true);
    expect((await storage.jobs.get('k', 'recent'))?.status).toBe('running');
    await storage.jobs.delete('k');
    expect(await storage.jobs.get('k', 'recent')).toBeUndefined();
  });

  it("sees another replica's write as its notice arrives", async () => {
    const { storage, second } = await fresh();
    const other = await second();
    await until(async () => (await listening()).length > 1);
    await storage.jobs.put(job('r', { status: 'running' }));
    await storage.documents.put(things, 'z', { n: 1 });
    expect((await storage.jobs.get('r', 'recent'))?.status).toBe('running');
    expect(await storage.documents.get(things, 'z', 'recent')).toEqual({ n: 1 });
    expect(await storage.documents.get(things, 'new', 'recent')).toBeUndefined();

    await other.jobs.updateIf(job('r', { status: 'completed' }), ['running']);
    await other.documents.put(things, 'z', { n: 2 });
    await other.documents.put(things, 'new', { n: 3 });
    const ms = await until(
      async () =>
        (await storage.jobs.get('r', 'recent'))?.status === 'completed' &&
        (await storage.documents.get(things, 'z', 'recent'))?.n === 2 &&
        (await storage.documents.get(things, 'new', 'recent'))?.n === 3,
      RECENT_READ_MAX_AGE_MS / 2,
    );
    expect(ms).toBeLessThan(RECENT_READ_MAX_AGE_MS / 2);
  });

  it('keeps nothing while its listening connection is lost, and listens again', async () => {
    const { storage, unheard } = await fresh();
    await until(async () => (await listening()).length > 0);
    await storage.documents.put(things, 'w', { n: 1 });
    await storage.documents.get(things, 'w', 'recent');
    const [pid] = await listening();
    await operator.query('select pg_terminate_backend($1)', [pid]);
    await until(async () => !(await listening()).includes(pid as number));
    await new Promise((r) => setTimeout(r, 50));

    await unheard(`update $schema.documents set data = '{"n":2}' where id = 'w'`);
    expect(await storage.documents.get(things, 'w', 'recent')).toEqual({ n: 2 });
    await unheard(`update $schema.documents set data = '{"n":3}' where id = 'w'`);
    expect(await storage.documents.get(things, 'w', 'recent')).toEqual({ n: 3 });

    // Back within the first retry (0.5 s): answers are kept again.
    await until(async () => (await listening()).length > 0, 3000);
    await until(async () => {
      await storage.documents.get(things, 'w', 'recent');
      await unheard(`update $schema.documents set data = '{"n":4}' where id = 'w'`);
      return (await storage.documents.get(things, 'w', 'recent'))?.n === 3;
    });
  });

  it('tells of each row written, and of a large write as a whole', async () => {
    const { storage, name } = await fresh();
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`listen ${CHANGE_CHANNEL}`);
    try {
      await storage.jobs.put(job('n1'));
      await storage.documents.put(things, 'd1', { n: 1 });
      await storage.documents.delete(things, 'd1');
      await operator.query(`update ${name}.jobs set status = 'failed' where id = 'n1'`);
      await operator.query('begin');
      await operator.query(`delete from ${name}.jobs where id = 'n1'`);
      await operator.query('rollback');
      await storage.jobs.put(job('n2'));
      await until(async () => heard.length >= 5);
      const d1 = ['documents', 'things', 'd1'];
      expect(heard.map((p) => JSON.parse(p))).toEqual([['jobs', 'n1'], d1, d1, ['jobs', 'n1'], ['jobs', 'n2']]);
      for (const i of range(0, 101)) await storage.documents.put(things, `many-${i}`, { n: i });
      await until(async () => heard.length >= 5 + 101);
      heard.length = 0;
      await operator.query(`delete from ${name}.documents where id like 'many-%'`);
      await storage.jobs.delete('n1');
      await until(async () => heard.length >= 2);
      expect(heard.map((p) => (p === '*' ? p : JSON.parse(p)))).toEqual(['*', ['jobs', 'n1']]);
    } finally {
      await listener.end();
    }
  });
});
