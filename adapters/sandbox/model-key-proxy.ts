import { chmod, mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BedrockAuthorizer, bearerAuthorizer, bedrockPath, outgoingCall } from './bedrock-request.js';
import type { AwsKeys } from './bedrock-signer.js';
import { writeForwarder } from './socket-forwarder.js';

/** The proxy's socket, beside the forwarder's script, in the directory the sandbox is shown. */
export const MODEL_SOCKET = 'model.sock';

/**
 * What the agent is given in place of each credential the proxy keeps, in the same variable,
 * so Claude Code picks the same way to authenticate (`x-api-key`, or a Bearer authorization)
 * and the proxy knows which real value to put back. Not secrets: they only say where the real
 * values went. The OAuth one keeps the shape of a subscription token.
 */
export const MODEL_KEY_PLACEHOLDER = 'ai-implement-model-key-proxy';
export const MODEL_AUTH_TOKEN_PLACEHOLDER = 'ai-implement-model-auth-token-proxy';
export const MODEL_OAUTH_TOKEN_PLACEHOLDER = 'sk-ant-oat01-ai-implement-model-oauth-token-proxy';

/** Anthropic's API paths; anything else the sandbox asks for is 404 (Bedrock's have their own). */
const API_PATH = /^\/v1\/[A-Za-z0-9._~/-]*$/;

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

/** A Bedrock request body is read whole before it is signed: at most this much. */
const BEDROCK_BODY_MAX = 64 * 1024 * 1024;

export interface AnthropicCredentials {
  /** `ANTHROPIC_API_KEY`: sent as `x-api-key`. */
  apiKey?: string;
  /** `ANTHROPIC_AUTH_TOKEN`: sent as `Authorization: Bearer …`. */
  authToken?: string;
  /** `CLAUDE_CODE_OAUTH_TOKEN`, a subscription's token: sent as `Authorization: Bearer …` too. */
  oauthToken?: string;
}

export interface ModelKeyProxyOptions {
  /** The Anthropic API (`https://api.anthropic.com`, or the mapping's ANTHROPIC_BASE_URL) and what it is sent. */
  anthropic?: AnthropicCredentials & { upstream: string };
  /**
   * Bedrock's runtime (or the mapping's ANTHROPIC_BEDROCK_BASE_URL): each request is signed
   * with the keys, or carries the Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), which wins as
   * it does in the Anthropic Bedrock SDK.
   */
  bedrock?: { upstream: string; region: string; keys?: AwsKeys; bearerToken?: string };
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

function httpBase(url: string): URL {
  const base = new URL(url);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`the model API base must be an http(s) URL: ${url}`);
  return base;
}

/**
 * The request's headers for the Anthropic API: `x-api-key` is the real key whenever there is
 * one; a Bearer authorization naming a placeholder becomes that placeholder's real token. Any
 * other credential of the sandbox's is dropped.
 */
function anthropicHeaders(headers: IncomingHttpHeaders, held: AnthropicCredentials, host: string): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  delete out['x-api-key'];
  delete out.authorization;
  if (held.apiKey) out['x-api-key'] = held.apiKey;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  const token =
    bearer === MODEL_AUTH_TOKEN_PLACEHOLDER
      ? held.authToken
      : bearer === MODEL_OAUTH_TOKEN_PLACEHOLDER
        ? held.oauthToken
        : undefined;
  if (token) out.authorization = `Bearer ${token}`;
  out.host = host;
  return out;
}

/** Sends one request upstream and streams the answer back as it comes; `body` when it was read whole. */
/** The request to send upstream: `path` (with its query) on `base`'s host. */
function upstreamRequest(
  base: URL,
  method: string | undefined,
  path: string,
  headers: RequestOptions['headers'],
): RequestOptions {
  return { protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, method, path, headers };
}

function relay(req: IncomingMessage, res: ServerResponse, target: RequestOptions, idleTimeoutMs: number, body?: Buffer) {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send({ ...target, timeout: idleTimeoutMs });
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
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

/** The request body, whole (a signature covers it), or undefined past `max` or when the sandbox gave up. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => resolve(undefined));
    req.once('aborted', () => resolve(undefined));
  });
}

async function relayBedrock(
  req: IncomingMessage,
  res: ServerResponse,
  route: { base: URL; authorize: BedrockAuthorizer; path: string; search: URLSearchParams },
  idleTimeoutMs: number,
) {
  const body = await readBody(req, BEDROCK_BODY_MAX);
  if (!body) {
    if (!res.destroyed) res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request body too large\n');
    return;
  }
  const { base } = route;
  const call = outgoingCall(base, {
    method: req.method ?? 'GET',
    path: route.path,
    search: route.search,
    headers: req.headers,
    body,
  });
  const headers = await route.authorize(base, call);
  relay(req, res, upstreamRequest(base, call.method, `${call.path}${call.search}`, headers), idleTimeoutMs, body);
}

/**
 * Bedrock's side. The SigV4 signer is loaded only when there are keys to sign with: it and
 * the @smithy modules under it take about 0.1 s to load, which no other session pays.
 */
async function bedrockRoute(options: NonNullable<ModelKeyProxyOptions['bedrock']>) {
  const base = httpBase(options.upstream);
  if (options.bearerToken) return { base, authorize: bearerAuthorizer(options.bearerToken) };
  if (!options.keys) throw new Error('Bedrock needs AWS keys or a Bedrock API key');
  const { createBedrockSigner } = await import('./bedrock-signer.js');
  return { base, authorize: createBedrockSigner({ region: options.region, keys: options.keys }) };
}

/**
 * The session's credential-adding reverse proxy for the model API: an HTTP server on a unix
 * socket in a private directory, reached from the sandbox through a forwarder on its loopback
 * (`ANTHROPIC_BASE_URL`, `ANTHROPIC_BEDROCK_BASE_URL`). `/v1/…` goes to the Anthropic API with
 * the sandbox's placeholders replaced by the real key or token; `/model/{id}/invoke…` goes to
 * Bedrock's runtime, signed with SigV4 here (or with its API key). Both answers stream through (SSE, AWS's event
 * stream); the Anthropic request body streams too, a Bedrock one is read whole to be signed.
 * No credential enters the sandbox: a hostile agent can spend them through the proxy while the
 * run lasts, never take them away.
 */
export async function startModelKeyProxy(options: ModelKeyProxyOptions): Promise<ModelKeyProxy> {
  const anthropic = options.anthropic ? { ...options.anthropic, base: httpBase(options.anthropic.upstream) } : undefined;
  const bedrock = options.bedrock ? await bedrockRoute(options.bedrock) : undefined;
  const idleTimeoutMs = options.idleTimeoutMs ?? 600_000;
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'ai-implement-model-'));
  await chmod(dir, 0o700);
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    // Parsed as a URL, so `..` and `%2e%2e` segments are resolved before the path is judged.
    let url: URL | undefined;
    try {
      url = req.url?.startsWith('/') ? new URL(req.url, 'http://sandbox') : undefined;
    } catch {
      url = undefined;
    }
    const modelCall = url && bedrock ? bedrockPath(url.pathname) : undefined;
    if (url && anthropic && API_PATH.test(url.pathname)) {
      const { base } = anthropic;
      relay(
        req,
        res,
        upstreamRequest(
          base,
          req.method,
          `${base.pathname.replace(/\/+$/, '')}${url.pathname}${url.search}`,
          anthropicHeaders(req.headers, anthropic, base.host),
        ),
        idleTimeoutMs,
      );
    } else if (url && bedrock && modelCall) {
      relayBedrock(req, res, { ...bedrock, path: modelCall, search: url.searchParams }, idleTimeoutMs).catch(() => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('the request could not be signed\n');
      });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not a model API path\n');
      req.resume();
    }
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
