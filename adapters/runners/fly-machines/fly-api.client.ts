import { errAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/timed-fetch.js';

/**
 * A thin client for Fly's Machines REST API (`https://api.machines.dev`, or `FLY_API_URL`).
 * Every outcome is a `ServiceError` at this boundary: nothing it returns throws.
 *
 * Fly answers errors as `{ "error": "…" }` with conventional statuses (401 bad token, 404 unknown
 * app / machine / secret, 412 failed precondition, 429 slow down, 5xx its own trouble).
 */
export interface FlyApiOptions {
  /** Base URL, e.g. `https://api.machines.dev`; a trailing `/v1` (as Fly's docs write it) is accepted too. */
  apiUrl: string;
  /** A Fly API token; a macaroon given as `FlyV1 fm2_…` is sent as is, anything else as a bearer. */
  token: string;
  /** Per-request timeout (default 15 s); a request past it is `unavailable`. */
  timeoutMs?: number;
  /**
   * The connection's request governor (one per API URL and token, shared by the runner and the
   * secrets store): no request inside a `Retry-After` window or while the circuit is open.
   * None: every request goes.
   */
  governor?: RequestGovernor;
  fetch?: typeof fetch;
}

export interface FlyRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface FlyApi {
  request<T>(method: string, path: string, init?: FlyRequest): ResultAsync<T | undefined, ServiceError>;
}

/** The wait Fly did not specify on a 429 without `Retry-After`. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

export function createFlyApi(options: FlyApiOptions): FlyApi {
  const base = options.apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const authorization = options.token.startsWith('FlyV1 ') ? options.token : `Bearer ${options.token}`;
  const governor = options.governor ?? UNGOVERNED;

  return {
    request<T>(method: string, path: string, init: FlyRequest = {}) {
      if (!options.token) return errAsync({ kind: 'notConfigured', message: 'Fly API token is not set' } as const);
      return governor.run(() => send<T>(method, path, init));
    },
  };

  function send<T>(method: string, path: string, init: FlyRequest): ResultAsync<T | undefined, ServiceError> {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const sent = ResultAsync.fromPromise(
      doFetch(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      }),
      (cause): ServiceError => ({ kind: 'unavailable', message: `Fly API ${method} ${path} failed: ${describe(cause)}` }),
    );
    return sent.andThen((response) =>
      ResultAsync.fromPromise(
        response.text(),
        (cause): ServiceError => ({
          kind: 'unavailable',
          message: `Fly API ${method} ${path} response unreadable: ${describe(cause)}`,
          status: response.status,
        }),
      ).andThen((text) => {
        if (!response.ok) return errAsync(toServiceError(response.status, text, response.headers, `${method} ${path}`));
        return parseJson<T>(text, `${method} ${path}`);
      }),
    );
  }
}

function parseJson<T>(text: string, what: string): ResultAsync<T | undefined, ServiceError> {
  if (text.trim() === '') return ResultAsync.fromSafePromise(Promise.resolve(undefined));
  try {
    return ResultAsync.fromSafePromise(Promise.resolve(JSON.parse(text) as T));
  } catch {
    return errAsync({ kind: 'unavailable', message: `Fly API ${what} answered with invalid JSON` });
  }
}

/** Maps one non-2xx answer of Fly to the shared error union; the message carries Fly's own `error`. */
export function toServiceError(status: number, text: string, headers: Headers, what: string): ServiceError {
  const detail = errorText(text);
  const message = `Fly API ${what} → ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 401 || status === 403) return { kind: 'auth', message };
  if (status === 404) return { kind: 'notFound', message };
  if (status === 429) return { kind: 'rateLimited', retryAfterMs: retryAfterMs(headers.get('retry-after')), message };
  if (status === 408 || status >= 500) return { kind: 'unavailable', message, status };
  return { kind: 'invalid', message, status };
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200).trim();
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  if (Number.isFinite(at)) return Math.max(0, at - now);
  return DEFAULT_RETRY_AFTER_MS;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause.cause as { code?: string } | undefined)?.code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}
