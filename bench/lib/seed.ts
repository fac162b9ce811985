import { connectPostgres, connectSqlite, type SqlConnection } from '../../adapters/storage/sql/sql-connect.js';
import { migrateToLatest } from '../../adapters/storage/sql/sql-migrations.js';
import { jobRow } from '../../adapters/storage/sql/sql-queries.js';
import { transact } from '../../adapters/storage/sql/sql-transaction.js';
import { createCryptoIds } from '../../adapters/system/crypto-ids.adapter.js';
import { createHmacSigning } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunTokensService } from '../../core/app/runs/run-tokens.service.js';
import type { Job, Mapping } from '../../core/domain/model.js';
import type { Storage } from '../../ports/storage.port.js';

/** Where a bench store lives: an SQLite file or a PostgreSQL URL. */
export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function connect(target: StoreTarget): SqlConnection {
  return target.kind === 'sqlite' ? connectSqlite(target.file) : connectPostgres(target.url, { maxConnections: 2 });
}

export const SEED_TEAM = 'BENCH';
export const STEPS_PER_JOB = 20;
/** Seeded jobs spread over the 30-day retention window, as a store in steady state holds them. */
const SPREAD_MS = 29 * 24 * 60 * 60 * 1000;

function seededJob(i: number, n: number, now: number): Job {
  const dispatchedAt = now - Math.round(((i + 1) / n) * SPREAD_MS);
  return {
    id: `seed-job-${i}`,
    issueId: `seed-issue-${Math.floor(i / 2)}`,
    identifier: `SEED-${Math.floor(i / 2) + 1}`,
    teamKey: SEED_TEAM,
    owner: 'acme',
    repo: 'app',
    phase: i % 2 === 0 ? 'planning' : 'implementation',
    // Mostly finished, as a store in steady state: one in 50 failed.
    status: i % 50 === 49 ? 'failed' : 'completed',
    dispatchNumber: 1,
    runner: 'shadow',
    dispatchedAt,
    updatedAt: dispatchedAt + 600_000,
    runId: `shadow-${i}`,
    ...(i % 2 === 1 ? { prUrl: `https://example.invalid/acme/app/pull/${i}`, prNumber: i } : {}),
  };
}

function stepEntry(k: number, at: number): string {
  const started = new Date(at + k * 10_000).toISOString();
  const finished = new Date(at + k * 10_000 + 8_000).toISOString();
  return JSON.stringify({
    id: `step-${k}`,
    type: k % 3 === 0 ? 'agent' : 'command',
    status: 'completed',
    started_at: started,
    finished_at: finished,
    output: `step ${k} finished`,
    source: 'progress',
    receivedAt: at + k * 10_000 + 8_000,
  });
}

/**
 * Writes `n` finished jobs, each with `STEPS_PER_JOB` step-history entries, in one transaction
 * of multi-row INSERTs straight through Kysely (the schema the store migrates to). Resolves the
 * seconds it took.
 */
export async function seedJobs(target: StoreTarget, n: number): Promise<number> {
  const started = performance.now();
  const { db, kind } = connect(target);
  try {
    await migrateToLatest(db as never, kind);
    if (n === 0) return 0;
    const now = Date.now();
    const JOB_CHUNK = 500;
    const STEP_JOBS_CHUNK = 50; // 50 jobs x 20 steps = 1000 rows x 3 parameters
    await transact(db, kind, async (trx) => {
      for (let i = 0; i < n; i += JOB_CHUNK) {
        const rows = [];
        for (let j = i; j < Math.min(n, i + JOB_CHUNK); j++) rows.push(jobRow(seededJob(j, n, now)));
        await trx.insertInto('jobs').values(rows).execute();
      }
      for (let i = 0; i < n; i += STEP_JOBS_CHUNK) {
        const rows = [];
        for (let j = i; j < Math.min(n, i + STEP_JOBS_CHUNK); j++) {
          const at = seededJob(j, n, now).dispatchedAt;
          for (let k = 0; k < STEPS_PER_JOB; k++)
            rows.push({ stream: `job-steps/seed-job-${j}`, pos: k + 1, data: stepEntry(k, at) });
        }
        await trx.insertInto('stream_entries').values(rows).execute();
      }
    });
    // Vacuumed too, as a store in steady state is: left to autovacuum, 2M fresh rows were
    // vacuumed a minute or two later, in the middle of whatever the bench then measured.
    if (kind === 'postgres') await (await import('kysely')).sql`vacuum analyze`.execute(db);
    return (performance.now() - started) / 1000;
  } finally {
    await db.destroy();
  }
}

/**
 * Jobs in flight (`running`) for the progress load, with their run credentials minted by the
 * run-tokens service through the storage API; resolves their progress tokens.
 */
export async function runningJobsWithTokens(storage: Storage, count: number, secret: string): Promise<string[]> {
  const tokens = createRunTokensService({
    config: { runnerTokenSecret: secret },
    storage,
    clock: { now: () => Date.now() },
    ids: createCryptoIds(),
    signing: createHmacSigning(),
  });
  const mapping = { provider: 'anthropic', maxJobMinutes: 120 } as Mapping;
  const out: string[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const job: Job = {
      id: `live-job-${i}`,
      issueId: `live-issue-${i}`,
      identifier: `LIVE-${i + 1}`,
      teamKey: SEED_TEAM,
      owner: 'acme',
      repo: 'app',
      phase: 'implementation',
      status: 'running',
      dispatchNumber: 1,
      runner: 'shadow',
      dispatchedAt: now - 60_000,
      updatedAt: now - 30_000,
    };
    await storage.jobs.put(job);
    const credentials = await tokens.issue(job, mapping);
    if (!credentials.progressToken) throw new Error('no progress token minted');
    out.push(credentials.progressToken);
  }
  return out;
}
