import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../../hosts/container.js';
import { createLogger } from '../../../hosts/logger.js';
import { freePort } from '../../setup/free-port.js';
import { startPostgres } from '../../setup/postgres-server.js';
import { startRedis } from '../../setup/redis-server.js';
import { ACCESS_CODE } from '../harness.js';

/**
 * Issue 12 item 4 on the replica stores: a PostgreSQL or redis that goes down mid-run (this
 * test's own server instance, stopped) makes storage requests answer 503 within a second, the
 * log says so once, and nothing floods stderr.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function orchestratorOn(storageUrl: string): Promise<{ o: Orchestrator; logs: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-outage-'));
  const logs: string[] = [];
  const config = loadConfig({ ADMIN_ACCESS_CODE: ACCESS_CODE, DATA_DIR: dataDir, STORAGE_URL: storageUrl })._unsafeUnwrap();
  const o = await createOrchestrator(config, {
    logger: asValue(createLogger({ secrets: [ACCESS_CODE], write: (line) => logs.push(line) })),
  });
  cleanups.push(async () => {
    await o.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { o, logs };
}

const login = (o: Orchestrator) =>
  o.request('/api/auth', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: ACCESS_CODE }),
  });

async function timed(call: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await call();
  return { res, ms: performance.now() - started };
}

async function expectUnavailableFast(o: Orchestrator, token: string): Promise<void> {
  // (Logging in needs no storage once the token key is loaded: it keeps answering.)
  for (const call of [
    () => o.request('/api/log', { headers: { authorization: `Bearer ${token}` } }),
    () => o.request('/api/mappings', { headers: { authorization: `Bearer ${token}` } }),
    () =>
      o.request('/api/mappings', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ teamKey: 'ENG', owner: 'a', repo: 'b', defaultBranch: 'main' }),
      }),
  ]) {
    const { res, ms } = await timed(call);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'Storage unavailable' });
    expect(ms).toBeLessThan(1_000);
  }
  const ready = await o.request('/readyz');
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { reasons: string[] }).reasons[0]).toMatch(/^storage unavailable/);
  expect((await o.request('/healthz')).status).toBe(200);
}

describe('storage going down mid-run', () => {
  it('PostgreSQL: 503 Storage unavailable within a second, one log line', async () => {
    const pg = await startPostgres();
    let stopped = false;
    cleanups.push(() => {
      if (!stopped) pg.stop();
    });
    const { o, logs } = await orchestratorOn(pg.url);
    const res = await login(o);
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };

    pg.stop();
    stopped = true;
    await expectUnavailableFast(o, token);
    await expectUnavailableFast(o, token);
    const lines = logs.filter((l) => l.includes('"storage unavailable"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      store: expect.stringMatching(/^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/),
    });
  });

  it('redis: 503 within a second, one log line, no unhandled ioredis errors, and back when it returns', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    cleanups.push(() => redis.stop());
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { o, logs } = await orchestratorOn(redis.url);
    const res = await login(o);
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };

    redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    await expectUnavailableFast(o, token);
    // Reconnect attempts go on in the background: none of them is printed or logged.
    await new Promise((r) => setTimeout(r, 1_500));
    await expectUnavailableFast(o, token);
    expect(printed).not.toHaveBeenCalled();
    expect(logs.filter((l) => l.includes('"storage unavailable"'))).toHaveLength(1);

    redis = await startRedis(port);
    // The restarted redis starts empty (no persistence here): the admin session went with it.
    let current = token;
    const list = () => o.request('/api/mappings', { headers: { authorization: `Bearer ${current}` } });
    await vi.waitFor(
      async () => {
        const again = await login(o);
        expect(again.status).toBe(200);
        current = ((await again.json()) as { token: string }).token;
        expect((await list()).status).toBe(200);
      },
      { timeout: 5_000, interval: 200 },
    );
    // Said once it has answered for RECOVERY_QUIET_MS without a failure.
    await vi.waitFor(
      async () => {
        expect((await list()).status).toBe(200);
        expect(logs.filter((l) => l.includes('"storage available again"'))).toHaveLength(1);
      },
      { timeout: 15_000, interval: 500 },
    );
    expect(logs.filter((l) => l.includes('"storage unavailable"'))).toHaveLength(1);
  });
});
