/**
 * bench/storage — the step append of `/runner/progress` alone, in process: `streams.append`
 * with keep = 200 (BENCH_KEEP) to streams that already hold that many entries (each append
 * inserts one and trims one), one at a time and 16 at a time (one group commit on SQLite, one
 * batch on PostgreSQL). Prints wall and process-CPU µs per append, and on PostgreSQL the
 * server's CPU (its processes' /proc times).
 *
 *   npx tsx bench/storage/stream-append.bench.ts      # SQLite, and PostgreSQL started as the tests start it
 *   BENCH_STORES=sqlite BENCH_KEEP=1000 npx tsx bench/storage/stream-append.bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgresStorage, openSqliteStorage } from '../../adapters/storage/sql/sql.adapter.js';
import { type Storage, stream } from '../../ports/storage.port.js';
import { startPostgres } from '../../test/setup/postgres-server.js';

const KEEP = Number(process.env.BENCH_KEEP ?? 200);
const STREAMS = 50;
const APPENDS = Number(process.env.BENCH_N ?? 4000);
const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
const entry = (i: number) => ({ step: `step-${i}`, ok: true, at: 1_700_000_000_000 + i, detail: 'x'.repeat(80) });
const name = (s: number) => stream<ReturnType<typeof entry>>(`job-steps/bench-${s}`);

async function fill(storage: Storage): Promise<void> {
  for (let i = 0; i < KEEP; i++)
    await Promise.all(Array.from({ length: STREAMS }, (_, s) => storage.streams.append(name(s), entry(i), KEEP)));
}

/** Clock ticks (user + system) of a process, from /proc; Linux only. */
function ticks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU µs used so far by every process of the PostgreSQL server (the postmaster's children). */
function serverCpu(postmaster: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[1]) === postmaster || Number(entry) === postmaster) total += ticks(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total * 10_000; // 100 ticks a second
}

async function timed(label: string, appends: number, work: () => Promise<void>, server?: () => number): Promise<string> {
  const cpu = process.cpuUsage();
  const serverBefore = server?.() ?? 0;
  const started = performance.now();
  await work();
  const wall = ((performance.now() - started) * 1000) / appends;
  const used = process.cpuUsage(cpu);
  const serverUsed = server ? `, server ${((server() - serverBefore) / appends).toFixed(0)} µs CPU` : '';
  return `${label}: ${wall.toFixed(0)} µs wall, ${((used.user + used.system) / appends).toFixed(0)} µs CPU${serverUsed} per append`;
}

async function bench(label: string, storage: Storage, server?: () => number): Promise<void> {
  await fill(storage);
  const lines = [
    await timed(
      'one at a time',
      APPENDS,
      async () => {
        for (let i = 0; i < APPENDS; i++) await storage.streams.append(name(i % STREAMS), entry(KEEP + i), KEEP);
      },
      server,
    ),
    await timed(
      '16 at a time',
      APPENDS,
      async () => {
        for (let i = 0; i < APPENDS; i += 16)
          await Promise.all(
            Array.from({ length: 16 }, (_, k) => storage.streams.append(name((i + k) % STREAMS), entry(i + k), KEEP)),
          );
      },
      server,
    ),
  ];
  const kept = await storage.streams.list(name(0));
  if (kept.length !== KEEP) throw new Error(`stream holds ${kept.length} entries, not ${KEEP}`);
  console.log(`${label} (keep ${KEEP}, ${STREAMS} streams at ${KEEP}, ${APPENDS} appends)\n  ${lines.join('\n  ')}`);
  await storage.close();
}

if (stores.includes('sqlite')) {
  const dir = await mkdtemp(join(tmpdir(), 'stream-append-'));
  try {
    await bench('SQLite', await openSqliteStorage(join(dir, 'store.db')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
if (stores.includes('postgres')) {
  const server = await startPostgres();
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid as number;
    const postmaster = Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
    await client.end();
    await bench('PostgreSQL', await openPostgresStorage(server.url), () => serverCpu(postmaster));
  } finally {
    server.stop();
  }
}
