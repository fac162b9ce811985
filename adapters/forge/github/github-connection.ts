import type { RequestGovernor } from '../../shared/request-governor.js';
import { createTimedFetch, numericHeader } from '../../shared/timed-fetch.js';
import { createGithubAuth, type GithubAuth, type GithubAuthConfig } from './github-auth.js';

export interface GithubConnectionOptions {
  baseUrl: string;
  auth: GithubAuthConfig;
  now: () => number;
  governor: RequestGovernor;
  warn?: ((message: string) => void) | undefined;
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
}

/**
 * The authenticated clients of one GitHub connection, every request through a timed fetch that
 * shows each answer's primary budget to the governor: `x-ratelimit-remaining: 0` holds every
 * request until `x-ratelimit-reset` (seconds). Shared by the forge and the GitHub Issues tracker.
 */
export function connectGithub(options: GithubConnectionOptions): GithubAuth {
  const fetch = createTimedFetch({
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    observe: (headers) => {
      const remaining = numericHeader(headers, 'x-ratelimit-remaining');
      const reset = numericHeader(headers, 'x-ratelimit-reset');
      options.governor.observe({
        ...(remaining !== undefined ? { remaining } : {}),
        ...(reset !== undefined ? { resetAt: reset * 1000 } : {}),
      });
    },
  });
  return createGithubAuth({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    auth: options.auth,
    now: options.now,
    warn: options.warn,
    fetch,
    governor: options.governor,
  });
}
