import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStorage, parseStorageUrl } from '../../../adapters/storage/create-storage.js';
import { type Storage, StorageError } from '../../../ports/storage.port.js';
import { job, legacyJsonStore } from '../../../testing/contracts/storage-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

async function dataDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

async function open(options: Parameters<typeof createStorage>[0]): Promise<Storage> {
  const storage = await createStorage(options);
  cleanups.push(() => storage.close());
  return storage;
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('createStorage', () => {
  it('without STORAGE_URL keeps one SQLite file under DATA_DIR, creating the directory', async () => {
    const dir = join(await dataDir(), 'nested', 'data');
    const storage = await open({ dataDir: dir });
    await storage.settings.set('runnerMode', 'shadow');
    await storage.close();
    expect((await filesUnder(dir)).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))).toEqual(['ai-implement.db']);
    const again = await open({ dataDir: dir });
    expect(await again.settings.get('runnerMode')).toBe('shadow');
  });

  it('sqlite:<file> keeps the SQLite store in that file', async () => {
    const file = join(await dataDir(), 'elsewhere', 'store.db');
    const storage = await open({ dataDir: await dataDir(), storageUrl: `sqlite:${file}` });
    await storage.jobs.put(job('job-1'));
    await storage.close();
    expect(existsSync(file)).toBe(true);
    expect(await (await open({ dataDir: await dataDir(), storageUrl: `sqlite://${file}` })).jobs.get('job-1')).toEqual(
      job('job-1'),
    );
  });

  it('lowdb: keeps one readable JSON file, DATA_DIR/ai-implement.json unless a path is given', async () => {
    const dir = await dataDir();
    const storage = await open({ dataDir: dir, storageUrl: 'lowdb:' });
    await storage.settings.set('runnerMode', 'shadow');
    const file = JSON.parse(await readFile(join(dir, 'ai-implement.json'), 'utf8'));
    expect(file.settings).toEqual({ runnerMode: 'shadow' });
    expect(await filesUnder(dir)).toEqual(['ai-implement.json']);

    const other = join(await dataDir(), 'my.json');
    const named = await open({ dataDir: dir, storageUrl: `lowdb:${other}` });
    await named.settings.set('a', 'b');
    expect(JSON.parse(await readFile(other, 'utf8')).settings).toEqual({ a: 'b' });
  });

  it.each(['memory:', 'memory://'])('%s keeps everything in memory and writes nothing to DATA_DIR', async (storageUrl) => {
    const dir = await dataDir();
    const storage = await open({ dataDir: dir, storageUrl });
    await storage.settings.set('runnerMode', 'shadow');
    expect(await storage.settings.get('runnerMode')).toBe('shadow');
    expect(await filesUnder(dir)).toEqual([]);
    await storage.close();
    const fresh = await open({ dataDir: dir, storageUrl });
    expect(await fresh.settings.get('runnerMode')).toBeUndefined();
  });

  it.each(['fs://', 'file://'])('%s<path> keeps one file per item under that path', async (scheme) => {
    const base = join(await dataDir(), 'store');
    const storage = await open({ dataDir: await dataDir(), storageUrl: `${scheme}${base}` });
    await storage.settings.set('runnerMode', 'shadow');
    expect(existsSync(join(base, 'settings', 'runnerMode'))).toBe(true);
    await storage.close();
    const again = await open({ dataDir: await dataDir(), storageUrl: `${scheme}${base}` });
    expect(await again.settings.get('runnerMode')).toBe('shadow');
  });

  it('redis://… keeps everything in that redis, database number included', async () => {
    // A database of its own, so the default key prefix meets nothing another test wrote.
    const url = `${inject('redisUrl')}/11`;
    const redis = new Redis(url);
    cleanups.push(async () => {
      await redis.flushdb();
      redis.disconnect();
    });
    await redis.flushdb();
    const storage = await open({ dataDir: await dataDir(), storageUrl: url });
    await storage.settings.set('runnerMode', 'shadow');
    expect(await redis.keys('*')).toEqual(['ai-implement:settings:runnerMode']);
    expect(await storage.settings.get('runnerMode')).toBe('shadow');
  });

  it.each(['postgres', 'postgresql'])('%s://… keeps everything in that PostgreSQL database', async (scheme) => {
    const schema = await database.schema();
    cleanups.push(schema.drop);
    const url = schema.url.replace(/^postgres:/, `${scheme}:`);
    const dir = await dataDir();
    const storage = await open({ dataDir: dir, storageUrl: url });
    await storage.jobs.put(job('job-1'));
    await storage.close();
    expect(await filesUnder(dir)).toEqual([]);
    expect(await (await open({ dataDir: dir, storageUrl: url })).jobs.get('job-1')).toEqual(job('job-1'));
  });

  it('reports an unreachable PostgreSQL as a StorageError that never shows the password', async () => {
    const url = `postgres://admin:s3cret-pass@127.0.0.1:${await closedPort()}/ai`;
    const attempt = createStorage({ dataDir: await dataDir(), storageUrl: url });
    await expect(attempt).rejects.toBeInstanceOf(StorageError);
    await attempt.catch((error: Error) => expect(error.message).not.toContain('s3cret'));
  });

  it('refuses another scheme, naming STORAGE_URL and the scheme but never the password', async () => {
    const attempt = createStorage({ dataDir: await dataDir(), storageUrl: 'mysql://admin:s3cret-pass@db.internal:3306/ai' });
    await expect(attempt).rejects.toThrow(/^STORAGE_URL has an unsupported scheme "mysql:"/);
    await attempt.catch((error: Error) => expect(error.message).not.toContain('s3cret'));
  });

  it('refuses a value without a scheme, and fs:// or sqlite: without a path, naming STORAGE_URL', () => {
    expect(() => parseStorageUrl('s3cret-pass@localhost')).toThrow(/^STORAGE_URL must start with a scheme/);
    expect(() => parseStorageUrl('s3cret-pass@localhost')).not.toThrow(/s3cret/);
    expect(() => parseStorageUrl('fs://')).toThrow(/^STORAGE_URL fs:\/\/ needs a directory path/);
    expect(() => parseStorageUrl('sqlite:')).toThrow(/^STORAGE_URL sqlite: needs a file path/);
  });

  it('refuses a server URL its client cannot parse, naming STORAGE_URL and never the password', () => {
    // pg threw "Invalid URL" as if the store were unreachable (retried for ever under STORAGE_WAIT=1);
    // ioredis fell back to localhost:6379 and printed the URL, password included, in a warning.
    for (const url of [
      'postgres://app:s3cret@db.internal:notaport/ai',
      'postgresql://app:s3c#ret@db.internal:5432/ai',
      'redis://:s3cret@cache.internal:notaport',
      'rediss://:s3c#ret@cache.internal:6380',
    ]) {
      expect(() => parseStorageUrl(url)).toThrow(
        /^STORAGE_URL is not a valid rediss?:\/\/ URL|^STORAGE_URL is not a valid postgres(ql)?:\/\/ URL/,
      );
      expect(() => parseStorageUrl(url)).not.toThrow(/s3c/);
    }
    // What pg itself accepts stays accepted: a space in a password, a socket URL without a host.
    expect(parseStorageUrl('postgres://app:s3 cret@db/ai')).toEqual({ kind: 'postgres', url: 'postgres://app:s3 cret@db/ai' });
    expect(parseStorageUrl('postgres://app:pw@/ai?host=/var/run/postgresql').kind).toBe('postgres');
  });

  it('reads the scheme case-insensitively and passes server URLs through whole', () => {
    expect(parseStorageUrl('MEMORY:')).toEqual({ kind: 'unstorage', target: { driver: 'memory' } });
    expect(parseStorageUrl('rediss://:pw@cache.internal:6380/2')).toEqual({
      kind: 'unstorage',
      target: { driver: 'redis', url: 'rediss://:pw@cache.internal:6380/2' },
    });
    expect(parseStorageUrl('file:///var/lib/ai')).toEqual({ kind: 'unstorage', target: { driver: 'fs', base: '/var/lib/ai' } });
    expect(parseStorageUrl('PostgreSQL://u:p@db/ai')).toEqual({ kind: 'postgres', url: 'PostgreSQL://u:p@db/ai' });
    expect(parseStorageUrl('sqlite:/var/lib/ai/x.db')).toEqual({ kind: 'sqlite', file: '/var/lib/ai/x.db' });
    expect(parseStorageUrl('lowdb:', '/data')).toEqual({ kind: 'lowdb', file: '/data/ai-implement.json' });
  });
});

describe('createStorage on upgrade from the JSON store', () => {
  it('imports DATA_DIR/ai-implement.json into a new SQLite store once, renames it, and says what it imported', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'ai-implement.json'), JSON.stringify(legacyJsonStore()));
    const messages: string[] = [];
    const storage = await open({ dataDir: dir, log: (m) => messages.push(m) });
    expect(messages).toEqual([
      expect.stringMatching(/imported .*ai-implement\.json \(2 mappings, 3 jobs, 1 dedup, 3 dispatchLog/),
    ]);
    expect(await filesUnder(dir)).toContain('ai-implement.json.imported');
    expect(existsSync(join(dir, 'ai-implement.json'))).toBe(false);
    expect((await storage.jobs.list()).map((j) => j.id)).toEqual(['job-2', 'job-1', 'job-3']);
    expect(await storage.settings.get('runnerMode')).toBe('shadow');
    await storage.close();

    const again = await open({ dataDir: dir, log: (m) => messages.push(m) });
    expect(messages).toHaveLength(1);
    expect(await again.jobs.count()).toBe(3);
  });

  it('refuses to start on a corrupt JSON store, changing nothing, and imports it once it is fixed', async () => {
    const dir = await dataDir();
    const file = join(dir, 'ai-implement.json');
    const broken = legacyJsonStore() as Record<string, unknown>;
    broken.dispatchLog = { not: 'a list' };
    await writeFile(file, JSON.stringify(broken));
    await expect(createStorage({ dataDir: dir })).rejects.toThrow(/cannot import .*dispatchLog is not a list/);
    await expect(createStorage({ dataDir: dir })).rejects.toBeInstanceOf(StorageError);
    expect(existsSync(file)).toBe(true);

    await writeFile(file, JSON.stringify(legacyJsonStore()));
    const storage = await open({ dataDir: dir });
    expect(await storage.jobs.count()).toBe(3);
  });

  it('leaves the JSON file alone when the SQL store already holds data, and says so', async () => {
    const dir = await dataDir();
    const first = await open({ dataDir: dir });
    await first.settings.set('runnerMode', 'fly');
    await first.close();
    await writeFile(join(dir, 'ai-implement.json'), JSON.stringify(legacyJsonStore()));
    const messages: string[] = [];
    const storage = await open({ dataDir: dir, log: (m) => messages.push(m) });
    expect(messages).toEqual([expect.stringMatching(/left as it is: the store already holds data/)]);
    expect(await storage.jobs.count()).toBe(0);
    expect(existsSync(join(dir, 'ai-implement.json'))).toBe(true);
  });

  it('imports DATA_DIR/ai-implement.json into a new PostgreSQL store too', async () => {
    const schema = await database.schema();
    cleanups.push(schema.drop);
    const dir = await dataDir();
    await writeFile(join(dir, 'ai-implement.json'), JSON.stringify(legacyJsonStore()));
    const storage = await open({ dataDir: dir, storageUrl: schema.url });
    expect(await storage.jobs.count()).toBe(3);
    expect(await storage.dispatchLog.list({ limit: 1 })).toEqual([legacyJsonStore().dispatchLog[0]]);
    expect(existsSync(join(dir, 'ai-implement.json.imported'))).toBe(true);
  });
});
