import { FastResponse } from 'srvx';
import { TEMPLATE_MESSAGES } from '../../core/domain/prompt-template.js';

/**
 * The one place where an outcome becomes an HTTP status and body. Services return these
 * kinds in their `Result`s; routes hand them to `errorResponse` untouched. Messages are the
 * spec's exact `error` strings (seeds/error-codes-…txt).
 */
export type HttpError =
  /** 400; `message` defaults to the admin API's "Invalid request body". */
  | { kind: 'invalidBody'; message?: string }
  /** 400 with a validation message from the core. */
  | { kind: 'invalid'; message: string }
  | { kind: 'unauthorized' }
  | { kind: 'badAccessCode' }
  | { kind: 'notFound' }
  | { kind: 'teamNotFound' }
  /** DELETE /api/mappings/:teamKey of a missing mapping: 404 `{ "deleted": false }`, no error field. */
  | { kind: 'notDeleted' }
  | { kind: 'issueNotFound' }
  | { kind: 'methodNotAllowed' }
  | { kind: 'tooLarge' }
  /** 401 for a webhook whose signature does not verify; the message says why. */
  | { kind: 'badSignature'; message: string }
  /** 400 for a webhook body that is not JSON (the GitHub webhook's "Invalid JSON payload"). */
  | { kind: 'invalidPayload' }
  /** 429 with Retry-After in whole seconds. */
  | { kind: 'rateLimited'; retryAfterMs: number }
  /** POST /api/auth from a client locked out after wrong codes: 429 with Retry-After. */
  | { kind: 'tooManyAttempts'; retryAfterMs: number }
  /**
   * 500 carrying the underlying message, where the spec says "(underlying error message)";
   * with `retryAfterMs` (an outside service holding us back) also a Retry-After in whole seconds.
   */
  | { kind: 'requestFailed'; message: string; retryAfterMs?: number }
  /** 501: the feature has no connection configured (e.g. "Jira not configured"). */
  | { kind: 'notConfigured'; message?: string }
  /** 502: the ticketing provider (or another upstream) failed; its message is passed on. */
  | { kind: 'upstream'; message: string }
  /** 503: the endpoint is disabled because its secret is unset (the GitHub webhook). */
  | { kind: 'unavailable'; message: string }
  /** 503: the store failed the request (down, unreachable, full); nothing it was asked to write happened. */
  | { kind: 'storageUnavailable' }
  /** /trigger/gap-fill (slug codes): 401 `unauthorized`, 404 `mapping_not_found`, 423, 502. */
  | { kind: 'triggerUnauthorized' }
  | { kind: 'mappingNotFound' }
  | { kind: 'projectPaused'; teamKey: string }
  /** 409 `gap_fill_in_progress`: the pull request's issue has a gap-fill run in flight. */
  | { kind: 'gapFillInProgress' }
  | { kind: 'dispatchFailed'; detail: string; dispatchStatus: string }
  /** /runner/* (slug codes): 401 a run token was refused (`missing_bearer`, `expired`, …). */
  | { kind: 'runTokenRejected'; code: string }
  /** /runner/*: 404 `job_not_found`, 409 `already_consumed`. */
  | { kind: 'runJobNotFound' }
  | { kind: 'alreadyConsumed' }
  /** 403 with the spec's message (`Invalid or expired nonce`, `Owner mismatch`). */
  | { kind: 'forbidden'; message: string }
  /** GET /api/jobs/:jobId/steps of an unknown job. */
  | { kind: 'jobNotFound' }
  /** 409 with the spec's message (POST /api/runner-mode while RUNNER_MODE is set). */
  | { kind: 'conflict'; message: string }
  /** DELETE /api/sessions/:machineId of a machine that is neither alive nor a job's. */
  | { kind: 'sessionNotFound' }
  /** Secrets: 404 `Secret not found`. */
  | { kind: 'secretNotFound' }
  /** GET /api/v1/attempts/:aid of an unknown job. */
  | { kind: 'attemptNotFound' }
  /** /api/v1/templates/:id, /api/v1/workspaces/:key, /api/v1/config/overlay/:path of nothing there. */
  | { kind: 'templateNotFound' }
  | { kind: 'workspaceNotFound' }
  | { kind: 'overlayPathNotFound' }
  | { kind: 'internal' };

type Entry<K extends HttpError['kind']> = {
  status: number;
  body: (error: Extract<HttpError, { kind: K }>) => Record<string, unknown>;
  headers?: (error: Extract<HttpError, { kind: K }>) => Record<string, string>;
  /** The OpenAPI component describing a body that is more than `{ error }` (openapi/components.schema.ts). */
  component?: string;
};

const TABLE: { [K in HttpError['kind']]: Entry<K> } = {
  invalidBody: { status: 400, body: (e) => ({ error: e.message ?? 'Invalid request body' }) },
  invalid: { status: 400, body: (e) => ({ error: e.message }) },
  unauthorized: { status: 401, body: () => ({ error: 'Unauthorized' }) },
  badAccessCode: { status: 403, body: () => ({ error: 'Invalid access code' }) },
  notFound: { status: 404, body: () => ({ error: 'Not found' }) },
  teamNotFound: { status: 404, body: () => ({ error: 'Team not found' }) },
  notDeleted: { status: 404, body: () => ({ deleted: false }), component: 'NotDeleted' },
  issueNotFound: { status: 404, body: () => ({ error: 'Issue not found' }) },
  methodNotAllowed: { status: 405, body: () => ({ error: 'Method not allowed' }) },
  tooLarge: { status: 413, body: () => ({ error: 'Request body too large' }) },
  badSignature: { status: 401, body: (e) => ({ error: e.message }) },
  invalidPayload: { status: 400, body: () => ({ error: 'Invalid JSON payload' }) },
  rateLimited: {
    status: 429,
    body: () => ({ error: 'Too many requests' }),
    headers: (e) => ({ 'retry-after': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) }),
  },
  tooManyAttempts: {
    status: 429,
    body: () => ({ error: 'Too many attempts' }),
    headers: (e) => ({ 'retry-after': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) }),
  },
  requestFailed: {
    status: 500,
    body: (e) => ({ error: e.message }),
    headers: (e): Record<string, string> =>
      e.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) },
  },
  notConfigured: { status: 501, body: (e) => ({ error: e.message ?? 'Not configured' }) },
  upstream: { status: 502, body: (e) => ({ error: e.message }) },
  unavailable: { status: 503, body: (e) => ({ error: e.message }) },
  storageUnavailable: { status: 503, body: () => ({ error: 'Storage unavailable' }), headers: () => ({ 'retry-after': '5' }) },
  triggerUnauthorized: { status: 401, body: () => ({ error: 'unauthorized' }) },
  mappingNotFound: { status: 404, body: () => ({ error: 'mapping_not_found' }) },
  projectPaused: {
    status: 423,
    body: (e) => ({ error: 'project_paused', teamKey: e.teamKey }),
    component: 'ProjectPausedError',
  },
  gapFillInProgress: { status: 409, body: () => ({ error: 'gap_fill_in_progress' }) },
  dispatchFailed: {
    status: 502,
    component: 'DispatchFailedError',
    body: (e) => ({ error: 'dispatch_failed', detail: e.detail, dispatchStatus: e.dispatchStatus }),
  },
  runTokenRejected: { status: 401, body: (e) => ({ error: e.code }) },
  runJobNotFound: { status: 404, body: () => ({ error: 'job_not_found' }) },
  alreadyConsumed: { status: 409, body: () => ({ error: 'already_consumed' }) },
  forbidden: { status: 403, body: (e) => ({ error: e.message }) },
  jobNotFound: { status: 404, body: () => ({ error: 'job not found' }) },
  conflict: { status: 409, body: (e) => ({ error: e.message }) },
  sessionNotFound: { status: 404, body: () => ({ error: 'Session not found' }) },
  secretNotFound: { status: 404, body: () => ({ error: 'Secret not found' }) },
  attemptNotFound: { status: 404, body: () => ({ error: 'Attempt not found' }) },
  templateNotFound: { status: 404, body: () => ({ error: TEMPLATE_MESSAGES.notFound }) },
  workspaceNotFound: { status: 404, body: () => ({ error: 'Workspace not found' }) },
  overlayPathNotFound: { status: 404, body: () => ({ error: 'Overlay path not found' }) },
  internal: { status: 500, body: () => ({ error: 'Internal server error' }) },
};

export function httpStatusOf(error: HttpError): number {
  return TABLE[error.kind].status;
}

/** What the table answers for `error`: the OpenAPI document describes each route's failures with this too. */
export function describeError(error: HttpError): { status: number; body: Record<string, unknown>; component?: string } {
  const entry = TABLE[error.kind] as Entry<typeof error.kind>;
  return { status: entry.status, body: entry.body(error as never), ...(entry.component ? { component: entry.component } : {}) };
}

export function errorResponse(error: HttpError): Response {
  const entry = TABLE[error.kind] as Entry<typeof error.kind>;
  return json(entry.body(error as never), entry.status, entry.headers?.(error as never));
}

/** An error h3 raised itself (no route, malformed URL, a body over srvx's limit) as one of ours. */
export function fromFrameworkStatus(status: number): HttpError {
  if (status === 404) return { kind: 'notFound' };
  if (status === 405) return { kind: 'methodNotAllowed' };
  if (status === 413) return { kind: 'tooLarge' };
  if (status >= 400 && status < 500) return { kind: 'invalidBody', message: 'Bad request' };
  return { kind: 'internal' };
}

/**
 * A JSON answer. srvx's `FastResponse` is a `Response` that the Node server writes straight
 * from its string (with a Content-Length) rather than through undici's Response and a web
 * stream; it becomes a full `Response` only when something reads it as one.
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const init = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers };
  const response = new JsonResponse(JSON.stringify(body), { status, headers: init });
  if (PLAIN_INIT_WRITTEN) response.pending = init;
  return response;
}

/**
 * A JSON answer that can take one more header (the request id) without making its `Headers`:
 * srvx's Node server writes a `FastResponse` from its plain init headers, read when it is sent,
 * and making undici's `Headers` (which checks every name and value) cost more than the rest of
 * the answer. Once anything reads it as a web Response (its headers, its body), the headers go
 * the ordinary way.
 */
class JsonResponse extends FastResponse {
  /** The init headers, while srvx will still write them as they are. */
  pending: Record<string, string> | undefined;
}
for (const key of ['headers', '_response']) {
  Object.defineProperty(JsonResponse.prototype, key, {
    configurable: true,
    get(this: JsonResponse) {
      this.pending = undefined;
      return Reflect.get(FastResponse.prototype, key, this);
    },
  });
}
/** Only srvx's Node response reads its init headers when sent; the web Response copies them at once. */
const PLAIN_INIT_WRITTEN = typeof Reflect.get(FastResponse.prototype, '_toNodeResponse') === 'function';

/** Sets a header of an answer on its way out (cheaply on a `json` answer nothing has read yet). */
export function setResponseHeader(response: Response, name: string, value: string): void {
  if (response instanceof JsonResponse && response.pending) response.pending[name] = value;
  else response.headers.set(name, value);
}
