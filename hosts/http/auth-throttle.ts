import type { Pool } from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { parseStorageUrl } from '../../adapters/storage/create-storage.js';
import type { Logger } from '../../ports/logger.port.js';
import type { Config } from '../config.js';

/**
 * How `POST /api/auth` is throttled per client address: `failuresAllowed` wrong codes within
 * `windowSeconds` lock the client out; the first lockout lasts `firstLockoutSeconds`, each
 * further one (within `lockoutMemorySeconds` of the first) twice the last, up to
 * `longestLockoutSeconds`.
 */
export interface AuthThrottlePolicy {
  failuresAllowed: number;
  windowSeconds: number;
  firstLockoutSeconds: number;
  longestLockoutSeconds: number;
  lockoutMemorySeconds: number;
}

export const AUTH_THROTTLE_POLICY: AuthThrottlePolicy = {
  failuresAllowed: 5,
  windowSeconds: 60,
  firstLockoutSeconds: 60,
  longestLockoutSeconds: 60 * 60,
  lockoutMemorySeconds: 24 * 60 * 60,
};

export interface AuthThrottle {
  /** How long (ms) the client must still wait, or undefined when it may try a code. */
  lockedFor(client: string): Promise<number | undefined>;
  /**
   * Counts a wrong code; the last one allowed starts a lockout. Resolves undefined when the code
   * is answered as wrong, or how long (ms) to wait when the client was over its limit already
   * (its requests raced past `lockedFor`).
   */
  failed(client: string): Promise<number | undefined>;
  /** A right code: the client's failures are forgotten. */
  succeeded(client: string): Promise<void>;
  close(): Promise<void>;
}

/** Where the counters live: in this process, or in the store replicas share. */
export type ThrottleStore =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; keyPrefix?: string }
  | { kind: 'postgres'; url: string; tableName?: string };

/**
 * The store the counters belong in: replicas share a redis or PostgreSQL store, so their
 * lockouts must live there too; an embedded SQLite file, a lowdb file or memory belongs to
 * one process, whose memory is enough.
 */
export function throttleStoreFor(config: Pick<Config, 'storageUrl' | 'dataDir'>): ThrottleStore {
  if (!config.storageUrl) return { kind: 'memory' };
  const target = parseStorageUrl(config.storageUrl, config.dataDir);
  if (target.kind === 'postgres') return { kind: 'postgres', url: target.url };
  if (target.kind === 'unstorage' && target.target.driver === 'redis') return { kind: 'redis', url: target.target.url };
  return { kind: 'memory' };
}

interface Pair {
  failures: RateLimiterAbstract;
  lockouts: RateLimiterAbstract;
}

interface Limiters {
  /**
   * The two limiters, made at the first call: a shared store's client (ioredis, pg) is loaded
   * and connected at the first sign-in, not at start (PostgreSQL: its table made then too).
   */
  get(): Promise<Pair>;
  close(): Promise<void>;
}

function openLimiters(store: ThrottleStore, policy: AuthThrottlePolicy): Limiters {
  const failures = { points: policy.failuresAllowed, duration: policy.windowSeconds, keyPrefix: 'auth-failures' };
  // Enough points never to run out: only the count matters.
  const lockouts = { points: 1_000_000, duration: policy.lockoutMemorySeconds, keyPrefix: 'auth-lockouts' };
  if (store.kind === 'memory') {
    const pair = { failures: new RateLimiterMemory(failures), lockouts: new RateLimiterMemory(lockouts) };
    return { get: async () => pair, close: async () => {} };
  }
  // Should the shared store fail, each process counts in its own memory meanwhile.
  const insured = <T extends { points: number; duration: number; keyPrefix: string }>(options: T) => ({
    ...options,
    insuranceLimiter: new RateLimiterMemory(options),
  });
  let closeClient: (() => Promise<void>) | undefined;
  let opened: Promise<Pair> | undefined;
  const open = async (): Promise<Pair> => {
    if (store.kind === 'redis') {
      const { Redis } = await import('ioredis');
      // A command waits for the connection at most one retry; then the insurance answers.
      const redis = new Redis(store.url, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      closeClient = async () => redis.disconnect();
      const prefix = store.keyPrefix ?? 'ai-implement';
      const on = (options: typeof failures) =>
        new RateLimiterRedis(insured({ ...options, keyPrefix: `${prefix}:${options.keyPrefix}`, storeClient: redis }));
      return { failures: on(failures), lockouts: on(lockouts) };
    }
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: store.url, max: 2 });
    pool.on('error', () => undefined);
    closeClient = () => pool.end();
    const tableName = store.tableName ?? 'auth_throttle';
    // Replicas starting together would race rate-limiter-flexible's own CREATE TABLE IF NOT
    // EXISTS (PostgreSQL can fail one of two concurrent creates), leaving the loser counting
    // in memory: the table is created here once, under an advisory lock, with the library's
    // own columns. The store down: the insurance limiter counts until it is back.
    await createThrottleTable(pool, tableName).catch(() => undefined);
    const on = (options: typeof failures) =>
      new RateLimiterPostgres(
        insured({ ...options, storeClient: pool, storeType: 'pool', tableName, tableCreated: true, clearExpiredByTimeout: true }),
      );
    return { failures: on(failures), lockouts: on(lockouts) };
  };
  return {
    get: () => {
      opened ??= open();
      return opened;
    },
    close: async () => {
      await opened?.catch(() => undefined);
      await closeClient?.();
    },
  };
}

async function createThrottleTable(pool: Pool, tableName: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [tableName]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${tableName.replace(/"/g, '""')}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
    );
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [tableName]);
  } finally {
    client.release();
  }
}

/**
 * The login throttle (issue 12 item 6), on rate-limiter-flexible. Each lockout is one warning
 * line naming the client and how long it lasts; the codes tried are never logged.
 */
export function createAuthThrottle({
  logger,
  store,
  policy = AUTH_THROTTLE_POLICY,
  onLockout,
}: {
  logger: Logger;
  store: ThrottleStore;
  policy?: AuthThrottlePolicy;
  /** Told of each lockout as it starts (the security events); must not throw. */
  onLockout?: (client: string, seconds: number) => void;
}): AuthThrottle {
  const limiters = openLimiters(store, policy);

  return {
    async lockedFor(client) {
      const { failures } = await limiters.get();
      const counted = await failures.get(client);
      return counted && counted.consumedPoints >= policy.failuresAllowed ? Math.max(1, counted.msBeforeNext) : undefined;
    },

    async failed(client) {
      const { failures, lockouts } = await limiters.get();
      let counted: RateLimiterRes;
      try {
        counted = await failures.consume(client);
      } catch (refusal) {
        // Another request of this client took the last attempt first: it is locked out already.
        if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
        throw refusal;
      }
      if (counted.consumedPoints !== policy.failuresAllowed) return undefined;
      const lockout = (await lockouts.penalty(client, 1)).consumedPoints;
      const seconds = Math.min(policy.firstLockoutSeconds * 2 ** (lockout - 1), policy.longestLockoutSeconds);
      await failures.block(client, seconds);
      logger.warn('admin login locked out after repeated wrong access codes', {
        client,
        failures: counted.consumedPoints,
        lockout,
        retryAfterSeconds: seconds,
      });
      onLockout?.(client, seconds);
      return undefined;
    },

    async succeeded(client) {
      const { failures, lockouts } = await limiters.get();
      await Promise.all([failures.delete(client), lockouts.delete(client)]);
    },

    close: () => limiters.close(),
  };
}
