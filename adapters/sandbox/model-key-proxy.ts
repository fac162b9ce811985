import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeForwarder } from './socket-forwarder.js';

/** The proxy's socket, beside the forwarder's script, in the directory the sandbox is shown. */
export const MODEL_SOCKET = 'model.sock';

/**
 * What the agent is given as `ANTHROPIC_API_KEY`: Claude Code wants one set, and the proxy
 * replaces it. Not a secret; it only says where the real key went.
 */
export const MODEL_KEY_PLACEHOLDER = 'ai-implement-model-key-proxy';

/** Anthropic's API paths; anything else the sandbox asks for is 404. */
const API_PATH = /^\/v1\/[A-Za-z0-9._~/-]*$/;

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export interface ModelKeyProxyOptions {
  /** The model provider's key: it stays in this process. */
  apiKey: string;
  /** The Anthropic API base (`https://api.anthropic.com`, or the mapping's ANTHROPIC_BASE_URL). */
  upstream: string;
  /** Where the proxy's private directory is made (the OS temp dir). */
  parentDir?: string;
  /** How long the upstream connection may stay silent (10 min: a long answer streams slowly). */
  idleTimeoutMs?: number;
}

export interface ModelKeyProxy {
  /** A 0700 directory holding the socket and the forwarder; the sandbox shows it read-only. */
  readonly dir: string;
  close(): Promise<void>;
}

/** The request's headers for the upstream: the sandbox's credentials replaced by the real key. */
function upstreamHeaders(headers: IncomingHttpHeaders, apiKey: string, host: string): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  delete out.authorization;
  out['x-api-key'] = apiKey;
  out.host = host;
  return out;
}

/**
 * The session's key-adding reverse proxy for the Anthropic API: an HTTP server on a unix
 * socket in a private directory, reached from the sandbox through a forwarder on its loopback
 * (`ANTHROPIC_BASE_URL`). It forwards `/v1/…` only, to the configured base, with the sandbox's
 * `x-api-key` (a placeholder) and any `authorization` replaced by the real key, streaming both
 * bodies (the API answers in SSE). The key never enters the sandbox: a hostile agent can spend
 * it through the proxy while the run lasts, never take it away.
 */
export async function startModelKeyProxy(options: ModelKeyProxyOptions): Promise<ModelKeyProxy> {
  const base = new URL(options.upstream);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`the model API base must be an http(s) URL: ${options.upstream}`);
  const basePath = base.pathname.replace(/\/+$/, '');
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const idleTimeoutMs = options.idleTimeoutMs ?? 600_000;
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'ai-implement-model-'));
  await chmod(dir, 0o700);
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    // Parsed as a URL, so `..` and `%2e%2e` segments are resolved before the path is judged.
    let path: URL | undefined;
    try {
      path = new URL(req.url ?? '', 'http://sandbox');
    } catch {
      path = undefined;
    }
    if (!path || !req.url?.startsWith('/') || !API_PATH.test(path.pathname)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not an Anthropic API path\n');
      req.resume();
      return;
    }
    const upstream = send({
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port || undefined,
      method: req.method,
      path: `${basePath}${path.pathname}${path.search}`,
      headers: upstreamHeaders(req.headers, options.apiKey, base.host),
      timeout: idleTimeoutMs,
    });
    upstream.on('response', (answer) => {
      const back = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete back[name];
      res.writeHead(answer.statusCode ?? 502, back);
      res.flushHeaders();
      // An answer cut off upstream is cut off for the agent too, never left hanging.
      answer.once('error', () => res.destroy());
      answer.once('aborted', () => res.destroy());
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', () => {
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('the model API could not be reached\n');
      else res.destroy();
    });
    // The agent stopped listening (killed, or gave up): the upstream request ends too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await writeForwarder(dir);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(join(dir, MODEL_SOCKET), () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    dir,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
