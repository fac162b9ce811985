import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockedLog,
  type EgressRule,
  EMPTY_BLOCKED_LOG,
  egressAllows,
  normalizeHost,
  recordBlocked,
} from '../../core/domain/egress.js';
import { FORWARDER_SCRIPT, writeForwarder } from './socket-forwarder.js';
import { readClientHello, type TunnelStart } from './tls-client-hello.js';

/** The proxy's socket and the forwarder's script, in the directory the sandbox is shown. */
export const EGRESS_SOCKET = 'proxy.sock';
export const EGRESS_FORWARDER = FORWARDER_SCRIPT;

export interface EgressProxyOptions {
  /** What may be reached (core/domain/egress.ts). */
  rules: readonly EgressRule[];
  /** Where the proxy's private directory is made (the OS temp dir). */
  parentDir?: string;
  /** How long an allowed upstream gets to accept the connection (10 s). */
  connectTimeoutMs?: number;
}

/**
 * Why a tunnel to an allowed host is refused after all, from its first bytes: an allowed name
 * is often an address shared by many sites (a CDN edge serves every site it fronts), so the
 * TLS it carries must name an allowed host too (SNI), and a tunnel to a name carries nothing
 * but TLS (in plain HTTP, the Host header would pick the site). A tunnel to an address the
 * operator listed as such may carry anything. What rides inside the TLS (a Host header that
 * differs from SNI: domain fronting) is not seen; the large CDNs refuse that mismatch.
 */
function tunnelRefusal(
  rules: readonly EgressRule[],
  start: Exclude<TunnelStart, { kind: 'more' }>,
  target: { host: string; port: number },
): { method: string; host: string } | undefined {
  if (start.kind === 'tls' && start.serverName !== undefined)
    return egressAllows(rules, start.serverName, target.port) ? undefined : { method: 'TLS', host: start.serverName };
  return isIP(bare(target.host)) ? undefined : { method: 'TUNNEL', host: target.host };
}

export interface EgressProxy {
  /** A 0700 directory holding the socket and the forwarder; the sandbox shows it read-only. */
  readonly dir: string;
  /** Every refused request so far, by destination. */
  blocked(): BlockedLog;
  /** Called once per newly refused destination (`CONNECT evil.example:443`). */
  onBlocked(listener: (request: { method: string; target: string }) => void): void;
  close(): Promise<void>;
}

/** `host:port` of a CONNECT, `[v6]:port` included. */
function authority(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  return { host: m[1] ?? '', port: Number(m[2]) };
}

const bare = (host: string) => (normalizeHost(host) ?? host).replace(/^\[|\]$/g, '');

function refuse(socket: Socket, status: string, text: string) {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

/**
 * The session's egress proxy: an HTTP proxy on a unix socket in a private directory, so only
 * what is shown that directory (the sandbox, through its forwarder) can use it. HTTPS goes
 * through `CONNECT host:port`, filtered by host before any byte reaches the destination;
 * plain HTTP by its absolute URL. Everything else is refused (403) and recorded, for the
 * run's comment. It resolves names itself: the sandbox has no DNS and no route out.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const rules = [...options.rules];
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'ai-implement-egress-'));
  await chmod(dir, 0o700);
  let log = EMPTY_BLOCKED_LOG;
  const listeners: ((r: { method: string; target: string }) => void)[] = [];
  const block = (method: string, host: string, port: number | string) => {
    const recorded = recordBlocked(log, { method, host, port });
    log = recorded.log;
    if (!recorded.first) return;
    const entry = log.entries.at(-1);
    if (entry) for (const listener of listeners) listener({ method: entry.method, target: entry.target });
  };
  const sockets = new Set<Socket>();

  const server = createServer();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const target = authority(req.url ?? '');
    if (!target || !egressAllows(rules, target.host, target.port)) {
      block('CONNECT', target?.host ?? req.url ?? '', target?.port ?? '?');
      refuse(client, '403 Forbidden', `blocked by the egress allow-list: ${req.url ?? ''}\n`);
      return;
    }
    const upstream = connect({ host: bare(target.host), port: target.port });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    let open = false;
    upstream.setTimeout(connectTimeoutMs, () => upstream.destroy(new Error('connect timeout')));
    upstream.once('connect', () => {
      open = true;
      upstream.setTimeout(0);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      // Nothing of the client goes upstream before its first bytes are judged (`tunnelRefusal`).
      let first = head;
      const inspect = (chunk?: Buffer) => {
        if (chunk) first = Buffer.concat([first, chunk]);
        const start = readClientHello(first);
        if (start.kind === 'more') return;
        client.off('data', inspect);
        const refusal = tunnelRefusal(rules, start, target);
        if (refusal) {
          block(refusal.method, refusal.host, target.port);
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(first);
        client.pipe(upstream);
      };
      client.on('data', inspect);
      if (first.length > 0) inspect();
    });
    upstream.on('error', () => {
      if (open) client.destroy();
      else refuse(client, '502 Bad Gateway', `could not reach ${req.url ?? ''}\n`);
    });
    client.once('close', () => upstream.destroy());
  });

  server.on('request', (req, res) => {
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'http:') {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('the egress proxy takes absolute http:// URLs, and CONNECT for https\n');
      return;
    }
    const port = url.port ? Number(url.port) : 80;
    if (!egressAllows(rules, url.hostname, port)) {
      block(req.method ?? 'GET', url.hostname, port);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`blocked by the egress allow-list: ${url.host}\n`);
      return;
    }
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    // The host that was allowed is the one asked: a front end shared by many sites (a CDN)
    // routes by the Host header, and `Host: evil.example` would reach a site not on the list.
    headers.host = url.host;
    const upstream = httpRequest({
      host: bare(url.hostname),
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      timeout: connectTimeoutMs,
    });
    upstream.on('response', (answer) => {
      const back = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete back[name];
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
    req.pipe(upstream);
  });

  // A WebSocket (or any upgrade) goes through CONNECT like HTTPS; a plain-HTTP upgrade is refused.
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    let host = '';
    let port = 80;
    try {
      const url = new URL(req.url ?? '');
      host = url.hostname;
      port = url.port ? Number(url.port) : 80;
    } catch {
      host = req.url ?? '';
    }
    if (!egressAllows(rules, host, port)) {
      block(req.method ?? 'GET', host, port);
      refuse(socket, '403 Forbidden', 'blocked by the egress allow-list\n');
    } else refuse(socket, '501 Not Implemented', 'use CONNECT for an upgrade\n');
  });

  await writeForwarder(dir);
  const socketPath = join(dir, EGRESS_SOCKET);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    dir,
    blocked: () => log,
    onBlocked: (listener) => {
      listeners.push(listener);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
