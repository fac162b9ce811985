import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createStorage, parseStorageUrl } from '../../../adapters/storage/create-storage.js';
import type { Storage } from '../../../ports/storage.port.js';
import { tempDir } from './temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

describe('createStorage', () => {
  it('without STORAGE_URL keeps one JSON file under DATA_DIR, creating the directory', async () => {
    const dir = join(await dataDir(), 'nested', 'data');
    const storage = await open({ dataDir: dir });
    await storage.setSetting('runnerMode', 'shadow');
    const file = JSON.parse(await readFile(join(dir, 'ai-implement.json'), 'utf8'));
    expect(file.settings).toEqual({ runnerMode: 'shadow' });
    expect(await filesUnder(dir)).toEqual(['ai-implement.json']);
  });

  it.each(['memory:', 'memory://'])('%s keeps everything in memory and writes nothing to DATA_DIR', async (storageUrl) => {
    const dir = await dataDir();
    const storage = await open({ dataDir: dir, storageUrl });
    await storage.setSetting('runnerMode', 'shadow');
    expect(await storage.getSetting('runnerMode')).toBe('shadow');
    expect(await filesUnder(dir)).toEqual([]);
    await storage.close();
    const fresh = await open({ dataDir: dir, storageUrl });
    expect(await fresh.getSetting('runnerMode')).toBeUndefined();
  });

  it.each(['fs://', 'file://'])('%s<path> keeps one file per item under that path', async (scheme) => {
    const base = join(await dataDir(), 'store');
    const storage = await open({ dataDir: await dataDir(), storageUrl: `${scheme}${base}` });
    await storage.setSetting('runnerMode', 'shadow');
    expect(existsSync(join(base, 'settings', 'runnerMode'))).toBe(true);
    await storage.close();
    const again = await open({ dataDir: await dataDir(), storageUrl: `${scheme}${base}` });
    expect(await again.getSetting('runnerMode')).toBe('shadow');
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
    await storage.setSetting('runnerMode', 'shadow');
    expect(await redis.keys('*')).toEqual(['ai-implement:settings:runnerMode']);
    expect(await storage.getSetting('runnerMode')).toBe('shadow');
  });

  it('refuses another scheme, naming STORAGE_URL and the scheme but never the password', async () => {
    const attempt = createStorage({ dataDir: await dataDir(), storageUrl: 'postgres://admin:s3cret-pass@db.internal:5432/ai' });
    await expect(attempt).rejects.toThrow(/^STORAGE_URL has an unsupported scheme "postgres:"/);
    await attempt.catch((error: Error) => expect(error.message).not.toContain('s3cret'));
  });

  it('refuses a value without a scheme, and fs:// without a path, naming STORAGE_URL', () => {
    expect(() => parseStorageUrl('s3cret-pass@localhost')).toThrow(/^STORAGE_URL must start with a scheme/);
    expect(() => parseStorageUrl('s3cret-pass@localhost')).not.toThrow(/s3cret/);
    expect(() => parseStorageUrl('fs://')).toThrow(/^STORAGE_URL fs:\/\/ needs a directory path/);
  });

  it('reads the scheme case-insensitively and passes redis URLs through whole', () => {
    expect(parseStorageUrl('MEMORY:')).toEqual({ driver: 'memory' });
    expect(parseStorageUrl('rediss://:pw@cache.internal:6380/2')).toEqual({
      driver: 'redis',
      url: 'rediss://:pw@cache.internal:6380/2',
    });
    expect(parseStorageUrl('file:///var/lib/ai')).toEqual({ driver: 'fs', base: '/var/lib/ai' });
  });
});
