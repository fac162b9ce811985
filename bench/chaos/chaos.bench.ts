/**
 * bench/chaos — kill -9 during dispatch storms, then count what went wrong.
 *
 * One storm of 300 issues labelled AI-Implement, created through POST /api/tracker/issues by 12
 * concurrent clients under one mapping whose cap never limits, released in 20 bursts of 15;
 * after each burst the server is SIGKILLed at a random moment (0–0.7 s) while creates and
 * dispatches are in flight, and the clients retry what failed.
 * (a) SQLite: one server (RUNNER_MODE=shadow, POLL_INTERVAL_MS=1000) on one DATA_DIR,
 *     restarted at once on the same DATA_DIR and port.
 * (b) PostgreSQL: two replicas (two processes, two ports) on one real PostgreSQL; the storm
 *     goes to both; each round SIGKILLs the holder of the `reconcile` lease (read from the
 *     leases table; a random replica when none holds it) and restarts it after a random 0–16 s,
 *     so that sometimes the survivor has to wait the lease out and sometimes the restarted
 *     node takes its own lease back.
 *
 * After the rounds it waits until launch recovery must have run (60 s after the last kill plus
 * a poll) and every issue is dispatched (or a deadline), then reads the store directly and
 * prints: duplicates (two jobs for one issue + phase + dispatch number, or two planning jobs of
 * one issue), lost issues (labelled, never dispatched), jobs left `unknown`, the longest stall
 * (kill → the next new dispatch), and identifier collisions (two tracker issues, one identifier).
 *
 *   npm run bench:chaos
 *   CHAOS_SCENARIOS=sqlite CHAOS_ROUNDS=5 npm run bench:chaos
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { SqlDatabase } from '../../adapters/storage/sql/sql-schema.js';
import { LEASE_TTL_MS } from '../../core/app/operations/singleton.js';
import { createTestDatabase } from '../../test/setup/postgres-database.js';
import { startPostgres } from '../../test/setup/postgres-server.js';
import { type AdminClient, adminClient, createLocalMapping } from '../lib/admin.js';
import { connect, type StoreTarget, seedJobs } from '../lib/seed.js';
import { freePort, type ServerProcess, sleep, spawnOrchestrator } from '../lib/server.js';

const SCENARIOS = (process.env.CHAOS_SCENARIOS ?? 'sqlite,postgres').split(',');
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 20);
const ISSUES = Number(process.env.CHAOS_ISSUES ?? 300);
const CLIENTS = 12;
const POLL_MS = 1000;
const LAUNCH_CONFIRM_MS = 60_000;
const SETTLE_DEADLINE_MS = 60_000;

interface Replica {
  port: number;
  dataDir: string;
  server: ServerProcess | undefined;
  admin: AdminClient | undefined;
  /** Restarts in progress. */
  starting: Promise<void> | undefined;
}

interface Kill {
  round: number;
  port: number;
  at: number;
  leader: boolean;
  restartDelayMs: number;
  /** Kill → the restarted process answered /healthz. */
  backMs?: number;
  /** Kill → the next new dispatch, where work was waiting at the kill. */
  stallMs?: number;
}

interface Outcome {
  scenario: string;
  rounds: number;
  issues: number;
  jobs: number;
  kills: Kill[];
  duplicates: number;
  lost: number;
  unknown: number;
  stalls: number[];
  collisions: number;
  failedCreates: number;
  restartMs: number[];
  settledMs: number;
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

type JobRow = SqlDatabase['jobs'];

async function readJobs(db: Kysely<SqlDatabase>): Promise<JobRow[]> {
  return (await db.selectFrom('jobs').selectAll().execute()).map((r) => ({
    ...r,
    dispatched_at: Number(r.dispatched_at),
    updated_at: Number(r.updated_at),
  }));
}

async function readIssues(db: Kysely<SqlDatabase>) {
  const rows = await db.selectFrom('documents').select(['id', 'data']).where('collection', '=', 'local-issues').execute();
  return rows.map(
    (r) => JSON.parse(r.data) as { id: string; identifier: string; teamKey: string; labels: string[]; createdAt: number },
  );
}

async function start(replica: Replica, storageUrl: string | undefined, restartMs: number[]): Promise<void> {
  const server = await spawnOrchestrator({
    port: replica.port,
    dataDir: replica.dataDir,
    logFile: join(replica.dataDir, `server-${replica.port}.log`),
    ...(storageUrl ? { storageUrl } : {}),
  });
  restartMs.push(server.startMs);
  replica.server = server;
  // Admin sessions may not survive a restart: log in again.
  replica.admin = await adminClient(server.url);
}

async function scenario(name: 'sqlite' | 'postgres'): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), `ai-implement-chaos-${name}-`));
  const pg = name === 'postgres' ? await startPostgres() : undefined;
  const database = pg ? await createTestDatabase(pg.url) : undefined;
  const target: StoreTarget = database
    ? { kind: 'postgres', url: database.url }
    : { kind: 'sqlite', file: join(dir, 'ai-implement.db') };
  const storageUrl = database?.url;
  await seedJobs(target, 0); // the schema, before two replicas race to migrate it
  const inspector = connect(target);
  const restartMs: number[] = [];
  const replicas: Replica[] = [];
  for (let i = 0; i < (name === 'postgres' ? 2 : 1); i++)
    replicas.push({ port: await freePort(), dataDir: dir, server: undefined, admin: undefined, starting: undefined });
  const kills: Kill[] = [];
  let failedCreates = 0;
  const started = Date.now();
  try {
    for (const r of replicas) await start(r, storageUrl, restartMs);
    const team = 'STORM';
    await createLocalMapping(replicas[0]!.admin!, team, 100_000);
    // One storm: ROUNDS bursts of ISSUES / ROUNDS creates released into one queue that CLIENTS
    // concurrent clients drain, never waiting for dispatch; a kill lands at a random moment
    // after each burst is released, so the backlog carries across kills.
    const perRound = Math.ceil(ISSUES / ROUNDS);
    const queue: string[] = [];
    let released = 0;
    let allReleased = false;
    let next = 0;
    const creator = async (lane: number) => {
      for (;;) {
        const title = queue.shift();
        if (title === undefined) {
          if (allReleased) return;
          await sleep(20);
          continue;
        }
        const up = replicas.filter((r) => r.server && !r.starting && r.admin);
        const replica = up[(next++ + lane) % Math.max(1, up.length)];
        let ok = false;
        if (replica?.admin) {
          try {
            const { status } = await replica.admin.call('POST', '/api/tracker/issues', {
              teamKey: team,
              title,
              labels: ['AI-Implement'],
            });
            ok = status === 201;
          } catch {
            ok = false;
          }
        }
        if (!ok) {
          failedCreates++;
          queue.push(title); // retried: a create that committed before the kill leaves one more issue, never fewer
          await sleep(50);
        }
      }
    };
    const storm = Promise.all(Array.from({ length: CLIENTS }, (_, lane) => creator(lane)));
    const stormStarted = Date.now();
    for (let round = 1; round <= ROUNDS; round++) {
      const batch = Math.min(perRound, ISSUES - released);
      for (let n = 0; n < batch; n++) queue.push(`chaos issue ${released + n + 1}`);
      released += batch;
      if (released >= ISSUES) allReleased = true;
      await sleep(Math.random() * 700); // a random point of the burst (creates and dispatches in flight)
      let victim: Replica;
      let leader = false;
      if (replicas.length === 1) victim = replicas[0]!;
      else {
        const lease = await inspector.db
          .selectFrom('leases')
          .selectAll()
          .where('name', '=', 'reconcile')
          .where('expires_at', '>', Date.now())
          .executeTakeFirst();
        const holder = replicas.find((r) => lease && lease.owner === `${hostname()}:${r.port}`);
        leader = holder !== undefined;
        victim = holder ?? replicas[Math.floor(Math.random() * replicas.length)]!;
      }
      const restartDelayMs = replicas.length === 1 ? 0 : Math.round(Math.random() * 16_000);
      const server = victim.server!;
      const backlog = queue.length;
      victim.starting = (async () => {
        const at = Date.now();
        await server.kill9();
        kills.push({ round, port: victim.port, at, leader, restartDelayMs });
        victim.server = undefined;
        victim.admin = undefined;
        await sleep(restartDelayMs);
        await start(victim, storageUrl, restartMs);
      })().finally(() => {
        victim.starting = undefined;
      });
      await victim.starting;
      const k = kills[kills.length - 1]!;
      k.backMs = Date.now() - k.at;
      console.log(
        `  ${name} round ${round}: killed ${k.leader ? 'the lease holder' : replicas.length > 1 ? 'a follower' : 'the server'} at +${f((k.at - stormStarted) / 1000, 1)} s (${backlog} creates queued), back after ${f((Date.now() - k.at) / 1000, 1)} s`,
      );
    }
    await storm;

    // Settle: every issue has a job, or the deadline.
    const deadline = Date.now() + SETTLE_DEADLINE_MS;
    for (;;) {
      const issues = await readIssues(inspector.db);
      const dispatched = new Set((await readJobs(inspector.db)).map((j) => j.issue_id));
      const waiting = issues.filter((i) => !dispatched.has(i.id)).length;
      if (waiting === 0) break;
      if (Date.now() > deadline) {
        console.log(`  ${waiting} of ${issues.length} issues undispatched at the deadline`);
        break;
      }
      await sleep(250);
    }
    console.log(`  storm settled at +${f((Date.now() - stormStarted) / 1000)} s`);

    // Launch recovery runs for jobs `unknown` 60 s after their dispatch: wait it out.
    const lastKill = kills[kills.length - 1]?.at ?? Date.now();
    const waitUntil = lastKill + LAUNCH_CONFIRM_MS + POLL_MS + 3000;
    if (Date.now() < waitUntil) {
      console.log(
        `  waiting ${f((waitUntil - Date.now()) / 1000, 0)} s for launch recovery (60 s after the last kill + one poll)`,
      );
      await sleep(waitUntil - Date.now());
    }
    const settledMs = Date.now() - started;

    const jobs = await readJobs(inspector.db);
    const issues = await readIssues(inspector.db);
    const perDispatch = new Map<string, number>();
    const planningPerIssue = new Map<string, number>();
    for (const job of jobs) {
      const data = JSON.parse(job.data) as { dispatchNumber: number };
      const key = `${job.issue_id}|${job.phase}|${data.dispatchNumber}`;
      perDispatch.set(key, (perDispatch.get(key) ?? 0) + 1);
      if (job.phase === 'planning') planningPerIssue.set(job.issue_id, (planningPerIssue.get(job.issue_id) ?? 0) + 1);
    }
    const duplicates =
      [...perDispatch.values()].filter((n) => n > 1).length + [...planningPerIssue.values()].filter((n) => n > 1).length;
    const dispatchedIssues = new Set(jobs.map((j) => j.issue_id));
    const lost = issues.filter((i) => i.labels.includes('AI-Implement') && !dispatchedIssues.has(i.id)).length;
    const cutoff = Date.now() - LAUNCH_CONFIRM_MS - POLL_MS;
    const unknown = jobs.filter((j) => j.status === 'unknown' && j.dispatched_at < cutoff).length;
    const identifiers = new Map<string, number>();
    for (const issue of issues) identifiers.set(issue.identifier, (identifiers.get(issue.identifier) ?? 0) + 1);
    const collisions = [...identifiers.values()].filter((n) => n > 1).length;
    const dispatchTimes = jobs.map((j) => j.dispatched_at).sort((a, b) => a - b);
    const firstDispatch = new Map<string, number>();
    for (const job of jobs)
      firstDispatch.set(job.issue_id, Math.min(firstDispatch.get(job.issue_id) ?? job.dispatched_at, job.dispatched_at));
    // A stall counts only where work was waiting at the kill: an issue created before it and
    // first dispatched after it (else the next dispatch waits for the next burst, not the engine).
    const stalls: number[] = [];
    for (const kill of kills) {
      const waiting = issues.some(
        (i) => i.createdAt <= kill.at && (firstDispatch.get(i.id) ?? Number.POSITIVE_INFINITY) > kill.at,
      );
      const nextDispatch = dispatchTimes.find((t) => t > kill.at);
      if (waiting && nextDispatch !== undefined) {
        kill.stallMs = nextDispatch - kill.at;
        stalls.push(kill.stallMs);
      }
    }
    return {
      scenario: name === 'sqlite' ? 'SQLite, 1 server' : 'PostgreSQL, 2 replicas',
      rounds: ROUNDS,
      issues: issues.length,
      jobs: jobs.length,
      kills,
      duplicates,
      lost,
      unknown,
      stalls,
      collisions,
      failedCreates,
      restartMs,
      settledMs,
    };
  } finally {
    for (const r of replicas) {
      await r.starting?.catch(() => undefined);
      await r.server?.stop();
    }
    await inspector.db.destroy();
    await database?.drop().catch(() => undefined);
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(outcomes: Outcome[]): void {
  const goalStall = LEASE_TTL_MS + POLL_MS;
  console.log(`\nchaos: one storm of ${ISSUES} issues, ${ROUNDS} kill -9 rounds, POLL_INTERVAL_MS=${POLL_MS}`);
  console.log(
    'scenario                 issues   jobs  duplicates  lost  unknown  max stall s  p50 stall s  collisions  restart ms (max)',
  );
  for (const o of outcomes) {
    const sorted = [...o.stalls].sort((a, b) => a - b);
    const max = sorted[sorted.length - 1] ?? Number.NaN;
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
    console.log(
      `${o.scenario.padEnd(24)} ${String(o.issues).padStart(6)} ${String(o.jobs).padStart(6)}  ${String(o.duplicates).padStart(10)}  ${String(o.lost).padStart(4)}  ${String(o.unknown).padStart(7)}  ${f(max / 1000, 2).padStart(11)}  ${f(p50 / 1000, 2).padStart(11)}  ${String(o.collisions).padStart(10)}  ${f(Math.max(...o.restartMs), 0).padStart(16)}`,
    );
    const leaderKills = o.kills.filter((k) => k.leader).length;
    console.log(
      `  ${o.kills.length} kills (${leaderKills} of the lease holder), ${o.stalls.length} with work waiting at the kill (the stalls); ${o.failedCreates} create attempts failed (server down) and were retried; ${f(o.settledMs / 1000, 0)} s in all`,
    );
    const slow = o.kills.filter((k) => (k.stallMs ?? 0) > goalStall);
    for (const k of slow)
      console.log(
        `  round ${k.round}: stall ${f(k.stallMs! / 1000)} s after killing ${k.leader ? 'the lease holder' : 'a replica'}; restart delayed ${f(k.restartDelayMs / 1000)} s, back after ${f((k.backMs ?? 0) / 1000)} s`,
      );
    const ok = o.duplicates === 0 && o.lost === 0 && o.unknown === 0 && o.collisions === 0 && max <= goalStall;
    console.log(`  goals 0 / 0 / 0 / <= ${goalStall / 1000} s / 0: ${ok ? 'ok' : 'MISS'}`);
  }
}

async function main(): Promise<void> {
  console.log(`bench/chaos: ${SCENARIOS.join(', ')}; Node ${process.version}`);
  const outcomes: Outcome[] = [];
  for (const name of SCENARIOS) outcomes.push(await scenario(name as 'sqlite' | 'postgres'));
  print(outcomes);
  if (process.env.BENCH_JSON) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.BENCH_JSON, JSON.stringify(outcomes, null, 2));
  }
}

await main();
