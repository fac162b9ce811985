import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hosts/config.js';
import { createOrchestrator } from '../../../hosts/container.js';
import { createLogger } from '../../../hosts/logger.js';
import { freePort } from '../../setup/free-port.js';
import { startRedis } from '../../setup/redis-server.js';

/** Issue 12 item 4: a start that cannot use its store or DATA_DIR stops at once and says which and why. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-start-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function start(env: Record<string, string>, logs: string[] = []) {
  const config = loadConfig({ DATA_DIR: tempDir(), ...env })._unsafeUnwrap();
  return createOrchestrator(config, { logger: asValue(createLogger({ secrets: [], write: (l) => logs.push(l) })) }).then((o) => {
    cleanups.push(() => o.dispose());
    return o;
  });
}

/** A directory this process cannot write, even as root: immutable (chattr +i) when root, mode 0555 otherwise. */
function unwritableDir(): string {
  const dir = tempDir();
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    cleanups.push(() => chmodSync(dir, 0o755));
    return dir;
  }
  if (spawnSync('chattr', ['--help'], { stdio: 'ignore' }).error) {
    throw new Error('chattr (e2fsprogs) is required by this test when it runs as root, and was not found');
  }
  execFileSync('chattr', ['+i', dir]);
  cleanups.push(() => void execFileSync('chattr', ['-i', dir]));
  return dir;
}

describe('start-up checks', () => {
  it('an unreachable PostgreSQL stops the start quickly, naming the store without its password', async () => {
    const port = await freePort();
    const started = Date.now();
    const failure = await start({ STORAGE_URL: `postgres://app:s3cret-pass@127.0.0.1:${port}/ai` }).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain(`Storage PostgreSQL at postgres://app:***@127.0.0.1:${port}/ai cannot be reached: `);
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('STORAGE_WAIT=1');
    expect(message).not.toContain('s3cret-pass');
  });

  it('an unreachable redis stops the start, naming it', async () => {
    const port = await freePort();
    const failure = await start({ STORAGE_URL: `redis://127.0.0.1:${port}` }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(
      new RegExp(`^Storage redis at redis://127\\.0\\.0\\.1:${port}/? cannot be reached: .*ECONNREFUSED`),
    );
  });

  it('an unwritable DATA_DIR stops the start, naming the directory and the reason', async () => {
    const dir = unwritableDir();
    const failure = await start({ DATA_DIR: dir }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^DATA_DIR ${dir} cannot be written: (EPERM|EACCES|EROFS): (operation not permitted|permission denied|read-only file system)`,
      ),
    );
    // Whatever the store: DATA_DIR also holds the local forge's repositories.
    const withMemory = await start({ DATA_DIR: dir, STORAGE_URL: 'memory:' }).catch((e: Error) => e);
    expect((withMemory as Error).message).toMatch(/^DATA_DIR .* cannot be written/);
  });

  it('a DATA_DIR that is a file stops the start, saying so', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    const failure = await start({ DATA_DIR: file }).catch((e: Error) => e);
    expect((failure as Error).message).toBe(`DATA_DIR ${file} cannot be written: ${file} is not a directory`);
  });

  it('STORAGE_WAIT=1 waits for the store with one log line, and starts once it answers', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const starting = start({ STORAGE_URL: `redis://127.0.0.1:${port}`, STORAGE_WAIT: '1' }, logs);
    let settled = false;
    void starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 2_500));
    expect(settled).toBe(false);
    const waiting = logs.filter((l) => l.includes('waiting for storage'));
    expect(waiting).toHaveLength(1);
    expect(JSON.parse(waiting[0]!)).toMatchObject({ level: 'warn', store: `redis at redis://127.0.0.1:${port}` });

    const redis = await startRedis(port);
    cleanups.push(() => redis.stop());
    const o = await starting;
    expect((await o.request('/healthz')).status).toBe(200);
    expect(logs.filter((l) => l.includes('waiting for storage'))).toHaveLength(1);
    expect(logs.some((l) => l.includes('"storage reached"'))).toBe(true);
  });
});
