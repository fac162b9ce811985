import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../../../adapters/event-bus/in-process.adapter.js';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import { createSystemClock } from '../../../adapters/system/system-clock.adapter.js';
import { LOCAL_ISSUES } from '../../../adapters/ticketing/local/local-issue.js';
import { RECONCILE_LEASE } from '../../../core/app/dispatch/reconcile.service.js';
import { createMappingsService } from '../../../core/app/operations/mappings.service.js';

/**
 * Issue 12 item 8 / issue 14: SIGTERM stops starting new work at once and drains in-flight
 * requests, then exits 0 — played on a real `ai-implement serve` child process.
 */
const ACCESS_CODE = 'graceful-shutdown-access-code';
const BACKLOG = 1000;
let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  child = dataDir = undefined;
});

/** A local mapping with room for the whole backlog, and BACKLOG triggered issues, straight into the store. */
async function seedBacklog(dir: string): Promise<void> {
  const storage = await createStorage({ dataDir: dir });
  const clock = createSystemClock();
  const noTemplates = { get: async () => err({ kind: 'templateNotFound' as const }) };
  const mappings = createMappingsService({ storage, clock, eventBus: createInProcessEventBus(), promptTemplates: noTemplates });
  const saved = await mappings.save({
    teamKey: 'LOC',
    ticketing: 'local',
    owner: 'acme',
    repo: 'app',
    defaultBranch: 'main',
    maxInProgressAiIssues: BACKLOG,
  });
  if (saved.isErr()) throw new Error(saved.error.kind);
  // Written as the embedded tracker stores them (its create numbers issues one by one: slow for a thousand).
  const now = Date.now();
  for (let i = 1; i <= BACKLOG; i++) {
    const id = randomUUID();
    await storage.documents.put(LOCAL_ISSUES, id, {
      id,
      identifier: `LOC-${i}`,
      teamKey: 'LOC',
      title: `Backlog item ${i}`,
      description: '',
      priority: 0,
      createdAt: now + i,
      updatedAt: now + i,
      labels: ['AI-Implement'],
      stateType: 'unstarted',
      blockedBy: [],
      comments: [],
    });
  }
  await storage.close();
}

function startServer(dir: string): Promise<{ url: string; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'hosts/cli/main.ts', 'serve'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      POLL_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stdout?.on('data', (d) => (output += String(d)));
  proc.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 40_000);
    proc.stdout?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1].replace(/\/$/, ''), output: () => output, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

/**
 * A GET on a connection of its own: a busy server's event loop can stall past the keep-alive
 * timeout, and a pooled connection then races its own closing (ECONNRESET).
 */
function get(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A POST whose body arrives in two parts: in flight from the first byte until `finish()`. */
function slowPost(url: string, path: string, token: string, body: string) {
  const target = new URL(path, url);
  const req = httpRequest(target, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return {
    answer,
    finish: () => req.end(body.slice(half)),
  };
}

describe('SIGTERM on a busy server', () => {
  it('dispatches nothing new after the signal, lets an in-flight request finish, releases the lease and exits 0', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-shutdown-'));
    await seedBacklog(dataDir);
    const server = await startServer(dataDir);
    const login = await fetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: ACCESS_CODE }) });
    const { token } = (await login.json()) as { token: string };

    const slow = slowPost(
      server.url,
      '/api/mappings',
      token,
      JSON.stringify({ teamKey: 'LATE', ticketing: 'local', owner: 'acme', repo: 'late', defaultBranch: 'main' }),
    );
    // Wait until the backlog is being dispatched.
    for (;;) {
      const log = await get(`${server.url}/api/log`, token).catch((error) => {
        throw new Error(`the server stopped answering: ${server.output()}`, { cause: error });
      });
      const { entries } = JSON.parse(log) as { entries: unknown[] };
      if (entries.length >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const signalledAt = Date.now();
    child!.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    // No new connection is taken once the shutdown has begun…
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    // …but the request already in flight completes.
    slow.finish();
    expect(await slow.answer).toMatchObject({ status: 200 });
    expect(await server.exited).toBe(0);

    const storage = await createStorage({ dataDir });
    try {
      const jobs = await storage.jobs.list();
      expect(jobs.length).toBeGreaterThanOrEqual(5);
      expect(jobs.length).toBeLessThan(BACKLOG);
      // The dispatch in progress when the signal is handled may end (a loaded machine may take a
      // moment to handle it); none starts after it, where the backlog would go on for many seconds.
      const lastDispatch = Math.max(...jobs.map((j) => j.dispatchedAt));
      expect(lastDispatch - signalledAt).toBeLessThan(1_500);
      expect(await storage.mappings.get('LATE')).toBeDefined();
      expect(await storage.leases.current(RECONCILE_LEASE)).toBeUndefined();
    } finally {
      await storage.close();
    }
  }, 90_000);
});
