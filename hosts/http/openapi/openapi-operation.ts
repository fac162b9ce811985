import type { z } from 'zod';
import { describeError, type HttpError } from '../errors.js';
import type { BodySpec, ResponseSpec, RouteDefinition, RouteSecurity } from '../route.js';
import { COMPONENTS } from '../schemas/components.schema.js';
import { addErrors, errorExamples, type Operation, type Parameter, type ResponseObject } from './openapi-builders.js';
import { descriptionOf, idOf, ref } from './openapi-schemas.js';

type Convert = (schema: z.ZodType) => Record<string, unknown>;

/** h3's `:id` and catch-all `**:path` as OpenAPI's `{id}`, `{path}`. */
export const openApiPath = (route: string) => route.replace(/\*\*:(\w+)/g, '{$1}').replace(/:(\w+)/g, '{$1}');

const SECURITY: Record<RouteSecurity, Record<string, string[]>[]> = {
  public: [],
  nonce: [],
  runToken: [{ runToken: [] }],
  gapFillBearer: [{ gapFillBearer: [] }],
  githubSignature: [{ githubSignature: [] }],
  linearSignature: [{ linearSignature: [] }],
};

const DEFAULT_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

/** One route's operation, from its own schemas and the error table (the guard's part is added by the document). */
export function operationOf(route: RouteDefinition<never>, convert: Convert): Operation {
  const { spec } = route;
  const op: Operation = { operationId: spec.operationId, tags: [spec.tag], summary: spec.summary, responses: {} };
  if (spec.description) op.description = spec.description;
  if (spec.security) op.security = SECURITY[spec.security];
  if (spec.security === 'nonce') op['x-credential'] = 'nonce';
  const parameters = [
    ...pathParameters(spec.path, spec.params, convert),
    ...namedParameters('query', spec.query, convert),
    ...namedParameters('header', spec.headers, convert),
  ];
  if (parameters.length > 0) op.parameters = parameters;
  if (spec.body) op.requestBody = requestBody(spec.body, convert);
  for (const [status, response] of Object.entries(spec.responses)) op.responses[status] = responseOf(status, response, convert);
  for (const [status, response] of Object.entries(errorResponses(spec.errors ?? []))) op.responses[status] = response;
  return op;
}

function pathParameters(path: string, params: z.ZodObject | undefined, convert: Convert): Parameter[] {
  return [...openApiPath(path).matchAll(/\{(\w+)\}/g)].map(([, name = '']) => {
    const field = params?.shape[name] as z.ZodType | undefined;
    if (!field) throw new Error(`openapi: ${path} has no schema for its path parameter ${name}`);
    return { name, in: 'path', required: true, description: descriptionOf(field) ?? name, schema: plainSchema(field, convert) };
  });
}

function namedParameters(place: 'query' | 'header', schema: z.ZodObject | undefined, convert: Convert): Parameter[] {
  return Object.entries(schema?.shape ?? {}).map(([name, field]) => ({
    name,
    in: place,
    // Required when the route refuses it missing (a `.catch` or `.optional` field is not).
    required: !(field as z.ZodType).safeParse(undefined).success,
    description: descriptionOf(field as z.ZodType) ?? name,
    schema: plainSchema(field as z.ZodType, convert),
  }));
}

/** A parameter's schema, its description moved onto the parameter. */
function plainSchema(field: z.ZodType, convert: Convert): Record<string, unknown> {
  const { description: _, ...schema } = convert(field);
  return schema;
}

function requestBody(body: BodySpec, convert: Convert): NonNullable<Operation['requestBody']> {
  const description = body.description ?? descriptionOf(body.schema);
  return {
    required: body.read !== 'optional',
    ...(description ? { description } : {}),
    content: { 'application/json': { schema: convert(body.schema) } },
  };
}

function responseOf(status: string, response: ResponseSpec, convert: Convert): ResponseObject {
  if ('contentType' in response) {
    return { description: response.description, content: { [response.contentType]: { schema: { type: 'string' } } } };
  }
  const description = descriptionOf(response) ?? DEFAULT_DESCRIPTIONS[status] ?? 'OK';
  return { description, content: { 'application/json': { schema: convert(response) } } };
}

/**
 * The failures by status, as the error table answers them: each message becomes an example of
 * the `Error` body, a body with more fields names its component, a body with no `error` (the
 * mapping's `{ deleted: false }`) is described by its component alone.
 */
function errorResponses(errors: readonly HttpError[]): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {};
  for (const error of errors) {
    const { status, body, component } = describeError(error);
    const message = typeof body.error === 'string' ? body.error : undefined;
    if (message && !component) {
      addErrors(out, status, [message]);
      continue;
    }
    const existing = out[String(status)];
    if (existing) throw new Error(`openapi: status ${status} mixes ${component} with another body`);
    const named = COMPONENTS.find((schema) => idOf(schema) === component);
    out[String(status)] = {
      description: message ?? (named && descriptionOf(named)) ?? `\`${JSON.stringify(body)}\``,
      content: {
        'application/json': {
          schema: ref(component ?? 'Error'),
          ...(message ? { examples: errorExamples([body]) } : {}),
        },
      },
    };
  }
  return out;
}
