import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../testing/fakes/jira/jira-fake.js';
import { type Answer, type CallOptions, expectClientError } from './server.js';
import { GAP_FILL_SECRET, startWorld, WEBHOOK_SECRET, type World } from './world.js';

/**
 * Bad input on every route that reads a body: malformed JSON, arrays, null, scalars, numbers
 * where strings go, 2 MiB bodies, unicode (and bytes that are not UTF-8), very long strings,
 * deep nesting, prototype keys. Each answer must be a 2xx (the input happened to be valid) or a
 * 4xx with an `error` field; never a 5xx, never a hang. Every answer is also checked (by the
 * server helper) for the configured secrets.
 */

const LINEAR_SECRET = 'conformance-linear-webhook-secret-11aa';
const MIB = 1024 * 1024;

interface Route {
  method: string;
  path: string;
  /** A plausible valid body, whose fields are swapped for bad values. */
  shape: Record<string, unknown>;
  /** Headers per body (signatures, bearers). */
  headers?: (raw: string) => Promise<Record<string, string>> | Record<string, string>;
  admin?: boolean;
}

let w: World;
let jira: FakeJira;
let routes: Route[];

beforeAll(async () => {
  jira = await startFakeJira();
  w = await startWorld({
    JIRA_HOST: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    LINEAR_WEBHOOK_SECRET: LINEAR_SECRET,
  });
  await w.mapping();
  const { env } = await w.dispatch('Fuzz target');
  const bearer = (token: string) => () => ({ authorization: `Bearer ${token}` });
  const step = { id: 's', type: 't', status: 'running', started_at: '2026-01-01T00:00:00Z' };
  routes = [
    { method: 'POST', path: '/api/auth', shape: { code: 'x' } },
    {
      method: 'POST',
      path: '/api/mappings',
      admin: true,
      shape: { teamKey: 'FZ', owner: 'acme', repo: 'w', defaultBranch: 'main', extraEnv: { A: 'b' }, machineCpus: 2 },
    },
    { method: 'PATCH', path: '/api/mappings/ENG', admin: true, shape: { maxInProgressAiIssues: 2 } },
    { method: 'PATCH', path: '/api/mappings/GHOST', admin: true, shape: { paused: true } },
    { method: 'POST', path: '/api/jira/validate-jql', admin: true, shape: { jql: 'project = ENG' } },
    { method: 'POST', path: '/api/runner-mode', admin: true, shape: { mode: 'shadow' } },
    { method: 'POST', path: '/api/settings', admin: true, shape: { flySessionsRegion: 'ord' } },
    { method: 'POST', path: '/api/global-secrets', admin: true, shape: { name: 'FUZZ', value: 'v' } },
    { method: 'POST', path: '/api/mappings/ENG/secrets', admin: true, shape: { name: 'FUZZ', value: 'v' } },
    { method: 'POST', path: '/api/mappings/GHOST/secrets', admin: true, shape: { name: 'FUZZ', value: 'v' } },
    { method: 'POST', path: '/api/v1/secrets/FUZZ_KEY', admin: true, shape: { value: 'v' } },
    {
      method: 'POST',
      path: '/api/tracker/issues',
      admin: true,
      shape: { teamKey: 'FZZ', title: 't', labels: ['x'], priority: 2 },
    },
    { method: 'PATCH', path: '/api/tracker/issues/ENG-1', admin: true, shape: { title: 't', priority: 1 } },
    { method: 'POST', path: '/api/tracker/issues/ENG-1/labels', admin: true, shape: { label: 'x' } },
    { method: 'POST', path: '/api/tracker/issues/ENG-1/comments', admin: true, shape: { body: 'hello' } },
    { method: 'POST', path: '/runner/progress', shape: { step }, headers: bearer(env.AI_IMPLEMENT_PROGRESS_TOKEN as string) },
    // A result with no valid phase can never consume the token, so the fuzz never ends the run.
    {
      method: 'POST',
      path: '/runner/result',
      shape: { phase: 'nope', outcome: 'success', comments: [] },
      headers: bearer(env.AI_IMPLEMENT_RESULT_TOKEN as string),
    },
    { method: 'POST', path: '/api/token', shape: { nonce: env.AI_IMPLEMENT_NONCE, owner: 'acme' } },
    { method: 'POST', path: '/api/status', shape: { nonce: env.AI_IMPLEMENT_NONCE, event: 'environment_ready' } },
    { method: 'POST', path: '/api/step-report', shape: { nonce: env.AI_IMPLEMENT_NONCE, step } },
    {
      method: 'POST',
      path: '/api/github/webhook',
      shape: { action: 'closed', number: 1, pull_request: { merged: true, number: 1 } },
      headers: async (raw) => ({
        'x-github-event': 'pull_request',
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex')}`,
      }),
    },
    { method: 'POST', path: '/trigger/gap-fill', shape: { issueKey: 'ENG-404', prNumber: 1 }, headers: bearer(GAP_FILL_SECRET) },
    {
      method: 'POST',
      path: '/webhooks/linear',
      shape: { action: 'create', type: 'Issue', data: { id: 'x' }, webhookTimestamp: Date.now() },
      headers: (raw) => ({ 'linear-signature': createHmac('sha256', LINEAR_SECRET).update(raw).digest('hex') }),
    },
  ];
}, 60_000);
afterAll(async () => {
  await w?.close();
  await jira?.close();
});

async function send(route: Route, raw: string | Uint8Array, extra: Partial<CallOptions> = {}): Promise<Answer> {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  const headers = { 'content-type': 'application/json', ...(await route.headers?.(text)), ...extra.headers };
  return w.s.call(route.method, route.path, { raw, headers, ...(route.admin ? { token: true } : {}), timeoutMs: 15_000 });
}

/**
 * The one 5xx the spec gives for bad input: POST /api/token answers an unparsable body with
 * 500 `Failed to generate token` (error-codes…txt).
 */
const SPECIFIED_5XX: Record<string, Record<string, unknown>> = {
  'POST /api/token': { error: 'Failed to generate token' },
};

function expectHandled(answer: Answer, context: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const specified = Object.entries(SPECIFIED_5XX).find(([route]) => context.startsWith(`${route} `))?.[1];
  if (answer.status === 500 && specified) {
    expect(answer.json, context).toEqual(specified);
    return;
  }
  expectClientError(answer, context);
}

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Bodies that are not what any route wants. */
const BAD_BODIES: [string, string | Uint8Array][] = [
  ['empty', ''],
  ['whitespace', '  \n '],
  ['not JSON', 'not json'],
  ['truncated object', '{"a":'],
  ['truncated array', '['],
  ['trailing garbage', '{"a":1} x'],
  ['single quotes', "{'a':1}"],
  ['null', 'null'],
  ['true', 'true'],
  ['zero', '0'],
  ['huge number', '1e999'],
  ['a string', '"hello"'],
  ['an empty array', '[]'],
  ['an array of objects', '[{"a":1},{"b":2}]'],
  ['an empty object', '{}'],
  ['__proto__ key', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
  ['deeply nested arrays', deep(20_000)],
  ['deeply nested objects', deepObject(5_000)],
  ['bytes that are not UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['a BOM before the JSON', '\ufeff{"a":1}'],
  ['NUL characters', '{"a":"\u0000\u0000"}'],
  ['lone surrogates', '{"a":"\\ud800\\udc00\\ud800"}'],
];

describe('bad bodies on every route that reads one', () => {
  it.each(BAD_BODIES)(
    '%s → 2xx or 4xx with an error field, never 5xx',
    async (name, raw) => {
      for (const route of routes) expectHandled(await send(route, raw), `${route.method} ${route.path} ${name}`);
    },
    120_000,
  );

  it('2 MiB bodies → 413 with an error field, on every route', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(2 * MIB) });
    for (const route of routes) {
      const answer = await send(route, big);
      expect(answer.status, `${route.method} ${route.path}`).toBe(413);
      expect(typeof answer.body.error).toBe('string');
    }
  }, 120_000);

  it('2 MiB bodies sent chunked (no Content-Length) → 413 or a closed connection, never a 5xx or a hang', async () => {
    // A server that stops reading an oversized upload may close the socket while the client is
    // still sending, which fetch reports as a reset; the answer, when it arrives first, is a 413.
    for (const route of routes.slice(0, 6)) {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 32; i++) controller.enqueue(chunk);
          controller.close();
        },
      });
      const res = await fetch(`${w.s.url}${route.path}`, {
        method: route.method,
        body: stream,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await w.s.adminToken()}` },
        duplex: 'half',
        signal: AbortSignal.timeout(15_000),
      } as RequestInit).catch((error: unknown) => error as Error);
      if (res instanceof Response) {
        expect(res.status, `${route.method} ${route.path}`).toBe(413);
        expect(typeof ((await res.json()) as { error?: unknown }).error).toBe('string');
      } else {
        expect(String((res.cause as { code?: string } | undefined)?.code ?? res.message)).toMatch(
          /ECONNRESET|EPIPE|other side closed/,
        );
      }
      // The server is still there.
      expect((await w.s.call('GET', '/healthz')).status).toBe(200);
    }
  }, 120_000);

  it('no Content-Type, or text/plain, is read the same way (never a 5xx)', async () => {
    for (const route of routes) {
      for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
        const answer = await w.s.call(route.method, route.path, {
          raw: 'a=1&b=2',
          headers: { ...(await route.headers?.('a=1&b=2')), ...(type ? { 'content-type': type } : {}) },
          ...(route.admin ? { token: true } : {}),
        });
        expectHandled(answer, `${route.method} ${route.path} ${type}`);
      }
    }
  }, 120_000);
});

/** Values that go where a field of another type is expected. */
const BAD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  true,
  [],
  ['a'],
  {},
  { nested: { deeper: [1, { x: null }] } },
  '',
  ' ',
  'x'.repeat(200_000),
  '😀🚀 ÉNG ü 中文 \u202e',
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, on purpose
  '${process.env.ADMIN_ACCESS_CODE}',
];

describe('numbers where strings go, strings where numbers go, and everything else', () => {
  it('each field of each route, swapped for each bad value → 2xx or 4xx with an error field', async () => {
    for (const route of routes) {
      for (const field of Object.keys(route.shape)) {
        for (const value of BAD_VALUES) {
          const raw = JSON.stringify({ ...route.shape, [field]: value });
          expectHandled(await send(route, raw), `${route.method} ${route.path} ${field}=${JSON.stringify(value).slice(0, 60)}`);
        }
      }
    }
  }, 300_000);

  it('nested step fields of the step routes, swapped for each bad value', async () => {
    const stepRoutes = routes.filter((r) => 'step' in r.shape);
    for (const route of stepRoutes) {
      const step = route.shape.step as Record<string, unknown>;
      for (const field of [...Object.keys(step), 'output', 'finished_at']) {
        for (const value of [...BAD_VALUES, JSON.parse(deepObject(3_000))]) {
          const raw = JSON.stringify({ ...route.shape, step: { ...step, [field]: value } });
          expectHandled(await send(route, raw), `${route.path} step.${field}`);
        }
      }
    }
  }, 300_000);

  it('arbitrary JSON values (property-based) → 2xx or 4xx with an error field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.object({ maxDepth: 3 })),
        async (i, value) => {
          const route = routes[i % routes.length] as Route;
          const body =
            typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...route.shape, ...value } : value;
          expectHandled(
            await send(route, JSON.stringify(body)),
            `${route.method} ${route.path} ${JSON.stringify(body).slice(0, 200)}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  }, 300_000);

  it('arbitrary text (property-based, full unicode) → 2xx or 4xx with an error field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.string({ unit: 'binary', maxLength: 300 }), async (i, raw) => {
        const route = routes[i % routes.length] as Route;
        expectHandled(await send(route, raw), `${route.method} ${route.path} ${JSON.stringify(raw)}`);
      }),
      { numRuns: 300 },
    );
  }, 300_000);
});

describe('odd paths and parameters', () => {
  const PATHS: [string, string][] = [
    ['GET', '/api/jobs/%ZZ/steps'],
    ['GET', `/api/jobs/${'j'.repeat(5000)}/steps`],
    ['GET', '/api/jobs/%00/steps'],
    ['DELETE', '/api/dedup/%E0%A4%A'],
    ['DELETE', '/api/dedup/..%2F..%2Fetc'],
    ['DELETE', '/api/mappings/%F0%9F%98%80'],
    ['PATCH', '/api/mappings/%ZZ'],
    ['GET', '/api/mappings/%ZZ/secrets'],
    ['DELETE', '/api/mappings/ENG/secrets/%ZZ'],
    ['DELETE', '/api/global-secrets/%ZZ'],
    ['DELETE', '/api/global-secrets/..%2Fapps'],
    ['DELETE', '/api/sessions/%ZZ'],
    ['DELETE', '/api/sessions/..%2F..%2Fapps'],
    ['POST', '/api/mappings/%ZZ/sync-workflows'],
    ['GET', '/api/jira/field-options?fieldId=%ZZ'],
    ['GET', '/api/jira/field-options?fieldId=../../rest'],
    ['GET', '/api/jira/field-options?fieldId=a&fieldId=b'],
    ['GET', '/api/reaper/recent?limit=-1'],
    ['GET', '/api/reaper/recent?limit=1e309'],
    ['GET', '/api/tracker/issues/%ZZ'],
  ];

  it.each(PATHS)('%s %.60s → never a 5xx, always JSON', async (method, path) => {
    const answer = await w.s.call(method, path, { token: true, body: { paused: true } });
    expect(answer.status, `${method} ${path}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    expect(answer.json, answer.text.slice(0, 200)).toBeDefined();
  });

  it('methods a route does not have → 4xx with an error field', async () => {
    for (const [method, path] of [
      ['PUT', '/api/mappings'],
      ['PATCH', '/api/auth'],
      ['GET', '/runner/result'],
      ['PUT', '/api/github/webhook'],
      ['GET', '/trigger/gap-fill'],
    ] as const) {
      expectClientError(await w.s.call(method, path, { token: true }), `${method} ${path}`);
    }
  });
});
