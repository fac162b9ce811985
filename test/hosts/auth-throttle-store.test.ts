import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AuthThrottle, createAuthThrottle, type ThrottleStore, throttleStoreFor } from '../../hosts/http/auth-throttle.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres-database.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('throttleStoreFor', () => {
  it('shares the counters where replicas share the store, and keeps them in memory otherwise', () => {
    expect(throttleStoreFor({ dataDir: '/d' })).toEqual({ kind: 'memory' });
    expect(throttleStoreFor({ dataDir: '/d', storageUrl: 'memory:' })).toEqual({ kind: 'memory' });
    expect(throttleStoreFor({ dataDir: '/d', storageUrl: 'sqlite:/d/x.db' })).toEqual({ kind: 'memory' });
    expect(throttleStoreFor({ dataDir: '/d', storageUrl: 'redis://h:6379/0' })).toEqual({
      kind: 'redis',
      url: 'redis://h:6379/0',
    });
    expect(throttleStoreFor({ dataDir: '/d', storageUrl: 'postgres://u@h/db' })).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
  });
});

/** Two replicas' throttles on one store: wrong codes sent to either count together. */
function sharedLockout(open: () => ThrottleStore) {
  let a: AuthThrottle;
  let b: AuthThrottle;
  beforeAll(async () => {
    a = createAuthThrottle({ logger: quiet, store: open() });
    b = createAuthThrottle({ logger: quiet, store: open() });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('a client locked out on one replica is locked out on the other; another client is not', async () => {
    const client = `203.0.113.${Math.floor(Math.random() * 200)}`;
    for (const throttle of [a, b, a, b]) expect(await throttle.failed(client)).toBeUndefined();
    expect(await b.lockedFor(client)).toBeUndefined();
    expect(await a.failed(client)).toBeUndefined(); // the fifth: the lockout starts
    const waitA = await a.lockedFor(client);
    const waitB = await b.lockedFor(client);
    expect(waitA).toBeGreaterThan(55_000);
    expect(waitB).toBeGreaterThan(55_000);
    expect(await b.failed(client)).toBeGreaterThan(55_000);
    expect(await a.lockedFor('198.51.100.2')).toBeUndefined();
  });
}

describe('on redis', () => {
  const url = inject('redisUrl');
  const keyPrefix = `test-${randomUUID()}`;
  sharedLockout(() => ({ kind: 'redis', url, keyPrefix }));
});

describe('on PostgreSQL', () => {
  let db: TestDatabase;
  let scoped: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    scoped = await db.schema();
  });
  afterAll(async () => {
    await db?.drop();
  });
  sharedLockout(() => ({ kind: 'postgres', url: scoped.url }));
});
