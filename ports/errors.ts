/**
 * The expected failures of an outside service, shared by every port that talks to one.
 * Adapters convert every thrown error at their boundary into one of these.
 * - `rateLimited`: the service said slow down; retry after `retryAfterMs`.
 * - `unavailable`: 5xx, timeout or connection failure; safe to retry with backoff. A
 *   `retryAfterMs` says no request will go before then (a governor backing off or an open
 *   circuit answered without sending one). `maybeDone`: a request that is not idempotent (a
 *   workflow dispatch) went out and its answer was a 5xx or never came — it may have taken
 *   effect, so it is not sent again.
 * - `auth`: credentials missing or rejected; never retried.
 * - `invalid`: the service rejected the request itself (GraphQL user error, 400, 422);
 *   never retried. `status` is the HTTP status when there was one.
 * - `notFound`: the thing asked for does not exist.
 * - `notConfigured`: the adapter has no connection configured.
 */
export type ServiceError =
  | { kind: 'rateLimited'; retryAfterMs: number; message: string }
  | { kind: 'unavailable'; message: string; status?: number; retryAfterMs?: number; maybeDone?: true }
  | { kind: 'auth'; message: string }
  | { kind: 'invalid'; message: string; status?: number }
  | { kind: 'notFound'; message: string }
  | { kind: 'notConfigured'; message: string };

export function isRetryable(error: ServiceError): boolean {
  return error.kind === 'rateLimited' || error.kind === 'unavailable';
}
