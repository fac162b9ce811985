import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import { RECOVERY_QUIET_MS } from '../../../adapters/storage/storage-availability.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type Harness, startHarness } from '../harness.js';
import { SHADOW } from '../v1/v1-helpers.js';
import { failingStorage } from './failing-storage.js';

let h: Harness | undefined;
let real: Storage | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  await real?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = real = dir = undefined;
});

const POLL_MS = 60_000;

async function readyz(harness: Harness) {
  const res = await harness.call('GET', '/readyz');
  return { status: res.status, body: (await res.json()) as { status: string; reasons: string[] } };
}

describe('GET /readyz (and /healthz stays liveness)', () => {
  it('is ready once a cycle has completed, and not once the last one is older than 3 poll intervals', async () => {
    h = await startHarness('memory', { ...SHADOW, POLL_INTERVAL_MS: String(POLL_MS) });
    const before = await readyz(h);
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({
      status: 'not ready',
      reasons: ['the reconcile loop is not running'],
    });

    h.orchestrator.start();
    const harness = h;
    await vi.waitFor(() => expect(harness.orchestrator.cradle.reconcile.snapshot().completedAt).toBeDefined());
    const ready = await readyz(h);
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', reasons: [], storage: { available: true, store: 'memory' } },
    });

    h.clock.advance(3 * POLL_MS);
    expect((await readyz(h)).status).toBe(200);
    h.clock.advance(1_000);
    const stale = await readyz(h);
    expect(stale.status).toBe(503);
    expect(stale.body.reasons).toEqual(['the last reconcile cycle completed 181 s ago (limit: 3 poll intervals, 180 s)']);
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });

  it('counts from the start while no cycle has completed', async () => {
    h = await startHarness('memory', { ...SHADOW, POLL_INTERVAL_MS: String(POLL_MS) });
    // As if the first cycle never ended (a hung tracker): no completion is known.
    vi.spyOn(h.orchestrator.cradle.reconcile, 'snapshot').mockReturnValue({ mappings: new Map() });
    h.orchestrator.start();
    expect((await readyz(h)).status).toBe(200);
    h.clock.advance(3 * POLL_MS + 1_000);
    expect((await readyz(h)).body.reasons).toEqual([
      'no reconcile cycle has completed since the start 181 s ago (limit: 3 poll intervals, 180 s)',
    ]);
  });

  it('answers 503 with the reason while storage is unreachable, 200 again once it answers; /healthz stays 200', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ai-implement-readyz-'));
    real = await createStorage({ dataDir: dir });
    const store = failingStorage(real);
    h = await startHarness('sqlite', SHADOW, { storage: asValue(store.storage) });
    h.orchestrator.start();
    const harness = h;
    await vi.waitFor(() => expect(harness.orchestrator.cradle.reconcile.snapshot().completedAt).toBeDefined());
    expect((await readyz(h)).status).toBe(200);

    store.down = true;
    const down = await readyz(h);
    expect(down.status).toBe(503);
    expect(down.body.reasons).toEqual(['storage unavailable (embedded): storage settings.get failed: connect ECONNREFUSED']);
    expect(down.body).toMatchObject({ storage: { available: false } });
    expect((await h.call('GET', '/healthz')).status).toBe(200);
    const login = await h.call('POST', '/api/auth', { body: { code: 'correct horse battery staple' } });
    expect(login.status).toBe(503);
    expect(await login.json()).toEqual({ error: 'Storage unavailable' });

    store.down = false;
    // Available again once it has not failed for RECOVERY_QUIET_MS (a full disk would otherwise flap).
    expect((await readyz(h)).status).toBe(503);
    h.clock.advance(RECOVERY_QUIET_MS);
    expect((await readyz(h)).status).toBe(200);
    // One line per change of state, however many requests failed in between.
    expect(h.logs.filter((l) => l.includes('"storage unavailable"'))).toHaveLength(1);
    expect(h.logs.filter((l) => l.includes('"storage available again"'))).toHaveLength(1);
  });

  it('is not ready once a shutdown has begun', async () => {
    h = await startHarness('memory', SHADOW);
    h.orchestrator.start();
    await h.orchestrator.stop();
    expect((await readyz(h)).body.reasons).toEqual(['shutting down']);
  });
});
