import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropic {
  url: string;
  /** The key of every request, in order. */
  keys: string[];
  close(): Promise<void>;
}

const MODELS = [
  { type: 'model', id: 'claude-fake-large-1', display_name: 'Claude Fake Large', created_at: '2026-01-01T00:00:00Z' },
  { type: 'model', id: 'claude-fake-small-1', display_name: 'Claude Fake Small', created_at: '2026-02-01T00:00:00Z' },
  { type: 'model', id: 'claude-fake-tiny-1', display_name: 'Claude Fake Tiny', created_at: '2026-03-01T00:00:00Z' },
];

/**
 * Anthropic's `GET /v1/models` on loopback, paged two at a time (`after_id`, `has_more`) as the
 * real API pages: a 401 `authentication_error` for any key but `validKey`.
 */
export async function startFakeAnthropic(validKey: string): Promise<FakeAnthropic> {
  const keys: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // The SDK sends the key as `x-api-key` or as a bearer token, depending on its version.
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const key = String(req.headers['x-api-key'] ?? bearer ?? '');
    keys.push(key);
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/v1/models' || req.method !== 'GET') {
      res.writeHead(404).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
      return;
    }
    if (key !== validKey) {
      res
        .writeHead(401)
        .end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
      return;
    }
    const after = url.searchParams.get('after_id');
    const start = after ? MODELS.findIndex((m) => m.id === after) + 1 : 0;
    const data = MODELS.slice(start, start + 2);
    res.writeHead(200).end(
      JSON.stringify({
        data,
        has_more: start + 2 < MODELS.length,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
