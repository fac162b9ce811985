/**
 * A wire-level fake of Linear's GraphQL endpoint on 127.0.0.1, so the real `@linear/sdk` runs
 * in the tests. Every request is parsed, validated and executed against Linear's published
 * schema: a query Linear would reject is rejected here too. It answers the way Linear does:
 * - a wrong or missing `Authorization` (the API key, verbatim) → HTTP 400 with an
 *   `authentication error` / `AUTHENTICATION_ERROR` GraphQL error;
 * - over the request budget → HTTP 400 with a `ratelimited` / `RATELIMITED` error and the
 *   `X-RateLimit-Requests-*` headers (reset in epoch milliseconds), which the SDK turns into
 *   `RatelimitedLinearError`;
 * - an invalid query → HTTP 400 with a `graphql error`; an unknown entity → `Entity not found`.
 * Faults can be queued for the next requests (`fail`), and every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, execute, type GraphQLError, type OperationDefinitionNode, parse, validate } from 'graphql';
import { createRoot } from './resolvers.js';
import { fieldResolver, linearSchema } from './schema.js';
import { LinearStore } from './store.js';

export type LinearFault =
  /** Linear's rate-limit answer; `status: 429` mimics a proxy in front of it. */
  | { kind: 'rateLimited'; resetInMs?: number; retryAfterSeconds?: number; status?: 400 | 429 }
  /**
   * A 5xx from the edge, with an HTML body (500 → the SDK's InternalLinearError, 502/503 →
   * NetworkLinearError). `afterExecuting`: the request takes effect and only the answer is
   * lost, the case that makes blind retries of mutations double their effect.
   */
  | { kind: 'serverError'; status?: number; afterExecuting?: boolean }
  | { kind: 'auth' }
  /** The connection is cut before any answer. */
  | { kind: 'network' }
  /** The request is read and never answered (until the fake closes): a hung Linear. */
  | { kind: 'hang' };

export interface RecordedRequest {
  /** The name after `query`/`mutation` (the SDK sends no `operationName`). */
  operationName?: string;
  query: string;
  variables: Record<string, unknown>;
  authorization?: string;
  status: number;
}

export interface FakeLinearOptions {
  apiKey?: string;
  /** A request budget per window, like Linear's; unset: unlimited. */
  rateLimit?: { requests: number; windowMs: number };
  /** Milliseconds to hold every answer, to let concurrent calls overlap. */
  latencyMs?: number;
}

export interface FakeLinear {
  /** The GraphQL endpoint, for `new LinearClient({ apiKey, apiUrl: url })`. */
  readonly url: string;
  readonly apiKey: string;
  readonly store: LinearStore;
  readonly requests: RecordedRequest[];
  /** Queues faults: the next requests (one per fault) get them instead of an answer. */
  fail(...faults: LinearFault[]): void;
  /** A fault every request gets once the queue is empty, until set to undefined. */
  failEvery(fault: LinearFault | undefined): void;
  /** Requests whose operation has this name. */
  requestsNamed(operationName: string): RecordedRequest[];
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const errorBody = (message: string, type: string, code: string, statusCode: number, userPresentableMessage = message) => ({
  errors: [{ message, extensions: { type, code, statusCode, userError: true, userPresentableMessage } }],
});

const AUTH_FAILED: Answer = {
  status: 400,
  body: errorBody(
    'Authentication required, not authenticated',
    'authentication error',
    'AUTHENTICATION_ERROR',
    401,
    'You need to authenticate to access this operation.',
  ),
};

function rateLimited(fault: Extract<LinearFault, { kind: 'rateLimited' }>, limit: number): Answer {
  const resetAt = Date.now() + (fault.resetInMs ?? 60_000);
  const headers: Record<string, string> = {
    'x-ratelimit-requests-limit': String(limit),
    'x-ratelimit-requests-remaining': '0',
    'x-ratelimit-requests-reset': String(resetAt),
  };
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  return {
    status: fault.status ?? 400,
    headers,
    body: errorBody(
      `Rate limit exceeded. Only ${limit} requests are allowed per 1 hour.`,
      'ratelimited',
      'RATELIMITED',
      429,
      'Rate limit exceeded. Please try again later.',
    ),
  };
}

function operationOf(document: DocumentNode): OperationDefinitionNode | undefined {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
}

/** A GraphQL error as Linear serialises it: its own `extensions` if it set them, else an internal error. */
function serialise(error: GraphQLError) {
  const json = error.toJSON();
  if (error.extensions?.type) return json;
  return { ...json, extensions: { type: 'internal error', code: 'INTERNAL_ERROR', statusCode: 500, userError: false } };
}

export async function startFakeLinear(options: FakeLinearOptions = {}): Promise<FakeLinear> {
  const apiKey = options.apiKey ?? 'lin_api_fake_0123456789';
  const schema = linearSchema();
  const store = new LinearStore();
  const root = createRoot(store);
  const requests: RecordedRequest[] = [];
  const faults: LinearFault[] = [];
  let standing: LinearFault | undefined;
  const budget = options.rateLimit;
  let windowStart = Date.now();
  let used = 0;

  /** Fills in what the request asked for, before any fault, so a failed request is recorded too. */
  function describe(body: string, record: RecordedRequest): void {
    try {
      const payload = JSON.parse(body) as { query?: unknown; variables?: unknown };
      if (typeof payload.query === 'string') record.query = payload.query;
      if (payload.variables && typeof payload.variables === 'object')
        record.variables = payload.variables as Record<string, unknown>;
      const name = operationOf(parse(record.query))?.name?.value;
      if (name) record.operationName = name;
    } catch {
      // Malformed requests are answered (and recorded) by `answer`.
    }
  }

  async function answer(body: string, authorization: string | undefined): Promise<Answer | 'cut'> {
    const fault = faults.shift() ?? standing;
    if (fault?.kind === 'hang') return new Promise<never>(() => {});
    if (fault?.kind === 'network') return 'cut';
    if (fault?.kind === 'serverError') {
      if (fault.afterExecuting) await serve(body, authorization);
      return { status: fault.status ?? 500, body: '<html><body>Internal Server Error</body></html>' };
    }
    if (fault?.kind === 'rateLimited') return rateLimited(fault, budget?.requests ?? 5000);
    if (fault?.kind === 'auth') return AUTH_FAILED;
    return serve(body, authorization);
  }

  async function serve(body: string, authorization: string | undefined): Promise<Answer> {
    if (authorization !== apiKey) return AUTH_FAILED;

    if (budget) {
      if (Date.now() - windowStart >= budget.windowMs) {
        windowStart = Date.now();
        used = 0;
      }
      if (++used > budget.requests) {
        return rateLimited({ kind: 'rateLimited', resetInMs: windowStart + budget.windowMs - Date.now() }, budget.requests);
      }
    }

    let payload: { query?: unknown; variables?: Record<string, unknown> };
    try {
      payload = JSON.parse(body);
    } catch {
      return { status: 400, body: errorBody('Body is not valid JSON', 'graphql error', 'BAD_REQUEST', 400) };
    }
    if (typeof payload.query !== 'string') {
      return { status: 400, body: errorBody('Must provide query string.', 'graphql error', 'BAD_REQUEST', 400) };
    }
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return { status: 400, body: errorBody((error as Error).message, 'graphql error', 'GRAPHQL_PARSE_FAILED', 400) };
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) {
      return {
        status: 400,
        body: {
          errors: invalid.map((e) => ({
            ...e.toJSON(),
            extensions: { type: 'graphql error', code: 'GRAPHQL_VALIDATION_FAILED', statusCode: 400, userError: true },
          })),
        },
      };
    }
    const result = await execute({ schema, document, rootValue: root, variableValues: payload.variables ?? {}, fieldResolver });
    if (!result.errors) return { status: 200, body: { data: result.data } };
    const errors = result.errors.map(serialise);
    return { status: result.data ? 200 : 400, body: result.data ? { data: result.data, errors } : { errors, data: null } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const authorization = req.headers.authorization;
    const record: RecordedRequest = { query: '', variables: {}, status: 0, ...(authorization ? { authorization } : {}) };
    requests.push(record);
    if (req.method !== 'POST') {
      record.status = 405;
      res.writeHead(405).end();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    describe(body, record);
    const result = await answer(body, authorization);
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (result === 'cut') {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    record.status = result.status;
    const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    const contentType = typeof result.body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
    const remaining = budget ? Math.max(0, budget.requests - used) : 5000;
    res.writeHead(result.status, {
      'content-type': contentType,
      'x-ratelimit-requests-limit': String(budget?.requests ?? 5000),
      'x-ratelimit-requests-remaining': String(remaining),
      'x-ratelimit-requests-reset': String(windowStart + (budget?.windowMs ?? 3_600_000)),
      ...result.headers,
    });
    res.end(text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    store,
    requests,
    fail: (...more) => {
      faults.push(...more);
    },
    failEvery: (fault) => {
      standing = fault;
    },
    requestsNamed: (operationName) => requests.filter((r) => r.operationName === operationName),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
