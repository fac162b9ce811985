/**
 * Every outbound request has a deadline (issue 12, item 1): Node's fetch otherwise waits up
 * to its 300 s header timeout on a service that accepted the connection and never answers.
 */

/** The default deadline of one request to an outside service. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** A signal that aborts after `timeoutMs`, or when `signal` (the caller's) aborts first. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal | null): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export interface TimedFetchOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Sees every answer's headers (rate-limit budgets), before the caller reads the body. */
  observe?: (headers: Headers) => void;
}

/** `fetch` with a per-request deadline, for clients that take a custom fetch (Octokit). */
export function createTimedFetch(options: TimedFetchOptions = {}): typeof fetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  return async (input, init) => {
    const response = await doFetch(input, { ...init, signal: deadlineSignal(timeoutMs, init?.signal) });
    options.observe?.(response.headers);
    return response;
  };
}

/** A header as a finite number, or undefined. */
export function numericHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
