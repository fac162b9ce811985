import type { H3, H3Event, HTTPResponse } from 'h3';
import { getQuery } from 'h3';
import { Err, Ok, type Result } from 'neverthrow';
import type { z } from 'zod';
import { errorResponse, type HttpError, json } from './errors.js';
import { readRouteBody } from './route-input.js';

type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route outside the admin guard's reach (openapi-document.ts states the guard's
 * own routes from `classifyPath`): `public`, a run token, the gap-fill bearer, a webhook
 * signature, or the session nonce carried in the body.
 */
export type RouteSecurity = 'public' | 'runToken' | 'gapFillBearer' | 'githubSignature' | 'linearSignature' | 'nonce';

/**
 * How a body is read before its schema sees it: `json` any JSON value; `object` a JSON object
 * (any other value answers as a body that is not JSON); `optional` JSON or nothing (undefined);
 * `raw` the exact bytes, for signature checks (the schema then documents the payload only).
 */
type BodyRead = 'json' | 'object' | 'optional' | 'raw';

export interface BodySpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  read?: BodyRead;
  /** The answer to a body that is not JSON (default 400 `Invalid request body`); `undefined` hands nothing on. 413 stays 413. */
  notJson?: HttpError | 'undefined';
  /** The answer to a body that fails its schema, from zod's first issue (default 400 with the issue's message). */
  invalid?: (issue: z.core.$ZodIssue) => HttpError;
  /**
   * The use case judges the body: the spec orders its checks around state the route cannot see
   * (the team exists, Fly is configured, the issue is found, the caller is authorized), so the
   * schema documents the body and the JSON goes on as read.
   */
  judgedByUseCase?: true;
  /**
   * A field the schema (an object) does not name answers 400 `Unknown field: <name>` instead of
   * being dropped unseen — checked with a zod strict object even when the use case judges the values.
   */
  rejectUnknownFields?: true;
  description?: string;
}

/** A non-JSON answer (an HTML page, an asset, an event stream, metrics text). */
export interface RawResponseSpec {
  contentType: string;
  description: string;
}

export type ResponseSpec = z.ZodType | RawResponseSpec;

type ObjectSchema = z.ZodObject<z.ZodRawShape>;
type BodyOf<B> = B extends { read: 'raw' }
  ? Buffer
  : B extends { judgedByUseCase: true }
    ? B extends { read: 'object' }
      ? Record<string, unknown>
      : unknown
    : B extends BodySpec<infer S>
      ? z.output<S>
      : undefined;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

interface RouteInput<B, Q, P, A, H = undefined> {
  event: H3Event;
  body: BodyOf<B>;
  query: Parsed<Q>;
  params: Parsed<P>;
  /** The request headers the route's `headers` schema names (lower-case names). */
  headers: Parsed<H>;
  /** What `admit` granted (a run token's claims). */
  admitted: A;
}

/**
 * A use case's outcome, mapped once (the 2xx of `responses`, or the error table), or a response
 * made by hand. The outcome's type must fit the documented answer's schema, so the document
 * cannot promise a field the use case does not give.
 */
type RouteAnswer<T = unknown> = Result<T, HttpError> | Response | HTTPResponse;
type Success<R> = R[Extract<keyof R, 200 | 201 | 202>] extends infer S ? (S extends z.ZodType ? z.input<S> : never) : never;

export interface RouteSpec<
  Deps,
  B,
  Q,
  P,
  A,
  R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
  H extends ObjectSchema | undefined = undefined,
> {
  method: RouteMethod;
  /** h3 syntax: `/api/mappings/:teamKey`, `/admin/assets/**:path`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  security?: RouteSecurity;
  params?: P;
  query?: Q;
  /** Request headers, by lower-case name: a schema's first issue answers 400 with its message, after `admit`. */
  headers?: H;
  body?: B;
  /** What the spec checks before the body is read (a run token, a rate limit): its refusal answers first. */
  admit?: (event: H3Event, deps: Deps) => Result<A, HttpError>;
  /** Every answer but the errors, by status; the first 2xx is the status of a successful result. */
  responses: R;
  /** The failures it answers, as the error table's kinds; `(…)` and `{…}` in a message mark passed-through text. */
  errors?: readonly HttpError[];
  handler: (input: RouteInput<B, Q, P, A, H>, deps: Deps) => Promise<RouteAnswer<Success<R>>> | RouteAnswer<Success<R>>;
}

/** A route as the document sees it (no deps), and how to mount it. */
export interface RouteDefinition<Deps> {
  readonly spec: RouteSpec<
    Deps,
    BodySpec | undefined,
    ObjectSchema | undefined,
    ObjectSchema | undefined,
    unknown,
    Record<number, ResponseSpec>,
    ObjectSchema | undefined
  >;
  register(app: H3, deps: Deps): void;
}

/**
 * Routes of one module, bound to the deps they need: `const route = routesFor<XDeps>()`, then
 * `route({ … })` per operation. The schemas parse the request and, in openapi-document.ts,
 * describe it; the handler calls one use case and returns its `Result`.
 */
export function routesFor<Deps>() {
  return <
    B extends BodySpec | undefined = undefined,
    Q extends ObjectSchema | undefined = undefined,
    P extends ObjectSchema | undefined = undefined,
    A = undefined,
    R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
    H extends ObjectSchema | undefined = undefined,
  >(
    spec: RouteSpec<Deps, B, Q, P, A, R, H>,
  ): RouteDefinition<Deps> => ({
    spec: spec as unknown as RouteDefinition<Deps>['spec'],
    register: (app, deps) => {
      const status = successStatus(spec.responses);
      app[spec.method](spec.path, (event) => answer(spec, status, event, deps));
    },
  });
}

/** Where a route leaves the error it answered with: the security watch reads a refusal's code from it (security-watch.ts). */
export const ANSWERED_ERROR = 'aiImplementAnsweredError';

function refuse(event: H3Event, error: HttpError): Response {
  event.context[ANSWERED_ERROR] = error;
  return errorResponse(error);
}

/** `status`: the route's success status, found once at registration. */
async function answer<Deps, B, Q, P, A, R extends Record<number, ResponseSpec>, H extends ObjectSchema | undefined>(
  spec: RouteSpec<Deps, B, Q, P, A, R, H>,
  status: number,
  event: H3Event,
  deps: Deps,
) {
  let admitted = undefined as A;
  if (spec.admit) {
    const granted = spec.admit(event, deps);
    if (granted.isErr()) return refuse(event, granted.error);
    admitted = granted.value;
  }
  // Without a schema a part is undefined, and the request is not read for it (a query is parsed from the URL).
  const paramsSchema = spec.params as ObjectSchema | undefined;
  const params = paramsSchema ? parseOrInvalid(paramsSchema, event.context.params ?? {}) : NOTHING;
  if (params.isErr()) return refuse(event, params.error);
  const querySchema = spec.query as ObjectSchema | undefined;
  const query = querySchema ? parseOrInvalid(querySchema, getQuery(event)) : NOTHING;
  if (query.isErr()) return refuse(event, query.error);
  const headers = spec.headers ? parseOrInvalid(spec.headers, headersNamed(event, spec.headers)) : NOTHING;
  if (headers.isErr()) return refuse(event, headers.error);
  const body = await readRouteBody(event, spec.body as BodySpec | undefined);
  if (body.isErr()) return refuse(event, body.error);
  const input = {
    event,
    admitted,
    params: params.value,
    query: query.value,
    headers: headers.value,
    body: body.value,
  } as RouteInput<B, Q, P, A, H>;
  const result = await spec.handler(input, deps);
  if (!(result instanceof Ok || result instanceof Err)) return result;
  if (result.isOk()) return json(result.value, status);
  return refuse(event, result.error);
}

const NOTHING: Result<unknown, HttpError> = new Ok(undefined);

/** Path and query values: a schema's first issue answers 400 with its message (spec messages live in the schema). */
function parseOrInvalid(schema: ObjectSchema, value: unknown): Result<unknown, HttpError> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return new Ok(parsed.data);
  return new Err({ kind: 'invalid', message: parsed.error.issues[0]?.message ?? 'Bad request' });
}

/** The headers a schema names (absent ones left out), so that nothing else of the request reaches the handler. */
function headersNamed(event: H3Event, schema: ObjectSchema): Record<string, string> {
  const named: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = event.req.headers.get(name);
    if (value !== null) named[name] = value;
  }
  return named;
}

function successStatus(responses: Record<number, ResponseSpec>): number {
  return Number(Object.keys(responses).find((status) => status.startsWith('2')) ?? 200);
}
