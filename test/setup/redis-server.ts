import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A real redis-server on a free loopback port, for the storage contract suite. */
export interface RedisProcess {
  url: string;
  stop(): void;
}

/** On `port` when given (a test that restarts "the same" redis), else on a free one. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is required by the storage tests and was not found (run scripts/ensure-test-tools.sh)');
  }
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-redis-'));
  const pidFile = join(dir, 'redis.pid');
  const started = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--pidfile',
      pidFile,
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    started.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-server exited with ${code}`))));
    started.once('error', reject);
  });
  await waitForPing(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        if (pid) process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number): Promise<void> {
  const { Socket } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.write('PING\r\n');
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString().startsWith('+PONG'));
        });
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}
