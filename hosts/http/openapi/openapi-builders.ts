/**
 * The small vocabulary the area files (`*.paths.ts`) describe their routes with, so each
 * operation reads as data: its body, its answer and the exact `{ error }` strings of the spec
 * (seeds/error-codes-…txt) for every status it can fail with.
 */

export type Schema = Record<string, unknown>;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface MediaType {
  schema: Schema;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { description: string; schema: Schema }>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
  /** A credential OpenAPI 3.0 cannot express as a scheme (the session nonce travels in the body). */
  'x-credential'?: string;
}

export type Paths = Record<string, Partial<Record<Method, Operation>>>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
/** Epoch milliseconds, as every timestamp the JSON API answers with. */
export const millis = (description = 'Epoch milliseconds'): Schema => ({ type: 'integer', description });

/** An object; `required` lists the properties always present. Extra properties are allowed. */
export function obj(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

export function jsonResponse(schema: Schema, description = 'OK'): ResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody(schema: Schema, description?: string, required = true): NonNullable<Operation['requestBody']> {
  return { required, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
}

export function pathParam(name: string, description: string): Parameter {
  return { name, in: 'path', required: true, description, schema: { type: 'string' } };
}

export function queryParam(name: string, description: string, schema: Schema = { type: 'string' }, required = false): Parameter {
  return { name, in: 'query', required, description, schema };
}

/** Example names must be map keys: `Invalid or expired nonce` → `invalid-or-expired-nonce`. */
function exampleKey(message: string, taken: Set<string>): string {
  const base =
    message
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'error';
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}-${n}`;
  taken.add(key);
  return key;
}

/**
 * The failure answers of an operation: per status, the spec's `error` strings (each becomes an
 * example of the `Error` body). A message in parentheses, like `(underlying error message)`,
 * marks a status whose text is passed through from elsewhere. `extra` names a schema that
 * adds fields beside `error` (423 `teamKey`, 502 `detail` and `dispatchStatus`).
 */
export function errors(
  table: Record<number, string[]>,
  extra: Record<number, { schema: Schema; example: Record<string, unknown> }> = {},
): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {};
  for (const [status, messages] of Object.entries(table)) {
    const taken = new Set<string>();
    const more = extra[Number(status)];
    const examples = Object.fromEntries(
      messages.map((message) => [exampleKey(message, taken), { value: { error: message, ...more?.example } }]),
    );
    out[status] = {
      description: messages.join('; '),
      content: { 'application/json': { schema: more ? more.schema : ref('Error'), examples } },
    };
  }
  return out;
}

/** Adds `messages` to a status of `responses` (creating it), keeping what is already there. */
export function addErrors(responses: Record<string, ResponseObject>, status: number, messages: string[]): void {
  const added = errors({ [status]: messages })[String(status)]!;
  const existing = responses[String(status)];
  if (!existing) {
    responses[String(status)] = added;
    return;
  }
  const media = existing.content?.['application/json'];
  if (!media) return;
  // A status whose body is not `{ error }` (DELETE mapping's `{ deleted: false }`) may be either.
  if (media.schema.$ref !== ref('Error').$ref && !media.schema.oneOf) media.schema = { oneOf: [media.schema, ref('Error')] };
  const known = new Set(Object.values(media.examples ?? {}).map((e) => (e.value as { error?: unknown }).error));
  const fresh = messages.filter((m) => !known.has(m));
  if (fresh.length === 0) return;
  const taken = new Set(Object.keys(media.examples ?? {}));
  media.examples = {
    ...media.examples,
    ...Object.fromEntries(fresh.map((m) => [exampleKey(m, taken), { value: { error: m } }])),
  };
  existing.description = `${existing.description}; ${fresh.join('; ')}`;
}
