/**
 * Every error the Linear SDK (or the fetch under it) throws, as a `ServiceError`. The SDK
 * classifies by the first GraphQL error's `extensions.type`, else by HTTP status; Linear
 * answers a rate limit with HTTP 400 and `extensions.code: RATELIMITED`, so the code is
 * checked too, in case a response carries the code without the type.
 *
 * The SDK's classes come from the loaded module (`linear-sdk.ts` loads it at the first
 * request); without it (it failed to load) every error is the connection's.
 */
import type { LinearError, RatelimitedLinearError } from '@linear/sdk';
import type { ServiceError } from '../../../ports/errors.js';
import type { LinearSdkModule } from './linear-sdk.js';

/** When Linear names no reset time: its windows are an hour long, so wait a minute before asking again. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
/** A reset time already past (clock skew) still waits a little. */
const MIN_RETRY_AFTER_MS = 100;

type RawGraphQLError = { message?: string; extensions?: { code?: string; type?: string } };

function rawErrors(error: LinearError): RawGraphQLError[] {
  const raw = error.raw as { response?: { errors?: RawGraphQLError[] } } | undefined;
  return raw?.response?.errors ?? [];
}

/** Epoch milliseconds; Linear sends milliseconds, a value in seconds is accepted too. */
function epochMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

export function retryAfterMs(error: LinearError, now: number, sdk: LinearSdkModule): number {
  const limited: RatelimitedLinearError | undefined = error instanceof sdk.RatelimitedLinearError ? error : undefined;
  if (limited?.retryAfter !== undefined) return Math.max(MIN_RETRY_AFTER_MS, limited.retryAfter * 1000);
  const resets = [limited?.requestsResetAt, limited?.complexityResetAt].filter((v): v is number => v !== undefined);
  if (resets.length === 0) return DEFAULT_RETRY_AFTER_MS;
  return Math.max(MIN_RETRY_AFTER_MS, Math.max(...resets.map(epochMs)) - now);
}

const isNotFound = (errors: RawGraphQLError[]) => errors.some((e) => /^entity not found/i.test(e.message ?? ''));

export function toServiceError(error: unknown, now: number, sdk: LinearSdkModule | undefined): ServiceError {
  if (!sdk || !(error instanceof sdk.LinearError)) {
    // fetch's own failures (refused, reset, DNS, abort) reach rawRequest callers unwrapped.
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'unavailable', message: `Linear unreachable: ${message}` };
  }
  const errors = rawErrors(error);
  const message = error.message || 'Linear request failed';
  if (
    error instanceof sdk.RatelimitedLinearError ||
    errors.some((e) => e.extensions?.code === 'RATELIMITED') ||
    error.status === 429
  ) {
    return { kind: 'rateLimited', retryAfterMs: retryAfterMs(error, now, sdk), message };
  }
  if (error instanceof sdk.AuthenticationLinearError || error instanceof sdk.ForbiddenLinearError)
    return { kind: 'auth', message };
  if (isNotFound(errors)) return { kind: 'notFound', message };
  if (
    error instanceof sdk.InternalLinearError ||
    error instanceof sdk.NetworkLinearError ||
    error instanceof sdk.LockTimeoutLinearError
  ) {
    return { kind: 'unavailable', message, ...(error.status ? { status: error.status } : {}) };
  }
  if (error.status === undefined || error.status >= 500) {
    return { kind: 'unavailable', message, ...(error.status ? { status: error.status } : {}) };
  }
  // InvalidInput, GraphqlError, UserError, FeatureNotAccessible, UsageLimitExceeded: the request itself was refused.
  return { kind: 'invalid', message, status: error.status };
}
