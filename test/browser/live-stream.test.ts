import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../hosts/cli/main.js';

/**
 * The admin page's event-stream client (hosts/admin/assets/live.js) against the real server, in
 * Node (fetch and TextDecoderStream are the browser's): it sends the bearer token in a header
 * (never in the URL), and after a dropped connection it resumes with Last-Event-ID and receives
 * the events published while it was away. The browser test covers the page around it.
 */

type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';
interface LiveEvent {
  id: string | undefined;
  type: string;
  data: { type?: string; teamKey?: string } | string;
}
interface LiveModule {
  startLive(handlers: {
    onEvent: (event: LiveEvent) => void;
    onState: (state: LiveState, detail: string) => void;
    onFallbackTick: () => void;
    path?: string;
    fallbackMs?: number;
    backoffMs?: number[];
  }): { stop(): void; lastEventId(): string | undefined };
  parseFrame(frame: string): { id: string | undefined; type: string; data: string | undefined };
}

const CODE = 'live-stream-code';
const MODULE = '../../hosts/admin/assets/live.js';
const quiet = { out: () => undefined, err: () => undefined };

let server: RunningServer;
let dataDir: string;
let token: string;
let live: LiveModule;
const realFetch = globalThis.fetch;
const g = globalThis as unknown as Record<string, unknown>;

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const createMapping = (teamKey: string) =>
  realFetch(`${server.url}/api/mappings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ teamKey, ticketing: 'local', owner: 'acme', repo: teamKey.toLowerCase(), defaultBranch: 'main' }),
  });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-live-stream-'));
  const started = await startServer(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_ACCESS_CODE: CODE,
      RUNNER_MODE: 'shadow',
      STORAGE_URL: 'memory:',
      DATA_DIR: dataDir,
      POLL_INTERVAL_MS: '86400000',
    },
    quiet,
  );
  if (!started) throw new Error('the server did not start');
  server = started;
  const auth = await realFetch(`${server.url}/api/auth`, { method: 'POST', body: JSON.stringify({ code: CODE }) });
  token = ((await auth.json()) as { token: string }).token;
  live = (await import(MODULE)) as LiveModule;
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  delete g.sessionStorage;
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the admin event-stream client', () => {
  it('parses SSE frames: id, event, data lines, comments', () => {
    expect(live.parseFrame('id: 4\nevent: job.created\ndata: {"a":1}')).toEqual({
      id: '4',
      type: 'job.created',
      data: '{"a":1}',
    });
    expect(live.parseFrame(': heartbeat')).toEqual({ id: undefined, type: 'message', data: undefined });
    expect(live.parseFrame('data: one\ndata: two')).toEqual({ id: undefined, type: 'message', data: 'one\ntwo' });
  });

  it('authenticates with the bearer header, and resumes after a drop with Last-Event-ID, missing nothing', async () => {
    g.sessionStorage = { getItem: () => token, setItem: () => undefined, removeItem: () => undefined };
    const requests: { url: string; headers: Record<string, string> }[] = [];
    let current: AbortController | undefined;
    globalThis.fetch = ((input: string, init: RequestInit = {}) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      requests.push({ url: String(input), headers });
      current = new AbortController();
      init.signal?.addEventListener('abort', () => current?.abort());
      return realFetch(input, { ...init, signal: current.signal });
    }) as typeof fetch;

    const events: LiveEvent[] = [];
    const states: LiveState[] = [];
    const client = live.startLive({
      onEvent: (event) => events.push(event),
      onState: (state) => states.push(state),
      onFallbackTick: () => undefined,
      path: `${server.url}/api/v1/events`,
    });
    try {
      await until(() => states.includes('live'), 'the stream to be live');
      expect(requests[0]?.url).toBe(`${server.url}/api/v1/events`); // no token in the URL
      expect(requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
      expect(requests[0]?.headers['last-event-id']).toBeUndefined();

      expect((await createMapping('ONE')).status).toBe(200);
      await until(() => events.some((e) => e.type === 'mapping.created'), 'the first event');
      const seen = client.lastEventId();
      expect(seen).toMatch(/^\d+$/);

      // The connection drops; a mapping is created while the page is away.
      current?.abort();
      await until(() => states.at(-1) === 'reconnecting', 'the client to notice the drop');
      expect((await createMapping('TWO')).status).toBe(200);

      await until(() => requests.length === 2 && states.at(-1) === 'live', 'the reconnect');
      expect(requests[1]?.headers['last-event-id']).toBe(seen);
      await until(
        () => events.some((e) => typeof e.data === 'object' && e.data.type === 'mapping.created' && e.data.teamKey === 'TWO'),
        'the missed event, replayed',
      );
      expect(Number(client.lastEventId())).toBeGreaterThan(Number(seen));
    } finally {
      client.stop();
      globalThis.fetch = realFetch;
    }
  });

  it('refreshes on a timer while the stream is down, and stops once it is back', async () => {
    g.sessionStorage = { getItem: () => token, setItem: () => undefined, removeItem: () => undefined };
    let down = true;
    globalThis.fetch = ((input: string, init?: RequestInit) =>
      down ? Promise.reject(new TypeError('connection refused')) : realFetch(input, init)) as typeof fetch;
    const states: LiveState[] = [];
    let ticks = 0;
    const client = live.startLive({
      onEvent: () => undefined,
      onState: (state) => states.push(state),
      onFallbackTick: () => {
        ticks += 1;
      },
      path: `${server.url}/api/v1/events`,
      fallbackMs: 100,
      backoffMs: [150],
    });
    try {
      await until(() => ticks >= 3, 'three fallback refreshes');
      expect(states).toContain('reconnecting');
      expect(states).not.toContain('live');
      down = false;
      await until(() => states.at(-1) === 'live', 'the stream back');
      const after = ticks;
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(ticks).toBe(after);
    } finally {
      client.stop();
      globalThis.fetch = realFetch;
    }
  });

  it('says offline when the token is refused (401), and asks for a refresh that takes the page to sign-in', async () => {
    g.sessionStorage = { getItem: () => 'v2.not-a-session.nope', setItem: () => undefined, removeItem: () => undefined };
    const states: LiveState[] = [];
    let ticks = 0;
    const client = live.startLive({
      onEvent: () => undefined,
      onState: (state) => states.push(state),
      onFallbackTick: () => {
        ticks += 1;
      },
      path: `${server.url}/api/v1/events`,
    });
    try {
      await until(() => states.includes('offline'), 'offline');
      expect(ticks).toBe(1);
      expect(states).not.toContain('live');
    } finally {
      client.stop();
    }
  });
});
