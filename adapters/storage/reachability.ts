import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { StorageTarget } from './create-storage.js';

/** How long a start-up check waits for a server to answer. */
export const REACH_TIMEOUT_MS = 3_000;

/** The store as an operator knows it, without any password: "PostgreSQL at postgres://app@db:5432/app". */
export function describeStorageTarget(target: StorageTarget): string {
  switch (target.kind) {
    case 'sqlite':
      return `SQLite file ${target.file}`;
    case 'postgres':
      return `PostgreSQL at ${withoutPassword(target.url)}`;
    case 'lowdb':
      return `JSON file ${target.file}`;
    case 'unstorage': {
      const t = target.target;
      if (t.driver === 'redis') return `redis at ${withoutPassword(t.url)}`;
      if (t.driver === 'fs') return `directory ${t.base}`;
      return 'in-memory store';
    }
  }
}

/** The kind of store alone (for public answers): "PostgreSQL", "SQLite", "redis", … */
export function storageKindLabel(target: StorageTarget): string {
  if (target.kind === 'sqlite') return 'SQLite';
  if (target.kind === 'postgres') return 'PostgreSQL';
  if (target.kind === 'lowdb') return 'JSON file';
  return target.target.driver === 'redis' ? 'redis' : target.target.driver === 'fs' ? 'file system' : 'memory';
}

/**
 * Checks that the store can be used before it is opened: the directory of a file store can be
 * written, a server answers a round trip within `timeoutMs`. Rejects with the reason (an
 * Error whose message names no password); opening is left to `createStorage`.
 */
export async function checkStorageReachable(target: StorageTarget, timeoutMs = REACH_TIMEOUT_MS): Promise<void> {
  switch (target.kind) {
    case 'sqlite':
    case 'lowdb':
      checkWritableDirectory(dirname(target.file));
      return;
    case 'postgres':
      return pingPostgres(target.url, timeoutMs);
    case 'unstorage':
      if (target.target.driver === 'redis') return pingRedis(target.target.url, timeoutMs);
      if (target.target.driver === 'fs') checkWritableDirectory(target.target.base);
      return;
  }
}

/**
 * Throws unless `dir` is a directory this process can create files in (a read-only mount, a
 * missing permission, an immutable directory or a file in its place all fail). A directory that
 * does not exist yet passes when its nearest existing parent can be written (it is created on
 * first use). The message names the directory and the reason.
 */
export function checkWritableDirectory(dir: string, label = 'directory'): void {
  const path = resolve(dir);
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const fail = (reason: string) => {
    throw new Error(`${label} ${path} cannot be written: ${reason}`);
  };
  try {
    if (!statSync(existing).isDirectory()) fail(`${existing} is not a directory`);
    accessSync(existing, constants.W_OK);
    // access() trusts permission bits; a read-only mount or an immutable directory shows only on a write.
    rmSync(mkdtempSync(join(existing, '.write-check-')), { recursive: true, force: true });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(label)) throw error;
    fail(reasonOf(error));
  }
}

/** pg and ioredis are loaded here, by the check of a store that needs them: a start on SQLite loads neither. */
async function pingPostgres(url: string, timeoutMs: number): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(reasonOf(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pingRedis(url: string, timeoutMs: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED, a DNS failure) says more than "Connection is closed.".
  let connectionError: unknown;
  client.on('error', (error) => {
    connectionError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(reasonOf(connectionError ?? error));
  } finally {
    client.disconnect();
  }
}

/** An error's code and message, without the URL it may quote (pg and ioredis quote host and port only). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || (error as AggregateError).errors?.map((e: Error) => e.message).join('; ') || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    url.search = '';
    return url.toString();
  } catch {
    return `${value.split(':')[0]}://…`;
  }
}
