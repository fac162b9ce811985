import { errAsync, ResultAsync } from 'neverthrow';
import { isRetryable, type ServiceError } from '../../ports/errors.js';
import { governorRefusal } from './request-governor.js';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** The first backoff on `unavailable`; doubled each attempt, with jitter from `random`. */
  baseDelayMs?: number;
  /** The longest single wait, `Retry-After` included; a longer one is returned as the error. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Which failures may be sent again; `isRetryable` unless told. A request that is not
   * idempotent (a workflow dispatch) narrows it to the failures that prove nothing was done.
   */
  retryable?: (error: ServiceError) => boolean;
  /**
   * No new attempt once this long has passed since the first began (real time). Adapters set it
   * to their request deadline: a service that let one request run out its deadline is not asked
   * three more times inside one call (a minute for a hung GitHub); the next poll asks again.
   */
  maxElapsedMs?: number;
}

/**
 * What the composition root gives every adapter: a service's wait longer than 5 s is returned
 * rather than slept through inside one call, so no reconcile cycle or watcher sweep stalls on
 * it; the connection's governor keeps the window and the next poll asks again after it.
 */
export const UNATTENDED_RETRY: RetryOptions = { maxDelayMs: 5_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a service call again while it fails in a retryable way: `rateLimited` waits its
 * `retryAfterMs`, `unavailable` backs off exponentially with jitter (or waits its `retryAfterMs`,
 * when a request governor named one). `auth`, `invalid`,
 * `notFound` and `notConfigured` return at once, never retried; so does a rate-limit window a
 * request governor is holding (the caller's next poll asks again).
 */
export function retryServiceCall<T>(
  call: () => ResultAsync<T, ServiceError>,
  options: RetryOptions = {},
): ResultAsync<T, ServiceError> {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const retryable = options.retryable ?? isRetryable;
  const started = performance.now();
  const spent = () => options.maxElapsedMs !== undefined && performance.now() - started >= options.maxElapsedMs;

  const attempt = (n: number): ResultAsync<T, ServiceError> =>
    call().orElse((error) => {
      if (!isRetryable(error) || !retryable(error) || n >= maxAttempts || spent()) return errAsync(error);
      // The connection's governor holds a rate-limit window or an open circuit: no sleeping
      // through it inside one call (a short backoff after a 5xx is still waited out).
      const refusal = governorRefusal(error);
      if (refusal === 'rateLimited' || refusal === 'circuitOpen') return errAsync(error);
      const delay =
        error.kind === 'rateLimited'
          ? error.retryAfterMs
          : ((error.kind === 'unavailable' ? error.retryAfterMs : undefined) ??
            Math.round(baseDelayMs * 2 ** (n - 1) * (0.5 + random() / 2)));
      if (delay > maxDelayMs) return errAsync(error);
      return ResultAsync.fromSafePromise(sleep(delay)).andThen(() => attempt(n + 1));
    });
  return attempt(1);
}
