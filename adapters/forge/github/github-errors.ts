import type { ServiceError } from '../../../ports/errors.js';

/** What an Octokit RequestError carries that we read; other throwables lack `status`. */
interface HttpError {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** `x-ratelimit-reset` is a whole second; waiting one more avoids calling a hair too early. */
const RESET_MARGIN_MS = 1000;
/** GitHub's advice when it says "secondary rate limit" without saying how long. */
const SECONDARY_DEFAULT_MS = 60_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** True for errors from an HTTP exchange with GitHub (or a failed connection to it). */
export function isHttpError(error: unknown): boolean {
  return isObject(error) && typeof error.status === 'number';
}

/**
 * GitHub's own words: `message`, followed by the `errors[].message`s of a 422 when it gives
 * any ("Validation Failed: A pull request already exists for acme:ai/ENG-1.").
 */
export function githubMessage(data: unknown): string | undefined {
  if (typeof data === 'string' && data !== '') return data;
  if (!isObject(data) || typeof data.message !== 'string') return undefined;
  const details = Array.isArray(data.errors)
    ? data.errors
        .map((e) =>
          isObject(e) && typeof e.message === 'string'
            ? e.message
            : isObject(e) && typeof e.field === 'string'
              ? `${e.field} ${e.code}`
              : '',
        )
        .filter((m) => m !== '')
    : [];
  return details.length > 0 ? `${data.message}: ${details.join('; ')}` : data.message;
}

function header(headers: Record<string, string | number | undefined>, name: string): string | undefined {
  const v = headers[name];
  return v === undefined ? undefined : String(v);
}

/** How long GitHub asked us to wait, following its documented order; undefined if it did not. */
function rateLimitWait(status: number, headers: Record<string, string | number | undefined>, message: string, now: number) {
  const retryAfter = Number(header(headers, 'retry-after'));
  if (header(headers, 'retry-after') !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (header(headers, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - now) + RESET_MARGIN_MS;
  }
  if (status === 429 || /rate limit/i.test(message)) return SECONDARY_DEFAULT_MS;
  return undefined;
}

/**
 * The one conversion from a thrown Octokit error to a ServiceError:
 * 401 → auth; 403/429 with a rate limit → rateLimited (retry-after, else the reset time);
 * other 403 → auth (the credentials lack a permission); 404/410 → notFound;
 * 400/409/422 and other 4xx → invalid with GitHub's message and status;
 * 5xx, and a request that never got a response → unavailable.
 */
export function toServiceError(error: unknown, now: number): ServiceError {
  const e = (isObject(error) ? error : {}) as HttpError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const fallback = typeof e.message === 'string' ? e.message : String(error);
  const message = githubMessage(e.response?.data) ?? fallback;
  // Octokit reports a failed connection as status 500 without a response.
  if (status === undefined || !e.response) return { kind: 'unavailable', message };
  const headers = e.response.headers ?? {};
  if (status === 403 || status === 429) {
    const wait = rateLimitWait(status, headers, message, now);
    if (wait !== undefined) return { kind: 'rateLimited', retryAfterMs: wait, message };
  }
  if (status === 401 || status === 403) return { kind: 'auth', message };
  if (status === 404 || status === 410) return { kind: 'notFound', message };
  if (status >= 500) return { kind: 'unavailable', message, status };
  return { kind: 'invalid', message, status };
}
