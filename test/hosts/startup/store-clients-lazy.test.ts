/**
 * A store's client library loads only when the store needs it: a server on the embedded
 * SQLite file resolves neither pg nor ioredis (the start-up check of the store and the login
 * throttle had imported both at start: ~150 ms of a start's CPU).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeServer, modulesResolver } from './resolved-modules.js';

const resolvedBy = modulesResolver('lazy-clients');
const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-lazy-clients-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const CLIENTS = /\/node_modules\/(pg|ioredis)\//;

describe('store clients are loaded only for the store that needs them', () => {
  it('a server on SQLite never loads pg or ioredis', { timeout: 180_000 }, () => {
    const run = resolvedBy(
      'sqlite',
      composeServer({ STORAGE_URL: `sqlite:${join(dataDir, 'store.db')}`, DATA_DIR: dataDir }, ''),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.loaded.some((url) => url.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(run.loaded.filter((url) => CLIENTS.test(url))).toEqual([]);
  });
});
