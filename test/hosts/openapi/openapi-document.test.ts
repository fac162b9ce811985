import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyPath } from '../../../hosts/http/admin-guard.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { type Harness, jsonOf, startHarness } from '../harness.js';
import { checkOpenApi } from './openapi-checker.js';
import { documentedRoutes, METHODS, registeredRoutes } from './openapi-helpers.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

type Op = {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: { error?: string } }> }> }>;
};
const opsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as unknown as Op })),
  );
const messages = (op: Op, status: number) =>
  Object.values(op.responses[String(status)]?.content?.['application/json']?.examples ?? {}).map((e) => e.value.error);

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  let token: string;
  let doc: OpenApiDocument;
  beforeEach(async () => {
    h = await startHarness();
    token = await h.login();
    const res = await h.call('GET', '/api/v1/openapi.json', { token });
    expect(res.status).toBe(200);
    doc = (await jsonOf(res)) as unknown as OpenApiDocument;
  });
  afterEach(() => h.close());

  it('documents every route the app registers, and no route it does not', () => {
    const registered = registeredRoutes(h);
    const documented = documentedRoutes(doc);
    expect(registered.length).toBeGreaterThan(60);
    expect(
      registered.filter((r) => !documented.includes(r)),
      'registered but undocumented',
    ).toEqual([]);
    expect(
      documented.filter((r) => !registered.includes(r)),
      'documented but not registered',
    ).toEqual([]);
  });

  it('is a structurally sound OpenAPI 3.0.3 document with the package version', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.version).toBe(VERSION);
    expect(checkOpenApi(doc)).toEqual([]);
  });

  it('is the document the builder makes, served as JSON', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(VERSION))));
  });

  it('states the admin guard for every /api route the guard covers: bearer, 401 Unauthorized, 404 while disabled', () => {
    for (const { path, method, op } of opsOf(doc)) {
      const kind = classifyPath(path.replace(/\{[^}]+\}/g, 'x'));
      const at = `${method} ${path}`;
      if (kind === 'adminApi') {
        expect(op.security, at).toEqual([{ adminBearer: [] }]);
        expect(messages(op, 401), at).toContain('Unauthorized');
        expect(messages(op, 404), at).toContain('Not found');
      } else {
        expect(op.security, at).toBeDefined();
        expect(
          op.security?.some((s) => 'adminBearer' in s),
          at,
        ).toBe(false);
      }
    }
    const openapi = doc.paths['/api/v1/openapi.json']?.get as unknown as Op;
    expect(openapi.security).toEqual([{ adminBearer: [] }]);
  });

  it('carries the spec’s exact error strings', () => {
    const op = (method: string, path: string) => (doc.paths[path] as Record<string, unknown>)[method] as Op;
    expect(messages(op('post', '/api/token'), 403)).toEqual(['Invalid or expired nonce', 'Owner mismatch']);
    expect(messages(op('post', '/runner/result'), 401)).toEqual(
      expect.arrayContaining(['bad_signature', 'expired', 'malformed', 'wrong_audience', 'missing_bearer']),
    );
    expect(messages(op('post', '/trigger/gap-fill'), 501)).toEqual(['Gap fill trigger not configured']);
    expect(messages(op('post', '/api/runner-mode'), 409)).toEqual([
      'RUNNER_MODE env var is set; persisted to DB but has no effect at runtime until the env var is unset',
    ]);
    expect(messages(op('post', '/api/auth'), 403)).toEqual(['Invalid access code']);
    expect(messages(op('post', '/api/mappings'), 413)).toEqual(['Request body too large']);
    // Fields beside `error` have their own schema.
    const paused = op('post', '/trigger/gap-fill').responses['423']?.content?.['application/json'] as unknown as {
      schema: unknown;
      examples: Record<string, { value: unknown }>;
    };
    expect(paused.schema).toEqual({ $ref: '#/components/schemas/ProjectPausedError' });
    expect(Object.values(paused.examples)[0]?.value).toEqual({ error: 'project_paused', teamKey: 'ENG' });
  });

  it('describes the tracker bodies from the routes’ own zod schemas', () => {
    const body = (
      doc.paths['/api/tracker/issues']!.post as unknown as {
        requestBody: { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> };
      }
    ).requestBody.content['application/json']?.schema;
    expect(body?.required).toEqual(['teamKey', 'title']);
    expect(body?.properties.priority).toMatchObject({ type: 'integer', minimum: 0, maximum: 4 });
  });

  it('declares every security scheme the API uses', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(
      ['adminBearer', 'gapFillBearer', 'githubSignature', 'linearSignature', 'nonce', 'runToken'].sort(),
    );
  });
});

describe('the structure checker', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the test breaks the document in arbitrary places
  const good = () => JSON.parse(JSON.stringify(buildOpenApiDocument('1.0.0'))) as Record<string, any>;

  it('finds a dangling $ref, a missing answer, an undeclared path parameter and a wrong version', () => {
    const doc = good();
    doc.openapi = '3.1.0';
    doc.paths['/api/mappings'].get.responses = {};
    doc.paths['/api/mappings'].post.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    doc.paths['/api/dedup/{issueId}'].delete.parameters = [];
    doc.paths['/healthz'].get.security = [{ nobody: [] }];
    const problems = checkOpenApi(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        'openapi is 3.1.0',
        'GET /api/mappings: no responses',
        expect.stringContaining('$ref #/components/schemas/Nope does not resolve'),
        'DELETE /api/dedup/{issueId}: {issueId} has no path parameter',
        'GET /healthz: security scheme nobody is not defined',
      ]),
    );
  });

  it('passes the built document', () => {
    expect(checkOpenApi(good())).toEqual([]);
  });
});
