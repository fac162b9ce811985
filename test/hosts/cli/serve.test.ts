import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../../hosts/cli/main.js';
import { capture } from './capture.js';

describe('serve', () => {
  it('listens on HOST:PORT, answers /healthz over a socket, and says /admin is disabled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-implement-cli-'));
    const { io, out } = capture();
    const running = await startServer({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir }, io);
    if (!running) throw new Error('did not start');
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toEqual([
      `AI-Implement listening on ${running.url}`,
      '/admin is disabled until ADMIN_ACCESS_CODE is set',
      'Next: ai-implement init (npm run cli -- init in a checkout) writes a .env with an access code; then start again',
    ]);
    const res = await fetch(`${running.url}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
    // The request id reaches the socket with the answer's own headers (set on its way out, app.ts).
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const missing = await fetch(`${running.url}/api/mappings`, { headers: { 'x-request-id': 'req-7' } });
    expect([missing.status, missing.headers.get('x-request-id')]).toEqual([404, 'req-7']);
    const head = await fetch(`${running.url}/healthz`, { method: 'HEAD', headers: { 'x-request-id': 'req-8' } });
    expect(head.headers.get('x-request-id')).toBe('req-8');
    await running.close();
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad body over a real socket with 413', async () => {
    const { io } = capture();
    const running = await startServer({ PORT: '0', ADMIN_ACCESS_CODE: 'cli-test-access-code', STORAGE_URL: 'memory:' }, io);
    if (!running) throw new Error('did not start');
    const res = await fetch(`${running.url}/api/auth`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'Request body too large' });
    await running.close();
  });

  it('prints the configuration problem and starts nothing on a bad value', async () => {
    const { io, out, err } = capture();
    expect(await startServer({ PORT: 'abc', ADMIN_ACCESS_CODE: 'top-secret-code' }, io)).toBeUndefined();
    expect(out).toEqual([]);
    expect(err).toEqual(['Invalid configuration: PORT must be an integer from 0 to 65535']);
  });

  it('names HOST and PORT when it cannot listen (a port in use, a host that does not resolve)', async () => {
    const { io } = capture();
    const first = await startServer({ PORT: '0', STORAGE_URL: 'memory:' }, io);
    if (!first) throw new Error('did not start');
    const port = new URL(first.url).port;
    await expect(startServer({ PORT: port, STORAGE_URL: 'memory:' }, io)).rejects.toThrow(
      `Cannot listen on HOST 127.0.0.1 and PORT ${port}: listen EADDRINUSE`,
    );
    await first.close();
    await expect(startServer({ PORT: '0', HOST: 'no-such-host.invalid', STORAGE_URL: 'memory:' }, io)).rejects.toThrow(
      /^Cannot listen on HOST no-such-host\.invalid and PORT 0: getaddrinfo/,
    );
  });

  it('refuses to start with an ADMIN_ACCESS_CODE shorter than 12 characters, and says so', async () => {
    const { io, out, err } = capture();
    expect(await startServer({ PORT: '0', ADMIN_ACCESS_CODE: 'letmein', STORAGE_URL: 'memory:' }, io)).toBeUndefined();
    expect(out).toEqual([]);
    expect(err).toEqual(['Invalid configuration: ADMIN_ACCESS_CODE must be at least 12 characters long']);
    expect(err.join('')).not.toContain('letmein');
  });

  it('runs from source as `ai-implement serve`, says where the admin is, and shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-implement-cli-'));
    const noEnvFile = join(dir, 'absent.env');
    const child = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['hosts/cli/main.ts', 'serve', '--dotenv', noEnvFile], {
      env: { ...process.env, PORT: '0', DATA_DIR: dir, ADMIN_ACCESS_CODE: 'a-long-access-code' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 50_000);
      child.stdout.on('data', () => {
        // The start prints its lines one write each: wait for the last one ("Next: …").
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match?.[1] && stdout.includes('\nNext: ')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(stdout).not.toContain('/admin is disabled');
    expect(stdout).toContain(`Admin: ${url}/admin (sign in with ADMIN_ACCESS_CODE)`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout).toContain('SIGTERM received, shutting down');
    expect(stdout).not.toContain('a-long-access-code');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
