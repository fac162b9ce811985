import { asFunction, asValue } from 'awilix';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../hosts/logger.js';
import type { Storage } from '../../ports/storage.port.js';
import { ACCESS_CODE, type Harness, startHarness } from './harness.js';

const MIB = 1024 * 1024;
/** The fuzzing client: its wrong access codes lock out its own address, not the harness's. */
const FUZZER = '203.0.113.99';

/** Every admin route that reads input, with a valid mapping present for the PATCH/DELETE ones. */
const ROUTES: [string, string][] = [
  ['POST', '/api/auth'],
  ['POST', '/api/mappings'],
  ['PATCH', '/api/mappings/ENG'],
  ['PATCH', '/api/mappings/NOPE'],
];

async function expectClientError(res: Response, context: string): Promise<Record<string, unknown>> {
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.headers.get('content-type'), context).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(typeof body.error, `${context}: ${JSON.stringify(body)}`).toBe('string');
  return body;
}

describe('bad input never yields a 500', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness('memory');
    token = await h.login();
    await h.call('POST', '/api/mappings', { body: { teamKey: 'ENG', owner: 'acme', repo: 'web', defaultBranch: 'main' }, token });
  });
  afterAll(async () => {
    await h.close();
  });

  it('arbitrary text bodies get a 4xx { error } on every route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.string({ maxLength: 200 }), async ([method, path], raw) => {
        const res = await h.call(method, path, { raw, token, ip: FUZZER });
        if (res.status === 200) return; // a random string that happens to be a valid body
        await expectClientError(res, `${method} ${path} ${JSON.stringify(raw)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON values get 200 or a 4xx { error }, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.jsonValue({ maxDepth: 4 }), async ([method, path], value) => {
        const res = await h.call(method, path, { raw: JSON.stringify(value), token, ip: FUZZER });
        if (res.status === 200) return;
        await expectClientError(res, `${method} ${path} ${JSON.stringify(value)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('mapping-shaped bodies with wrong types are refused or stored valid', async () => {
    const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    // Mostly valid values, so that a fair share of bodies is accepted and checked after storing.
    const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: anything });
    const body = fc.record(
      {
        teamKey: field(fc.constantFrom('ENG', 'WEB', 'X1')),
        owner: field(fc.constant('acme')),
        repo: field(fc.constant('web')),
        defaultBranch: field(fc.constantFrom('main', 'dev')),
        provider: field(fc.constantFrom('anthropic', 'bedrock')),
        awsRegion: field(fc.constant('us-east-1')),
        executionMode: field(fc.constantFrom('github-actions', 'fly-machines')),
        sessionMode: field(fc.constantFrom('autonomous', 'hybrid')),
        machineCpus: field(fc.integer({ min: -2, max: 8 })),
        machineMemoryMb: field(fc.integer({ min: 0, max: 8192 })),
        maxInProgressAiIssues: field(fc.integer({ min: -1, max: 10 })),
        extraEnv: field(fc.dictionary(fc.constantFrom('A', 'B_1'), fc.oneof(fc.string(), fc.integer()))),
        branchPrefix: field(fc.constantFrom('ai/', 'bots/ai-', 'a b', '..', 'x.lock/')),
        planningEnabled: field(fc.boolean()),
        planningWorkflowFile: field(fc.constantFrom('claude-plan.yml', '')),
        maxTurns: field(fc.integer({ min: -1, max: 100 })),
      },
      { requiredKeys: ['teamKey', 'owner', 'repo', 'defaultBranch'] },
    );
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await h.call('POST', '/api/mappings', { raw: JSON.stringify(b), token });
        if (res.status !== 200) {
          expect(res.status).toBe(400);
          await expectClientError(res, JSON.stringify(b));
          return;
        }
        stored++;
        const { mapping } = (await res.json()) as { mapping: Record<string, unknown> };
        for (const key of ['machineCpus', 'maxInProgressAiIssues']) {
          expect(Number.isInteger(mapping[key]) && (mapping[key] as number) >= 1, key).toBe(true);
        }
        expect(mapping.machineMemoryMb as number).toBeGreaterThanOrEqual(256);
        expect(Object.values(mapping.extraEnv as object).every((v) => typeof v === 'string')).toBe(true);
        if (mapping.provider === 'bedrock') {
          expect(mapping.awsRegion).toBeTruthy();
          expect(mapping.executionMode).toBe('github-actions');
        }
      }),
      { numRuns: 300 },
    );
    // The property is only worth something if some generated bodies were valid.
    expect(stored).toBeGreaterThan(0);
  });

  it('refuses bodies over 1 MiB with 413, declared or streamed', async () => {
    const huge = JSON.stringify({ teamKey: 'ENG', pad: 'x'.repeat(MIB) });
    for (const [method, path] of ROUTES) {
      const res = await h.call(method, path, { raw: huge, token });
      expect(res.status, `${method} ${path}`).toBe(413);
      expect(await res.json()).toEqual({ error: 'Request body too large' });
    }
    // No Content-Length: a stream that keeps going is cut off once past the limit.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        if (sent > 16 * MIB) controller.close();
      },
    });
    const res = await h.orchestrator.request('/api/mappings', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(4 * MIB);
  });

  it('accepts a body just under the limit (the limit is not off by one)', async () => {
    const body = JSON.stringify({ code: ACCESS_CODE, pad: 'x'.repeat(MIB - 100) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MIB);
    const res = await h.call('POST', '/api/auth', { raw: body });
    expect(res.status).toBe(200);
  });

  it.each<[string, RequestInit['body']]>([
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['deeply nested arrays', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['a BOM and garbage', '\ufeff{"teamKey"'],
  ])('answers %s with 400 Invalid request body', async (_name, raw) => {
    const res = await h.call('POST', '/api/mappings', { raw, token });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Invalid request body' });
  });

  it('answers unknown routes, wrong methods and malformed URLs with JSON errors', async () => {
    const cases: [string, string, number][] = [
      ['GET', '/nothing', 404],
      ['PUT', '/api/mappings', 404],
      ['GET', '/api/mappings/ENG/extra/parts', 404],
      ['GET', '/api/foo%', 400],
      ['POST', '/healthz', 404],
    ];
    for (const [method, path, status] of cases) {
      const res = await h.call(method, path, { token, raw: '{}' });
      expect(res.status, `${method} ${path}`).toBe(status);
      await expectClientError(res, `${method} ${path}`);
    }
  });
});

describe('an unexpected failure', () => {
  it('answers 500 Internal server error and logs without the secret', async () => {
    const lines: string[] = [];
    // Settings (the admin token salt), documents (admin sessions) and streams (audit) work; every other store explodes with a message quoting the secret.
    const exploding = new Proxy(
      {},
      {
        get: () => async () => {
          throw new Error(`storage exploded near ${ACCESS_CODE}`);
        },
      },
    );
    // Admin sessions are documents: those work too, so the login succeeds.
    const sessions = new Map<string, unknown>();
    const documents = {
      get: async (_c: unknown, id: string) => sessions.get(id),
      put: async (_c: unknown, id: string, value: unknown) => void sessions.set(id, value),
      list: async () => [...sessions.values()],
      delete: async (_c: unknown, id: string) => sessions.delete(id),
    };
    // The audit trail (a stream) works too: the sign-in is recorded there.
    const appended: unknown[] = [];
    const streams = {
      append: async (_s: unknown, entry: unknown) => void appended.push(entry),
      list: async () => [...appended],
      delete: async () => true,
    };
    const failing = new Proxy({} as Storage, {
      get: (_t, prop) =>
        prop === 'settings'
          ? { get: async () => 'salt-value-for-test', set: async () => undefined }
          : prop === 'documents'
            ? documents
            : prop === 'streams'
              ? streams
              : prop === 'close'
                ? async () => undefined
                : exploding,
    });
    const h = await startHarness(
      'memory',
      { ADMIN_ACCESS_CODE: ACCESS_CODE },
      {
        storage: asValue(failing),
        logger: asFunction(() => createLogger({ secrets: [ACCESS_CODE], write: (l) => lines.push(l) })).singleton(),
      },
    );
    const token = await h.login();
    const res = await h.call('GET', '/api/mappings', { token });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'Internal server error' });
    // The sign-in line, then the failure.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('admin signed in');
    expect(lines[1]).toContain('storage exploded near [redacted]');
    expect(lines.join('\n')).not.toContain(ACCESS_CODE);
    await h.close();
  });
});
