/**
 * bench/storage — throughput of the storage adapters on the operations the orchestrator
 * repeats: recordDispatch (one transaction: claim, job, dedup, log), jobs.updateIf, and a
 * filtered jobs.list over a store holding many jobs. Prints ops/s and the process RSS.
 *
 *   npx tsx bench/storage/store-ops.bench.ts                   # sqlite, lowdb, memory
 *   BENCH_POSTGRES_URL=postgres://… npx tsx bench/storage/store-ops.bench.ts   # adds postgres
 *
 * The PostgreSQL store is created in a new schema of that database and dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLowdbStorage } from '../../adapters/storage/lowdb/lowdb.adapter.js';
import { openPostgresStorage, openSqliteStorage } from '../../adapters/storage/sql/sql.adapter.js';
import { createUnstorageStorage } from '../../adapters/storage/unstorage/unstorage.adapter.js';
import type { Storage } from '../../ports/storage.port.js';
import { dispatch, job } from '../../testing/contracts/storage-fixtures.js';

const N = Number(process.env.BENCH_N ?? 10_000);

async function time(label: string, count: number, work: () => Promise<void>): Promise<string> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return `${label}: ${Math.round(count / seconds).toLocaleString('en')}/s`;
}

async function bench(name: string, storage: Storage, n: number): Promise<void> {
  const lines: string[] = [];
  lines.push(
    await time(`recordDispatch x${n} (sequential)`, n, async () => {
      for (let i = 0; i < n; i++) await storage.recordDispatch(dispatch(`job-${i}`, `claim-${i}`));
    }),
  );
  lines.push(
    await time('recordDispatch x1000 (50 at a time)', 1000, async () => {
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => storage.recordDispatch(dispatch(`c-${batch}-${i}`, `claim-c-${batch}-${i}`))),
        );
      }
    }),
  );
  lines.push(
    await time(`jobs.updateIf x${n}`, n, async () => {
      for (let i = 0; i < n; i++) await storage.jobs.updateIf({ ...job(`job-${i}`), status: 'running' }, ['dispatched']);
    }),
  );
  lines.push(
    await time(`jobs.list({ statuses: ['dispatched'], limit: 50 }) over ${n + 1000} jobs x200`, 200, async () => {
      for (let i = 0; i < 200; i++) await storage.jobs.list({ statuses: ['dispatched'], limit: 50 });
    }),
  );
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  console.log(`${name}\n  ${lines.join('\n  ')}\n  rss after: ${rss} MB`);
  await storage.close();
}

const dir = await mkdtemp(join(tmpdir(), 'ai-implement-bench-'));
try {
  await bench('sqlite (file, WAL)', await openSqliteStorage(join(dir, 'bench.db')), N);
  await bench('unstorage memory', await createUnstorageStorage({ driver: 'memory' }), Math.min(N, 2000));
  await bench(
    'lowdb (rewrites the whole file per change)',
    await createLowdbStorage({ file: join(dir, 'bench.json') }),
    Math.min(N, 2000),
  );
  const url = process.env.BENCH_POSTGRES_URL;
  if (url) {
    const schema = `bench_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    try {
      await bench('postgresql', await openPostgresStorage(scoped.toString()), N);
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
