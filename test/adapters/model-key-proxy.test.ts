import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInstallDirs } from '../../adapters/sandbox/agent-install.js';
import { createBwrapSandbox, findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { type EgressProxy, startEgressProxy } from '../../adapters/sandbox/egress-proxy.js';
import {
  MODEL_AUTH_TOKEN_PLACEHOLDER,
  MODEL_KEY_PLACEHOLDER,
  MODEL_OAUTH_TOKEN_PLACEHOLDER,
  MODEL_SOCKET,
  type ModelKeyProxy,
  startModelKeyProxy,
} from '../../adapters/sandbox/model-key-proxy.js';
import { createShell } from '../../hosts/session/shell.js';
import { leakedIn } from '../security/leak-detector.js';

/**
 * The model key proxy against a loopback fake of the Anthropic API: the sandbox's placeholder
 * credentials become the real key on the way out, SSE streams through as it is written (both
 * ways), only `/v1/…` is forwarded, and a real bubblewrap sandbox reaches the API through it
 * while nothing it can read (its environment, /proc, the proxy's directory) holds the key.
 */

const PROBE = fileURLToPath(new URL('../fakes/network/model-probe.cjs', import.meta.url));
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const apiKey = `sk-ant-api03-${randomBytes(24).toString('hex')}`;
const authToken = `gateway-token-${randomBytes(24).toString('hex')}`;
const oauthToken = `sk-ant-oat01-${randomBytes(24).toString('hex')}`;

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let fake: Server;
let fakePort = 0;
const seen: Seen[] = [];
/** Resolves the SSE stream's second event: the test says when, after it has the first. */
let releaseSecond: () => void = () => undefined;

async function startFakeAnthropic(): Promise<void> {
  fake = createServer((req, res) => {
    const entry: Seen = { path: req.url ?? '', headers: req.headers, body: '' };
    seen.push(entry);
    if (req.url?.endsWith('/v1/messages/stream-up')) {
      // Answers on the request's first bytes: a proxy that buffered the body would hang here.
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.on('data', (c: Buffer) => {
        entry.body += c.toString();
        res.write(`got ${c.length}\n`);
      });
      req.on('end', () => res.end('end\n'));
      return;
    }
    if (req.url?.endsWith('/v1/messages/cut')) {
      // The API's connection drops mid-answer.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n', () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    req.on('data', (c: Buffer) => {
      entry.body += c.toString();
    });
    req.on('end', () => {
      if (req.url?.endsWith('/v1/messages') && entry.body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('event: message_start\ndata: {"type":"message_start"}\n\n');
        releaseSecond = () => res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'message', path: req.url }));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakePort = (fake.address() as AddressInfo).port;
}

/** A request over the proxy's unix socket: what the forwarder in the sandbox relays. */
function ask(proxy: ModelKeyProxy, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      { socketPath: join(proxy.dir, MODEL_SOCKET), path, method: body ? 'POST' : 'GET', headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let proxy: ModelKeyProxy;
/** A proxy holding the Bearer tokens (ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN) and no key. */
let tokens: ModelKeyProxy;
let root = '';
beforeAll(async () => {
  await startFakeAnthropic();
  proxy = await startModelKeyProxy({ anthropic: { apiKey, upstream: `http://127.0.0.1:${fakePort}` } });
  tokens = await startModelKeyProxy({ anthropic: { authToken, oauthToken, upstream: `http://127.0.0.1:${fakePort}` } });
  root = await mkdtemp(join(tmpdir(), 'ai-implement-model-'));
});
afterAll(async () => {
  await proxy?.close();
  await tokens?.close();
  await new Promise((r) => fake?.close(r));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the model key proxy', () => {
  it('lives in a 0700 directory, and the key is in none of its files', async () => {
    expect(statSync(proxy.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(proxy.dir, MODEL_SOCKET)).isSocket()).toBe(true);
    for (const name of await readdir(proxy.dir)) {
      if (name === MODEL_SOCKET) continue;
      expect(leakedIn(await readFile(join(proxy.dir, name), 'latin1'), [apiKey])).toEqual([]);
    }
  });

  it('replaces x-api-key and a Bearer authorization with the real key, and names the upstream host', async () => {
    seen.length = 0;
    const r = await ask(
      proxy,
      '/v1/messages?beta=true',
      {
        'x-api-key': MODEL_KEY_PLACEHOLDER,
        authorization: `Bearer ${MODEL_KEY_PLACEHOLDER}`,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
        host: 'evil.example',
      },
      '{"model":"claude","messages":[]}',
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ type: 'message', path: '/v1/messages?beta=true' });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.headers['x-api-key']).toBe(apiKey);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers.host).toBe(`127.0.0.1:${fakePort}`);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.body).toBe('{"model":"claude","messages":[]}');
    // What goes back to the sandbox does not carry it either.
    expect(r.text).not.toContain(apiKey);
  });

  it('puts the real token in a Bearer authorization that names its placeholder, and drops any other', async () => {
    seen.length = 0;
    const body = '{"model":"claude","messages":[]}';
    const asked: Record<string, string>[] = [
      { authorization: `Bearer ${MODEL_AUTH_TOKEN_PLACEHOLDER}`, 'x-api-key': 'sandbox-key' },
      { authorization: `Bearer ${MODEL_OAUTH_TOKEN_PLACEHOLDER}`, 'anthropic-beta': 'oauth-2025-04-20' },
      { authorization: `Bearer ${MODEL_KEY_PLACEHOLDER}` },
      { authorization: 'Bearer sk-ant-oat01-the-sandbox-own' },
    ];
    const answers = [];
    for (const headers of asked) answers.push(await ask(tokens, '/v1/messages', headers, body));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(seen.map((s) => ({ authorization: s.headers.authorization, key: s.headers['x-api-key'] }))).toEqual([
      { authorization: `Bearer ${authToken}`, key: undefined },
      { authorization: `Bearer ${oauthToken}`, key: undefined },
      { authorization: undefined, key: undefined },
      { authorization: undefined, key: undefined },
    ]);
    expect(seen[1]?.headers['anthropic-beta']).toBe('oauth-2025-04-20');
    expect(leakedIn(answers.map((a) => a.text).join('\n'), [authToken, oauthToken])).toEqual([]);
  });

  it('streams the SSE answer as it comes: the first event arrives before the second is written', async () => {
    const events = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const req = httpRequest(
        { socketPath: join(proxy.dir, MODEL_SOCKET), path: '/v1/messages', method: 'POST', headers: { 'x-api-key': 'x' } },
        (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          res.on('data', (c: Buffer) => {
            got.push(c.toString());
            if (got.length === 1) releaseSecond();
          });
          res.on('end', () => resolve(got));
        },
      );
      req.on('error', reject);
      req.setTimeout(5000, () => req.destroy(new Error('the stream was held back')));
      req.end('{"stream":true}');
    });
    expect(events.join('')).toContain('message_start');
    expect(events.join('')).toContain('message_stop');
    expect(events[0]).toContain('message_start');
    expect(events[0]).not.toContain('message_stop');
  });

  it('streams the request body too: the upstream answers its first bytes before the rest is sent', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          socketPath: join(proxy.dir, MODEL_SOCKET),
          path: '/v1/messages/stream-up',
          method: 'POST',
          headers: { 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let all = '';
          res.on('data', (c: Buffer) => {
            all += c.toString();
            if (all === 'got 5\n') req.end('world');
          });
          res.on('end', () => resolve(all));
        },
      );
      req.on('error', reject);
      req.setTimeout(5000, () => req.destroy(new Error('the request body was held back')));
      req.write('hello');
    });
    expect(text).toBe('got 5\ngot 5\nend\n');
  });

  it('cuts the answer off for the sandbox when the API drops it, rather than leave it hanging', async () => {
    const ending = await new Promise<string>((resolve) => {
      const req = httpRequest({ socketPath: join(proxy.dir, MODEL_SOCKET), path: '/v1/messages/cut' }, (res) => {
        res.on('data', () => undefined);
        res.once('end', () => resolve('ended'));
        res.once('error', () => resolve('cut off'));
        res.once('aborted', () => resolve('cut off'));
      });
      req.once('error', () => resolve('cut off'));
      req.setTimeout(5000, () => resolve('hanging'));
      req.end();
    });
    expect(ending).toBe('cut off');
  });

  it('answers 404 for anything but an API path, and forwards none of it', async () => {
    seen.length = 0;
    for (const path of ['/', '/api/hello', '/v2/messages', '/v1/../admin', '/v1/%2e%2e/admin', '/v1/..%2Fadmin', '/v1x']) {
      expect({ path, status: (await ask(proxy, path, { 'x-api-key': 'x' })).status }).toEqual({ path, status: 404 });
    }
    const absolute = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ socketPath: join(proxy.dir, MODEL_SOCKET), path: 'http://evil.example/v1/messages' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(absolute).toBe(404);
    expect(seen).toEqual([]);
  });

  it("keeps the configured base's path, and answers 502 when the API cannot be reached", async () => {
    seen.length = 0;
    const based = await startModelKeyProxy({ anthropic: { apiKey, upstream: `http://127.0.0.1:${fakePort}/anthropic/` } });
    try {
      expect((await ask(based, '/v1/models')).status).toBe(200);
      expect(seen.map((s) => s.path)).toEqual(['/anthropic/v1/models']);
    } finally {
      await based.close();
    }
    const closed = await startModelKeyProxy({ anthropic: { apiKey, upstream: 'http://127.0.0.1:1' } });
    try {
      expect((await ask(closed, '/v1/models')).status).toBe(502);
    } finally {
      await closed.close();
    }
    await expect(startModelKeyProxy({ anthropic: { apiKey, upstream: 'file:///etc/passwd' } })).rejects.toThrow(/http\(s\) URL/);
  });
});

describe('the model key proxy, from a bubblewrap sandbox', () => {
  async function inSandbox(
    egress: EgressProxy | undefined,
    modelApi: boolean,
    through = proxy,
    credentials: Record<string, string> = { ANTHROPIC_API_KEY: MODEL_KEY_PLACEHOLDER },
  ) {
    if (!findBwrap())
      throw new Error("bubblewrap (bwrap) is not installed: run scripts/ensure-test-tools.sh (Debian's bubblewrap)");
    const workspace = await mkdtemp(join(root, 'workspace-'));
    const sandbox = createBwrapSandbox({
      readOnly: [dirname(PROBE), ...agentInstallDirs(process.execPath, PATH)],
      modelApi: { dir: through.dir, node: process.execPath },
      ...(egress ? { egress: { dir: egress.dir, node: process.execPath } } : {}),
    });
    const r = await createShell({ sandbox, killGraceMs: 300 }).run({
      argv: [process.execPath, PROBE],
      cwd: workspace,
      env: { PATH, ...credentials },
      timeoutMs: 20_000,
      ...(modelApi ? { modelApi: true } : {}),
    });
    expect(r.exitCode, r.output).toBe(0);
    const seen = JSON.parse(r.output) as {
      env: Record<string, string>;
      files: Record<string, string>;
      status?: number;
      answer: string;
    };
    // The probe did look: the sandbox's init, and the proxy's directory when it is shown.
    expect(Object.keys(seen.files)).toContain('/proc/1/environ');
    if (modelApi) expect(Object.keys(seen.files)).toContain('/run/ai-implement-model/forwarder.cjs');
    return { text: r.output, seen };
  }

  it('reaches the API through the proxy with no network but the egress proxy, and sees no key', async () => {
    const egress = await startEgressProxy({ rules: [] });
    try {
      seen.length = 0;
      const { text, seen: inside } = await inSandbox(egress, true);
      expect(inside.status).toBe(200);
      expect(inside.answer).toContain('"type":"message"');
      expect(inside.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(inside.env.ANTHROPIC_API_KEY).toBe(MODEL_KEY_PLACEHOLDER);
      expect(seen.map((s) => s.headers['x-api-key'])).toEqual([apiKey]);
      expect(leakedIn(text, [apiKey])).toEqual([]);
    } finally {
      await egress.close();
    }
  });

  it("reaches it too with the host's network (egress open), on a port of its own", async () => {
    seen.length = 0;
    const { text, seen: inside } = await inSandbox(undefined, true);
    expect(inside.status).toBe(200);
    expect(seen.map((s) => s.headers['x-api-key'])).toEqual([apiKey]);
    expect(leakedIn(text, [apiKey])).toEqual([]);
  });

  it('reaches it with a Bearer token the sandbox holds only as a placeholder (ANTHROPIC_AUTH_TOKEN)', async () => {
    seen.length = 0;
    const { text, seen: inside } = await inSandbox(undefined, true, tokens, {
      ANTHROPIC_AUTH_TOKEN: MODEL_AUTH_TOKEN_PLACEHOLDER,
    });
    expect(inside.status).toBe(200);
    expect(inside.env.ANTHROPIC_AUTH_TOKEN).toBe(MODEL_AUTH_TOKEN_PLACEHOLDER);
    expect(seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${authToken}`]);
    expect(leakedIn(text, [authToken, oauthToken])).toEqual([]);
  });

  it('gives a command that is not the agent (setup, verify) no way to the model API', async () => {
    seen.length = 0;
    const { text, seen: inside } = await inSandbox(undefined, false);
    expect(inside.answer).toBe('no base');
    expect(inside.env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(text).not.toContain('/run/ai-implement-model/');
    expect(seen).toEqual([]);
  });
});
