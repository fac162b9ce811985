import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';
import { createBwrapSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { type EgressProxy, startEgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import { readClientHello } from '../../adapters/sandbox/tls-client-hello.js';
import { parseEgressRule } from '../../core/domain/egress.js';
import { createShell } from '../../hosts/session/shell.js';

/**
 * The egress allow-list end to end: a real bubblewrap sandbox with no network of its own, the
 * forwarder inside, the session's proxy outside, and two loopback servers of this machine —
 * one allow-listed, one not. A probe inside tries each directly, as a proxied GET and through
 * a CONNECT tunnel.
 */

const PROBE = fileURLToPath(new URL('../fakes/network/egress-probe.mjs', import.meta.url));

interface Recording {
  server: Server;
  port: number;
  paths: string[];
  hosts: string[];
}

async function recordingServer(name: string): Promise<Recording> {
  const paths: string[] = [];
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    hosts.push(req.headers.host ?? '');
    res.end(`hello from ${name}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, paths, hosts };
}

let root = '';
let workspace = '';
let allowed: Recording;
let forbidden: Recording;
let proxy: EgressProxy;

beforeAll(async () => {
  if (!findBwrap())
    throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
  root = await mkdtemp(join(tmpdir(), 'ai-implement-egress-'));
  workspace = await mkdtemp(join(root, 'workspace-'));
  allowed = await recordingServer('allowed');
  forbidden = await recordingServer('forbidden');
  proxy = await startEgressProxy({ rules: [parseEgressRule(`127.0.0.1:${allowed.port}`)!] });
});

afterAll(async () => {
  await proxy?.close();
  for (const s of [allowed, forbidden]) await new Promise((r) => s?.server.close(r));
  if (root) await rm(root, { recursive: true, force: true });
});

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const sandbox = () =>
  createBwrapSandbox({
    readOnly: [dirname(PROBE), ...agentInstallDirs(process.execPath, PATH)],
    egress: { dir: proxy.dir, node: process.execPath },
  });

async function probe(tries: string[], offline = false) {
  const shell = createShell({ sandbox: sandbox(), killGraceMs: 300 });
  const r = await shell.run({
    argv: [process.execPath, PROBE, ...tries],
    cwd: workspace,
    env: { PATH },
    timeoutMs: 20_000,
    offline,
  });
  expect(r.exitCode, r.output).toBe(0);
  return r.output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { how: string; target: string; ok: boolean; status?: number; body?: string; error?: string });
}

describe('the egress allow-list', () => {
  it('gives the sandbox no direct route: neither server is reachable without the proxy', async () => {
    const results = await probe(['direct', `127.0.0.1:${allowed.port}`, 'direct', `127.0.0.1:${forbidden.port}`]);
    expect(results.map((r) => [r.ok, r.error])).toEqual([
      [false, 'ECONNREFUSED'],
      [false, 'ECONNREFUSED'],
    ]);
    expect(allowed.paths).toEqual([]);
    expect(forbidden.paths).toEqual([]);
  });

  it('lets an allow-listed host through the proxy, by plain HTTP and by a CONNECT tunnel', async () => {
    const [http, tunnel] = await probe(['http', `127.0.0.1:${allowed.port}`, 'connect', `127.0.0.1:${allowed.port}`]);
    expect(http).toMatchObject({ ok: true, status: 200, body: 'hello from allowed' });
    expect(tunnel?.ok).toBe(true);
    expect(tunnel?.body).toContain('hello from allowed');
    expect(allowed.paths).toEqual(['/via-proxy', '/tunnel']);
  });

  it('refuses any other host through the proxy (403), records each refusal, and the host is never reached', async () => {
    const target = `127.0.0.1:${forbidden.port}`;
    const results = await probe(['http', target, 'connect', target, 'connect', target, 'connect', `evil.example:443`]);
    expect(results.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(forbidden.paths).toEqual([]);
    expect(proxy.blocked().entries).toEqual([
      { method: 'GET', target, count: 1 },
      { method: 'CONNECT', target, count: 2 },
      { method: 'CONNECT', target: 'evil.example:443', count: 1 },
    ]);
  });

  it("sends a plain-HTTP request to the allowed host under that host's name, whatever Host header it came with", async () => {
    // A front end shared by many sites (a CDN) routes by Host: `Host: evil.example` sent to an
    // allowed host's address would reach a site the list does not name.
    const target = `127.0.0.1:${allowed.port}`;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(
        { socketPath: join(proxy.dir, 'proxy.sock'), path: `http://${target}/fronted`, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode));
        },
      );
      req.once('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(allowed.hosts.at(-1)).toBe(target);
    expect(allowed.paths.at(-1)).toBe('/fronted');
  });

  it('gives an offline command (git on the working tree) no network at all, not even the proxy', async () => {
    const [tunnel] = await probe(['connect', `127.0.0.1:${allowed.port}`], true);
    expect(tunnel).toMatchObject({ ok: false, error: 'no HTTP_PROXY' });
    const shell = createShell({ sandbox: sandbox(), killGraceMs: 300 });
    const r = await shell.run({
      argv: [process.execPath, PROBE, 'direct', '127.0.0.1:3128'],
      cwd: workspace,
      env: { PATH },
      timeoutMs: 20_000,
      offline: true,
    });
    expect(r.output).toContain('ECONNREFUSED');
  });

  it("tells the command where the proxy is, and keeps the sandbox's own loopback direct", async () => {
    const shell = createShell({ sandbox: sandbox(), killGraceMs: 300 });
    const r = await shell.run({ argv: ['env'], cwd: workspace, env: { PATH }, timeoutMs: 20_000 });
    expect(r.output).toContain('HTTPS_PROXY=http://127.0.0.1:3128');
    expect(r.output).toContain('https_proxy=http://127.0.0.1:3128');
    expect(r.output).toContain('NO_PROXY=localhost,127.0.0.1,::1');
  });
});

describe('a CONNECT tunnel to an allowed name', () => {
  // An allowed name is often a CDN edge that serves every site it fronts, by the TLS server
  // name (SNI) or, in plain HTTP, by the Host header: the tunnel's first bytes must name an
  // allowed host too. The upstream here is a raw TCP server that records what reaches it.
  let raw: { port: number; received: Buffer[]; close: () => Promise<void> };
  let named: EgressProxy;

  beforeAll(async () => {
    const received: Buffer[] = [];
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    raw = {
      port: (server.address() as AddressInfo).port,
      received,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
    named = await startEgressProxy({ rules: [parseEgressRule(`localhost:${raw.port}`)!] });
  });

  afterAll(async () => {
    await named?.close();
    await raw?.close();
  });

  const tunnel = () =>
    new Promise<Socket>((resolve, reject) => {
      const req = httpRequest({ socketPath: join(named.dir, 'proxy.sock'), method: 'CONNECT', path: `localhost:${raw.port}` });
      req.once('connect', (res, socket) => (res.statusCode === 200 ? resolve(socket) : reject(new Error(`${res.statusCode}`))));
      req.once('error', reject);
      req.end();
    });
  const closed = (socket: { once: (e: 'close', f: () => void) => unknown }) =>
    new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('passes TLS whose server name is allowed, and its ClientHello reads whole however it is cut', async () => {
    raw.received.length = 0;
    const tls = tlsConnect({ socket: await tunnel(), servername: 'localhost', rejectUnauthorized: false });
    tls.on('error', () => undefined);
    await until(() => raw.received.length > 0);
    tls.destroy();
    const hello = Buffer.concat(raw.received);
    expect(hello[0]).toBe(0x16);
    expect(readClientHello(hello)).toEqual({ kind: 'tls', serverName: 'localhost' });
    for (const cut of [1, 5, 6, 40, hello.length - 1]) expect(readClientHello(hello.subarray(0, cut)).kind).toBe('more');
    expect(readClientHello(Buffer.from('GET / HTTP/1.1\r\n')).kind).toBe('other');
  });

  it('refuses TLS to a server name not on the list (a CDN would serve that site) before a byte goes upstream', async () => {
    raw.received.length = 0;
    const tls = tlsConnect({ socket: await tunnel(), servername: 'evil.example', rejectUnauthorized: false });
    tls.on('error', () => undefined);
    await closed(tls);
    expect(raw.received).toEqual([]);
    expect(named.blocked().entries).toContainEqual({ method: 'TLS', target: `evil.example:${raw.port}`, count: 1 });
  });

  it('refuses plain HTTP through a tunnel to a name (its Host header would pick the site)', async () => {
    raw.received.length = 0;
    const socket = await tunnel();
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n');
    await closed(socket);
    expect(raw.received).toEqual([]);
    expect(named.blocked().entries).toContainEqual({ method: 'TUNNEL', target: `localhost:${raw.port}`, count: 1 });
  });
});

describe('the sandbox hides what only its owner may read', () => {
  it("gives even a session running as root no write to the host's kernel settings (/proc/sys)", async () => {
    // Written back unchanged: a harmless setting, and the same value, should the write go through.
    const setting = '/proc/sys/kernel/printk_ratelimit';
    const shell = createShell({ sandbox: createBwrapSandbox(), killGraceMs: 300 });
    const r = await shell.run({
      argv: ['sh', '-c', `v=$(cat ${setting}); echo "read $v"; echo "$v" > ${setting} && echo written`],
      cwd: workspace,
      env: { PATH },
      timeoutMs: 10_000,
    });
    expect(r.output).toMatch(/read \d+/);
    expect(r.output).not.toContain('written');
  });

  it('starts the command in a session of its own: no terminal of the session to push keystrokes into', async () => {
    const shell = createShell({ sandbox: createBwrapSandbox(), killGraceMs: 300 });
    const r = await shell.run({
      argv: ['sh', '-c', 'read -r pid comm state ppid pgrp sid rest < /proc/self/stat; echo "pid=$pid sid=$sid"'],
      cwd: workspace,
      env: { PATH },
      timeoutMs: 10_000,
    });
    // The session's leader is a process of the sandbox (bwrap's, inside); 0 is one outside it.
    const [, pid, sid] = /pid=(\d+) sid=(\d+)/.exec(r.output) ?? [];
    expect(pid, r.output).toBeDefined();
    expect(Number(sid)).toBeGreaterThan(0);
  });

  it('gives the command no capability, even to a session running as root: a read-only directory stays read-only', async () => {
    // Run as root, bwrap kept every capability unless told: CAP_SYS_ADMIN remounted a
    // read-only bind writable and wrote through it to the host.
    const shown = await mkdtemp(join(root, 'read-only-'));
    await writeFile(join(shown, 'f'), 'original\n');
    const shell = createShell({ sandbox: createBwrapSandbox({ readOnly: [shown] }), killGraceMs: 300 });
    const r = await shell.run({
      argv: [
        'sh',
        '-c',
        `grep CapEff /proc/self/status; mount -o remount,rw,bind ${shown} 2>&1; echo pwned > ${shown}/f; mount -t tmpfs x /tmp 2>&1 && echo mounted`,
      ],
      cwd: workspace,
      env: { PATH },
      timeoutMs: 10_000,
    });
    expect(r.output).toMatch(/CapEff:\s+0+\n/);
    expect(r.output).not.toContain('mounted');
    expect(readFileSync(join(shown, 'f'), 'utf8')).toBe('original\n');
  });

  it('shows /etc/shadow and the operator-masked paths empty, even to a session running as root', async () => {
    const secretFile = join(root, 'operator-secret.env');
    await writeFile(secretFile, 'OPERATOR_SECRET=swordfish\n', { mode: 0o644 });
    const shell = createShell({
      sandbox: createBwrapSandbox({ readOnly: [root], mask: [secretFile] }),
      killGraceMs: 300,
    });
    const r = await shell.run({
      argv: [
        'sh',
        '-c',
        `echo "shadow:[$(cat /etc/shadow 2>&1)]"; echo "masked:[$(cat ${secretFile} 2>&1)]"; ls -A /etc/ssl/private 2>&1 | head -3`,
      ],
      cwd: workspace,
      env: { PATH },
      timeoutMs: 10_000,
    });
    expect(r.exitCode).toBe(0);
    // Empty, or not even readable (a user-namespaced sandbox cannot open the host's /dev/null).
    expect(r.output).toMatch(/shadow:\[(|cat: \/etc\/shadow: Permission denied)\]/);
    expect(r.output).toMatch(/masked:\[(|cat: \S+: Permission denied)\]/);
    expect(r.output).not.toContain('swordfish');
    // The host's shadow file is there and readable by this test: the sandbox is what hid it.
    let hostShadow = '';
    try {
      hostShadow = readFileSync('/etc/shadow', 'utf8');
    } catch {
      hostShadow = '';
    }
    if (hostShadow) expect(r.output).not.toContain(`${hostShadow.split(':')[0]}:`);
  });
});
