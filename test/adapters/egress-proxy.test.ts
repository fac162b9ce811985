import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EGRESS_FORWARDER, EGRESS_SOCKET, type EgressProxy, startEgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import { parseEgressAllow } from '../../core/domain/egress.js';

/** One raw exchange with the proxy over its unix socket: what a forwarder relays. */
function exchange(proxy: EgressProxy, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(join(proxy.dir, EGRESS_SOCKET));
    let answer = '';
    socket.on('data', (c) => {
      answer += c.toString();
    });
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
    socket.write(request);
  });
}

let proxy: EgressProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('the egress proxy', () => {
  it('lives in a 0700 directory with the forwarder beside its socket, and removes both on close', async () => {
    proxy = await startEgressProxy({ rules: [] });
    expect(statSync(proxy.dir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(proxy.dir, EGRESS_FORWARDER))).toBe(true);
    expect(statSync(join(proxy.dir, EGRESS_SOCKET)).isSocket()).toBe(true);
    const dir = proxy.dir;
    await proxy.close();
    proxy = undefined;
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a request that is not for a proxy (a relative URL) without recording it', async () => {
    proxy = await startEgressProxy({ rules: [] });
    const answer = await exchange(proxy, 'GET /relative HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(proxy.blocked().entries).toEqual([]);
  });

  it('refuses and records a CONNECT to a host off the list, once per destination for the listeners', async () => {
    proxy = await startEgressProxy({ rules: parseEgressAllow('api.example.com').rules });
    const seen: string[] = [];
    proxy.onBlocked((r) => seen.push(`${r.method} ${r.target}`));
    for (const target of ['evil.example:443', 'evil.example:443', 'api.example.com:22', 'a..b:443']) {
      const answer = await exchange(proxy, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 403/);
    }
    expect(seen).toEqual(['CONNECT evil.example:443', 'CONNECT api.example.com:22', 'CONNECT a..b:443']);
    expect(proxy.blocked().entries.map((e) => e.count)).toEqual([2, 1, 1]);
  });

  it('answers 502 when an allowed host does not answer, and records nothing', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    proxy = await startEgressProxy({ rules: parseEgressAllow(`127.0.0.1:${port}`).rules });
    const answer = await exchange(proxy, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 502/);
    expect(proxy.blocked().entries).toEqual([]);
  });

  it('passes an allowed plain request on without the proxy headers', async () => {
    const headers: Record<string, unknown>[] = [];
    const upstream = createServer((req, res) => {
      headers.push(req.headers);
      res.end('upstream says hi');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    try {
      proxy = await startEgressProxy({ rules: parseEgressAllow(`127.0.0.1:${port}`).rules });
      const answer = await exchange(
        proxy,
        `GET http://127.0.0.1:${port}/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nProxy-Authorization: Basic c2VjcmV0\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('upstream says hi');
      expect(headers[0]?.['proxy-authorization']).toBeUndefined();
    } finally {
      await new Promise((r) => upstream.close(r));
    }
  });
});
