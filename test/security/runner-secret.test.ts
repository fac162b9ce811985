import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import { createHmacSigning } from '../../adapters/system/hmac-signer.adapter.js';
import { createRunTokensService } from '../../core/app/runs/run-tokens.service.js';
import type { Job, Mapping } from '../../core/domain/model.js';
import { loadConfig } from '../../hosts/config.js';
import type { Storage } from '../../ports/storage.port.js';
import { ACCESS_CODE, type Harness, startHarness } from '../hosts/harness.js';

/**
 * Issue 13: RUNNER_TOKEN_SECRET is required for every runner but shadow; without it no nonce
 * can be computed from the store; DATA_DIR is 0700 and the store file 0600.
 */

describe('RUNNER_TOKEN_SECRET is required for any runner other than shadow', () => {
  it.each(['local', 'gha', 'fly', 'default'])('refuses to start with RUNNER_MODE=%s and no RUNNER_TOKEN_SECRET', (mode) => {
    const error = loadConfig({ RUNNER_MODE: mode })._unsafeUnwrapErr();
    expect(error).toContain(`RUNNER_TOKEN_SECRET is required with RUNNER_MODE=${mode}`);
  });

  it('starts with RUNNER_MODE=shadow, with the secret, and on the embedded defaults (no RUNNER_MODE)', () => {
    expect(loadConfig({ RUNNER_MODE: 'shadow' }).isOk()).toBe(true);
    expect(loadConfig({ RUNNER_MODE: 'local', RUNNER_TOKEN_SECRET: 's' }).isOk()).toBe(true);
    expect(loadConfig({}).isOk()).toBe(true);
  });

  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('without the secret only shadow is registered, and the others say what is missing', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    const registry = h.orchestrator.cradle.runnerRegistry;
    expect(registry.kinds()).toEqual(['shadow']);
    expect(registry.describeMissing('local')).toContain('set RUNNER_TOKEN_SECRET');
  });

  it('with the secret the local runner is there', async () => {
    h = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: 'runner-secret-0123456789' });
    expect(h.orchestrator.cradle.runnerRegistry.kinds()).toContain('local');
  });
});

describe('the nonce key', () => {
  async function replicas(secret: string | undefined) {
    const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:' });
    const job = { id: 'job-1', phase: 'planning', status: 'running', dispatchedAt: Date.now() } as Job;
    const shared = { ...storage, jobs: { ...storage.jobs, get: async () => job } } as Storage;
    let n = 0;
    const make = () =>
      createRunTokensService({
        config: secret ? { runnerTokenSecret: secret } : {},
        storage: shared,
        clock: { now: () => Date.now() },
        ids: { newId: () => `id-${++n}`, randomToken: () => `random-${++n}-${Math.random()}` },
        signing: createHmacSigning(),
      });
    return { a: make(), b: make(), job };
  }

  it('without RUNNER_TOKEN_SECRET, another process holding the same store cannot compute or accept a nonce', async () => {
    const { a, b, job } = await replicas(undefined);
    const { nonce } = await a.issue(job, { maxJobMinutes: 10 } as Mapping);
    expect(await a.jobForNonce(nonce)).toBe(job);
    expect(await b.jobForNonce(nonce)).toBeUndefined();
  });

  it('with RUNNER_TOKEN_SECRET, replicas sharing the store accept each other’s nonces', async () => {
    const { a, b, job } = await replicas('runner-secret-0123456789');
    const { nonce } = await a.issue(job, { maxJobMinutes: 10 } as Mapping);
    expect(await b.jobForNonce(nonce)).toBe(job);
  });
});

describe('DATA_DIR and the store file are the orchestrator user’s alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'ai-implement-perms-'));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates DATA_DIR 0700 and the SQLite file (and its WAL) 0600', async () => {
    const dataDir = join(root, 'data');
    const storage = await createStorage({ dataDir });
    await storage.settings.set('runnerMode', 'shadow');
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'ai-implement.db'))).toBe(0o600);
    expect(mode(join(dataDir, 'ai-implement.db-wal'))).toBe(0o600);
    await storage.close();
  });

  it('tightens an existing DATA_DIR and store file of an earlier version', async () => {
    const dataDir = join(root, 'old');
    const first = await createStorage({ dataDir });
    await first.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'ai-implement.db'), 0o644);
    const again = await createStorage({ dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'ai-implement.db')).mode & 0o777).toBe(0o600);
    await again.close();
  });
});
