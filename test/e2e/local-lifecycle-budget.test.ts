import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asFunction, asValue } from 'awilix';
import { toNodeHandler } from 'h3/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../adapters/forge/local/local-forge.adapter.js';
import { createLocalRunner, reportExits } from '../../adapters/runners/local/local.runner.js';
import type { Job } from '../../core/domain/model.js';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../hosts/container.js';
import { createLogger, secretValues } from '../../hosts/logger.js';
import { TARGET_FILES } from '../session/session-fixture.js';

/**
 * Issue 17 end to end on this machine (as local-lifecycle.test.ts: embedded tracker, local
 * forge, local runner starting the real session runtime as a child process): an agent that
 * keeps spending — the fake speaks Claude Code's real stream-json usage fields — is stopped at
 * the mapping's `maxCostUsd`, by the session itself when it can price the model, and by the
 * orchestrator's check of the progress reports when it cannot.
 */

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const FAKE_AGENT = fileURLToPath(new URL('../fakes/agent/fake-agent.mjs', import.meta.url));
const AGENT_COMMAND = [process.execPath, FAKE_AGENT, '-p', '{prompt}', '--model', '{model}', '--max-turns', '{maxTurns}'];
const ACCESS_CODE = 'e2e access code, long enough';
const RUNNER_SECRET = 'e2e-runner-token-secret-0123456789';
/** Input tokens per turn: at Sonnet's price a turn costs $0.06975 (see the fake agent). */
const PER_TURN = 10_000;
const TURN_USD = (PER_TURN * 3 + (PER_TURN / 5) * 15 + PER_TURN * 2 * 0.3 + (PER_TURN / 10) * 3.75) / 1e6;

interface World {
  orchestrator: Orchestrator;
  logs: string[];
  dataDir: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }>;
}

let world: World | undefined;
let server: Server | undefined;
afterEach(async () => {
  await world?.orchestrator.dispose();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (world) await rm(world.dataDir, { recursive: true, force: true });
  world = undefined;
  server = undefined;
});

async function startWorld(model: string, env: Record<string, string> = {}): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ai-implement-e2e-budget-'));
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    RUNNER_TOKEN_SECRET: RUNNER_SECRET,
    RUNNER_MODE: 'local',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    STORAGE_URL: 'memory:',
    POLL_INTERVAL_MS: '1000',
    ...env,
  })._unsafeUnwrap();
  await mkdir(join(dataDir, 'agent-log'));
  const settings = {
    AI_IMPLEMENT_AGENT_COMMAND: JSON.stringify(AGENT_COMMAND),
    AI_IMPLEMENT_WORKSPACE_DIR: join(dataDir, 'workspaces'),
    AI_IMPLEMENT_SANDBOX_READ_ONLY: dirname(FAKE_AGENT),
    AI_IMPLEMENT_SANDBOX_READ_WRITE: join(dataDir, 'agent-log'),
  };
  const logs: string[] = [];
  let orchestrator: Orchestrator | undefined;
  orchestrator = await createOrchestrator(config, {
    logger: asValue(createLogger({ secrets: secretValues(config), write: (line) => logs.push(line) })),
    localRunner: asFunction(() =>
      createLocalRunner({
        command: [
          'env',
          ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
          process.execPath,
          '--import',
          'tsx',
          'hosts/cli/main.ts',
          'session',
        ],
        cwd: CHECKOUT,
        killGraceMs: 1000,
        onExit: reportExits((jobId, seen) => orchestrator?.cradle.runWatcher.report(jobId, seen)),
      }),
    )
      .singleton()
      .disposer((runner) => runner.close()),
  });
  handler = toNodeHandler(orchestrator.app);

  // The repository's WORKFLOW.md names the model the agent runs (and reports on every message).
  const forge = createLocalForge({ root: localForgeRoot(dataDir) });
  const workflow = `---\nmodel: ${model}\n---\nImplement {{ issue.identifier }}: {{ issue.title }}\n`;
  (
    await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', { ...TARGET_FILES, 'WORKFLOW.md': workflow })
  )._unsafeUnwrap();
  await forge.close();

  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await orchestrator!.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const admin = (await request('POST', '/api/auth', { code: ACCESS_CODE })).body.token as string;
  orchestrator.start();
  world = { orchestrator, logs, dataDir, call: (method, path, body) => request(method, path, body, admin) };
  return world;
}

async function runawayIssue(w: World, maxCostUsd: number): Promise<string> {
  const saved = await w.call('POST', '/api/mappings', {
    teamKey: 'LOC',
    ticketing: 'local',
    forge: 'local',
    owner: 'acme',
    repo: 'app',
    defaultBranch: 'main',
    planningEnabled: false,
    maxTurns: 10_000,
    maxCostUsd,
    extraEnv: { FAKE_AGENT_MODE: 'spend', FAKE_AGENT_TOKENS_PER_TURN: String(PER_TURN) },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const created = await w.call('POST', '/api/tracker/issues', {
    teamKey: 'LOC',
    title: 'Spend without end',
    labels: ['AI-Implement'],
  });
  expect(created.status).toBe(201);
  return created.body.issue.id as string;
}

async function settled(w: World, issueId: string, timeoutMs = 90_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await w.orchestrator.cradle.storage.jobs.list()).find((j) => j.issueId === issueId);
    if (job && ['completed', 'failed', 'timed_out', 'review_failed'].includes(job.status)) return job;
    if (Date.now() > until) {
      const tail = job ? w.orchestrator.cradle.localRunner.outputTail(job.id) : '';
      throw new Error(`the run did not end: ${JSON.stringify(job)}\n${tail}\n${w.logs.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('end to end: a runaway agent is stopped at the run budget', () => {
  it('the session stops its agent at maxCostUsd and the run fails with "Reached budget ($X.XX)"', {
    timeout: 150_000,
  }, async () => {
    const w = await startWorld('claude-sonnet-4-5');
    const issueId = await runawayIssue(w, 0.5);
    const job = await settled(w, issueId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^Reached budget \(\$0\.\d\d\)$/);

    // Once the result landed: the run's total, stopped by its budget, a turn or two past the cap at most.
    const until = Date.now() + 15_000;
    let usage = await w.orchestrator.cradle.storage.usage.get(job.id);
    while (!usage?.final && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      usage = await w.orchestrator.cradle.storage.usage.get(job.id);
    }
    expect(usage).toMatchObject({ final: true, stoppedByBudget: true, model: 'claude-sonnet-4-5' });
    expect(usage!.costUsd).toBeGreaterThanOrEqual(0.5);
    expect(usage!.costUsd).toBeLessThan(0.5 + 3 * TURN_USD);
    expect(job.error).toBe(`Reached budget ($${usage!.costUsd!.toFixed(2)})`);

    const summary = await w.call('GET', '/api/usage');
    expect(summary.body.stoppedByBudget.map((r: { jobId: string }) => r.jobId)).toEqual([job.id]);
    const detail = await w.call('GET', `/api/v1/${job.identifier}`);
    expect(detail.body.attempts[0].usage).toMatchObject({ stoppedByBudget: true, final: true });
  });

  it('the orchestrator aborts a run whose reports crossed maxCostUsd when the session cannot price its model', {
    timeout: 150_000,
  }, async () => {
    // The session has no price for this model; the orchestrator's overlay-able table has.
    const w = await startWorld('claude-in-house-1', {
      MODEL_PRICES: JSON.stringify({ 'claude-in-house-1': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } }),
    });
    const issueId = await runawayIssue(w, 0.5);
    const job = await settled(w, issueId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^Reached budget \(\$\d+\.\d\d\)$/);
    const usage = await w.orchestrator.cradle.storage.usage.get(job.id);
    expect(usage?.stoppedByBudget).toBe(true);
    expect(usage!.costUsd).toBeGreaterThanOrEqual(0.5);
    // The session's process is gone (destroyed) soon after: the local runner lists no session for it.
    const until = Date.now() + 10_000;
    for (;;) {
      const sessions = (await w.orchestrator.cradle.localRunner.listSessions())._unsafeUnwrap();
      if (!sessions.some((s) => s.jobId === job.id)) break;
      if (Date.now() > until) throw new Error('the session was not destroyed');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
