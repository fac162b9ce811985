import { H3 } from 'h3';
import { err, ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../../hosts/http/openapi/openapi-document.js';
import { routesFor } from '../../../hosts/http/route.js';
import { pathParam } from '../../../hosts/http/schemas/params.schema.js';

/**
 * One route definition is both the parser and the document: what it refuses, it answers through
 * the error table; what it documents is what it parses.
 */

interface Deps {
  seen: unknown[];
  open: boolean;
}
const route = routesFor<Deps>();

const create = route({
  method: 'post',
  path: '/api/things/:name',
  operationId: 'createThing',
  tag: 'Things',
  summary: 'Create a thing',
  params: z.object({ name: pathParam('The thing') }),
  query: z.object({ limit: z.coerce.number().int().min(1).catch(10).describe('How many') }),
  admit: (_event, { open }) => (open ? ok('granted') : err({ kind: 'unauthorized' })),
  body: {
    schema: z.object({ size: z.number({ error: 'size is required' }).int() }),
    notJson: { kind: 'invalidBody', message: 'Invalid JSON body' },
  },
  responses: { 201: z.object({ name: z.string(), size: z.number(), limit: z.number(), admitted: z.string() }) },
  errors: [{ kind: 'invalid', message: 'size is required' }, { kind: 'teamNotFound' }],
  handler: ({ params, query, body, admitted }, { seen }) => {
    seen.push(body);
    return params.name === 'missing'
      ? err({ kind: 'teamNotFound' })
      : ok({ name: params.name, size: body.size, limit: query.limit, admitted });
  },
});

const judged = route({
  method: 'patch',
  path: '/api/things/:name',
  operationId: 'patchThing',
  tag: 'Things',
  summary: 'Change a thing (the use case judges the body)',
  params: z.object({ name: pathParam('The thing') }),
  body: { schema: z.object({ size: z.number() }), read: 'object', judgedByUseCase: true },
  responses: { 200: z.object({ ok: z.literal(true) }) },
  handler: ({ body }, { seen }) => {
    seen.push(body);
    return ok({ ok: true as const });
  },
});

function appWith(open = true) {
  const app = new H3();
  const deps: Deps = { seen: [], open };
  for (const r of [create, judged]) r.register(app, deps);
  const call = async (method: string, path: string, body?: string) => {
    const res = await app.request(path, { method, headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return { deps, call };
}

describe('a route definition', () => {
  it('parses params, query and body, and answers the first 2xx it declares', async () => {
    const { call } = appWith();
    expect(await call('POST', '/api/things/a%20b?limit=3', '{"size":2,"extra":1}')).toEqual({
      status: 201,
      body: { name: 'a b', size: 2, limit: 3, admitted: 'granted' },
    });
    expect((await call('POST', '/api/things/x?limit=nope', '{"size":2}')).body).toMatchObject({ limit: 10 });
  });

  it('answers a schema failure with the schema’s message, and a body that is not JSON as the route says', async () => {
    const { call, deps } = appWith();
    expect(await call('POST', '/api/things/x', '{"size":"big"}')).toEqual({ status: 400, body: { error: 'size is required' } });
    expect(await call('POST', '/api/things/x', '{nope')).toEqual({ status: 400, body: { error: 'Invalid JSON body' } });
    expect(deps.seen).toEqual([]);
  });

  it('checks what it admits before it reads the body', async () => {
    const { call } = appWith(false);
    expect(await call('POST', '/api/things/x', '{nope')).toEqual({ status: 401, body: { error: 'Unauthorized' } });
  });

  it('maps a use case’s error through the error table', async () => {
    const { call } = appWith();
    expect(await call('POST', '/api/things/missing', '{"size":1}')).toEqual({ status: 404, body: { error: 'Team not found' } });
  });

  it('hands a body the use case judges on as read, once it is a JSON object', async () => {
    const { call, deps } = appWith();
    expect((await call('PATCH', '/api/things/x', '{"size":"big"}')).status).toBe(200);
    expect(deps.seen).toEqual([{ size: 'big' }]);
    expect(await call('PATCH', '/api/things/x', '[1]')).toEqual({ status: 400, body: { error: 'Invalid request body' } });
  });

  it('describes itself with the same schemas and the table’s messages', () => {
    const doc = buildOpenApiDocument('test', [create, judged] as never);
    const op = doc.paths['/api/things/{name}']?.post;
    expect(op?.parameters).toEqual([
      { name: 'name', in: 'path', required: true, description: 'The thing', schema: { type: 'string' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'How many',
        schema: { type: 'integer', minimum: 1, default: 10 },
      },
    ]);
    expect(op?.requestBody?.content['application/json']?.schema).toEqual({
      type: 'object',
      properties: { size: { type: 'integer' } },
      required: ['size'],
    });
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['201', '400', '401', '404', '413']);
    const examples = (status: string) =>
      Object.values(op?.responses[status]?.content?.['application/json']?.examples ?? {}).map(
        (e) => (e.value as { error: string }).error,
      );
    expect(examples('400')).toEqual(['size is required']);
    expect(examples('404')).toEqual(['Team not found', 'Not found']);
    expect(examples('401')).toEqual(['Unauthorized']);
  });
});
