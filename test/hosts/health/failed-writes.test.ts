import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type Harness, STORAGE_KINDS, type StorageKind, startHarness } from '../harness.js';
import { SHADOW } from '../v1/v1-helpers.js';
import { type FailingStorage, failingStorage } from './failing-storage.js';

/** Issue 12 item 5: what the caller was told failed did not happen — on every store the harness runs. */
let h: Harness | undefined;
let real: Storage | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  await real?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = undefined;
  real = undefined;
  dir = undefined;
});

async function start(kind: StorageKind): Promise<{ h: Harness; disk: FailingStorage; token: string }> {
  dir = mkdtempSync(join(tmpdir(), 'ai-implement-full-'));
  real = await createStorage({ dataDir: dir, ...(kind === 'memory' ? { storageUrl: 'memory:' } : {}) });
  const disk = failingStorage(real);
  h = await startHarness(kind, SHADOW, { storage: asValue(disk.storage) });
  return { h, disk, token: await h.login() };
}

const MAPPING = { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' };

describe.each(STORAGE_KINDS)('with the disk full (%s)', (kind) => {
  it('a mapping create that answered an error is not listed once space is back', async () => {
    const { h, disk, token } = await start(kind);
    disk.full = true;
    const res = await h.call('POST', '/api/mappings', { token, body: MAPPING });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'Storage unavailable' });
    expect((await h.call('POST', '/api/mappings', { token, body: MAPPING })).status).toBe(503);
    // Said once for the change of state, not once per failed request.
    expect(h.logs.filter((l) => l.includes('"storage unavailable"'))).toHaveLength(1);
    disk.full = false;
    const listed = await h.call('GET', '/api/mappings', { token });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ mappings: [] });
    // And the same create, retried once the disk has room, is listed.
    expect((await h.call('POST', '/api/mappings', { token, body: MAPPING })).status).toBe(200);
    const after = (await (await h.call('GET', '/api/mappings', { token })).json()) as { mappings: { teamKey: string }[] };
    expect(after.mappings.map((m) => m.teamKey)).toEqual(['LOC']);
  });

  it('a label change whose recording failed never dispatches later', async () => {
    const { h, disk, token } = await start(kind);
    expect((await h.call('POST', '/api/mappings', { token, body: MAPPING })).status).toBe(200);
    const created = await h.call('POST', '/api/tracker/issues', { token, body: { teamKey: 'LOC', title: 'Add a button' } });
    expect(created.status).toBe(201);
    const { issue } = (await created.json()) as { issue: { identifier: string } };

    disk.full = true;
    const labelled = await h.call('POST', `/api/tracker/issues/${issue.identifier}/labels`, {
      token,
      body: { label: 'AI-Implement' },
    });
    expect(labelled.status).toBe(503);
    expect(await labelled.json()).toEqual({ error: 'Storage unavailable' });

    disk.full = false;
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toEqual([]);
    expect(await real!.jobs.list()).toEqual([]);
    const stored = await h.call('GET', `/api/tracker/issues/${issue.identifier}`, { token });
    expect(((await stored.json()) as { issue: { labels: string[] } }).issue.labels).toEqual([]);
  });
});
