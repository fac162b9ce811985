/**
 * bench/usage — what usage accounting (issue 17) costs `/runner/progress`: a real server
 * process (`hosts/cli/main.ts serve`, shadow mode, SQLite) with 20 running jobs, hit by 16
 * concurrent clients with the same step report, once without usage in the body and once with
 * the run's usage so far (growing each request, so every report is stored, priced by model and
 * checked against the mapping's maxCostUsd, maxTokens and dailyBudgetUsd, none of which is
 * reached). The two alternate, best of 3 × 3 s each; printed: req/s, p50 and p99 of each, the
 * throughput ratio (with ÷ without) and the CPU per request of each.
 *
 *   npm run bench:usage
 *   BENCH_LOAD_MS=5000 BENCH_CONCURRENCY=32 npm run bench:usage
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { adminClient } from '../lib/admin.js';
import { closedLoop, type LoadResult, type Target } from '../lib/load.js';
import { runningJobsWithTokens, SEED_TEAM } from '../lib/seed.js';
import { freePort, RUNNER_SECRET, sleep, spawnOrchestrator } from '../lib/server.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LOAD_MS = Number(process.env.BENCH_LOAD_MS ?? 3000);
const REPEATS = 3;
const LIVE_JOBS = 20;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-bench-usage-'));
  const storage = await createStorage({ dataDir: dir });
  const tokens = await runningJobsWithTokens(storage, LIVE_JOBS, RUNNER_SECRET);
  await storage.close();
  const port = await freePort();
  const server = await spawnOrchestrator({
    port,
    dataDir: dir,
    logFile: join(dir, 'server.log'),
    extraEnv: { POLL_INTERVAL_MS: '30000' },
  });
  try {
    await sleep(1000);
    const admin = await adminClient(server.url);
    // Budgets set but far away: every report takes the whole path (price, store, run and daily checks).
    const saved = await admin.call('POST', '/api/mappings', {
      teamKey: SEED_TEAM,
      ticketing: 'local',
      owner: 'acme',
      repo: 'app',
      defaultBranch: 'main',
      maxInProgressAiIssues: 100,
      maxCostUsd: 1_000_000,
      maxTokens: 1_000_000_000_000,
      dailyBudgetUsd: 1_000_000_000,
    });
    if (saved.status !== 200) throw new Error(`POST /api/mappings: ${saved.status} ${JSON.stringify(saved.body)}`);

    const step = {
      id: 'bench-step',
      type: 'command',
      status: 'running',
      started_at: new Date().toISOString(),
      output: 'npm test',
    };
    const bare = JSON.stringify({ step });
    const auth = (n: number) => ({ authorization: `Bearer ${tokens[n % tokens.length]}` });
    const without: Target = {
      port,
      path: '/runner/progress',
      method: 'POST',
      request: (n) => ({ body: bare, headers: auth(n) }),
    };
    const withUsage: Target = {
      port,
      path: '/runner/progress',
      method: 'POST',
      request: (n) => ({
        body: JSON.stringify({
          step,
          usage: {
            inputTokens: 1000 + n,
            outputTokens: 200 + n,
            cacheReadTokens: 5000 + n,
            cacheCreationTokens: 100,
            turns: 1 + Math.floor(n / 10),
            model: 'claude-sonnet-4-5-20250929',
          },
        }),
        headers: auth(n),
      }),
    };
    await closedLoop(without, CONCURRENCY, 1000);
    await closedLoop(withUsage, CONCURRENCY, 1000);
    const runs: Record<'without' | 'with', LoadResult[]> = { without: [], with: [] };
    const cpu = { without: 0, with: 0 };
    for (let i = 0; i < REPEATS; i++) {
      for (const [name, target] of [
        ['without', without],
        ['with', withUsage],
      ] as const) {
        const before = server.cpuMs();
        const result = await closedLoop(target, CONCURRENCY, LOAD_MS);
        cpu[name] += (server.cpuMs() - before) / Math.max(1, result.requests);
        runs[name].push(result);
      }
    }
    const best = (list: LoadResult[]) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
    const a = best(runs.without);
    const b = best(runs.with);
    const bad = [...runs.without, ...runs.with].reduce((n, r) => n + r.errors, 0);
    const row = (name: string, r: LoadResult, cpuMs: number) =>
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${(cpuMs / REPEATS).toFixed(3).padStart(10)}`;
    console.log(
      `/runner/progress on SQLite, ${LIVE_JOBS} running jobs, ${CONCURRENCY} clients, best of ${REPEATS} × ${LOAD_MS} ms`,
    );
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on the machine skews both)`,
    );
    console.log(
      `${''.padEnd(22)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cpu ms/req'.padStart(10)}`,
    );
    console.log(row('step only', a, cpu.without));
    console.log(row('step + usage', b, cpu.with));
    console.log(
      `overhead of usage accounting: throughput ratio (with ÷ without) ${(b.rps / a.rps).toFixed(2)}, p99 ratio ${(b.p99 / a.p99).toFixed(2)}, CPU per request ratio ${(cpu.with / cpu.without).toFixed(2)}`,
    );
    if (bad > 0) console.log(`WARNING: ${bad} errors or non-2xx answers during the load`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
