/**
 * The OpenAPI 3.0 shapes the document is made of, and the one rule for failure answers: per
 * status, the spec's `error` strings (seeds/error-codes-…txt), each an example of the body.
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

const ERROR_REF = '#/components/schemas/Error';

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

/** Error bodies (`{ error, …more }`) as named examples. */
export function errorExamples(
  bodies: Record<string, unknown>[],
  taken = new Set<string>(),
): Record<string, { value: Record<string, unknown> }> {
  return Object.fromEntries(bodies.map((body) => [exampleKey(String(body.error), taken), { value: body }]));
}

/**
 * Adds `messages` to a status of `responses` (creating it as the `Error` body), keeping what is
 * already there. A message in parentheses, like `(underlying error message)`, or with a
 * `{placeholder}`, marks text passed through from elsewhere.
 */
export function addErrors(responses: Record<string, ResponseObject>, status: number, messages: string[]): void {
  const existing = responses[String(status)];
  if (!existing) {
    responses[String(status)] = {
      description: messages.join('; '),
      content: {
        'application/json': { schema: { $ref: ERROR_REF }, examples: errorExamples(messages.map((error) => ({ error }))) },
      },
    };
    return;
  }
  const media = existing.content?.['application/json'];
  if (!media) return;
  // A status whose body is not `{ error }` (DELETE mapping's `{ deleted: false }`) may be either.
  if (media.schema.$ref !== ERROR_REF && !media.schema.oneOf) media.schema = { oneOf: [media.schema, { $ref: ERROR_REF }] };
  const known = new Set(Object.values(media.examples ?? {}).map((e) => (e.value as { error?: unknown }).error));
  const fresh = messages.filter((m) => !known.has(m));
  if (fresh.length === 0) return;
  const taken = new Set(Object.keys(media.examples ?? {}));
  media.examples = {
    ...media.examples,
    ...errorExamples(
      fresh.map((error) => ({ error })),
      taken,
    ),
  };
  existing.description = `${existing.description}; ${fresh.join('; ')}`;
}
