import type { Octokit } from '@octokit/rest';
import { ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { GithubAuthConfig } from '../../forge/github/github-auth.js';
import { connectGithub } from '../../forge/github/github-connection.js';
import { toServiceError } from '../../forge/github/github-errors.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/timed-fetch.js';
import type { RepoRef } from './github-issue.js';

/** A GitHub connection for the issues adapter: the same credentials, base URL and governor as the forge's. */
export interface GithubIssuesConnection {
  /** `GITHUB_API_URL`: https://api.github.com, or `https://HOST/api/v3` on Enterprise Server. */
  baseUrl: string;
  /** `GITHUB_TOKEN`, or a GitHub App (`GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY`). */
  auth: GithubAuthConfig;
  retry?: RetryOptions;
  now?: () => number;
  /** The deadline of one request (default 15 s); past it the request is aborted and `unavailable`. */
  timeoutMs?: number;
  /** The connection's request governor, shared with the forge (one API URL and credential: one budget). */
  governor?: RequestGovernor;
  warn?: (message: string) => void;
  fetch?: typeof fetch;
}

export interface GithubCaller {
  readonly tokenAuth: boolean;
  /** One request about `repo` through the governor, its failure converted at this boundary; never retried. */
  once<T>(repo: RepoRef, request: (o: Octokit) => Promise<T>): ResultAsync<T, ServiceError>;
  /** One request, retried while it fails in a retryable way. */
  call<T>(repo: RepoRef, request: (o: Octokit) => Promise<T>): ResultAsync<T, ServiceError>;
  /** Any sequence of calls run again as a whole while it fails in a retryable way. */
  retrying<T>(operation: () => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError>;
}

/**
 * Octokit through a timed fetch that shows every answer's primary budget to the governor
 * (`x-ratelimit-remaining: 0` holds every request until `x-ratelimit-reset`); a 403/429 with
 * `retry-after` (the secondary limit) comes back as `rateLimited` and the governor holds the
 * window. An auth failure drops the App's cached tokens for the repository.
 */
export function createGithubCaller(connection: GithubIssuesConnection): GithubCaller {
  const now = connection.now ?? Date.now;
  const governor = connection.governor ?? UNGOVERNED;
  const auth = connectGithub({
    baseUrl: connection.baseUrl,
    auth: connection.auth,
    now,
    governor,
    warn: connection.warn,
    timeoutMs: connection.timeoutMs,
    fetch: connection.fetch,
  });
  const once = <T>(repo: RepoRef, request: (o: Octokit) => Promise<T>): ResultAsync<T, ServiceError> =>
    auth
      .client(repo)
      .andThen((o) => governor.run(() => ResultAsync.fromPromise(request(o), (e) => toServiceError(e, now()))))
      .mapErr((e) => {
        if (e.kind === 'auth') auth.forget(repo);
        return e;
      });
  // A request that ran out its deadline is not sent three more times inside one call.
  const retry: RetryOptions = {
    maxElapsedMs: Math.round((connection.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) * 0.9),
    ...connection.retry,
  };
  const retrying = <T>(operation: () => ResultAsync<T, ServiceError>) => retryServiceCall(operation, retry);
  return {
    tokenAuth: 'token' in connection.auth,
    once,
    retrying,
    call: (repo, request) => retrying(() => once(repo, request)),
  };
}

/** True when GitHub's `Link` header names a next page. */
export function hasNextPage(headers: { link?: string }): boolean {
  return /rel="next"/.test(headers.link ?? '');
}

/** GitHub's clock at the answer (the `Date` header), in epoch ms; undefined without one. */
export function serverTime(headers: { date?: string }): number | undefined {
  const at = Date.parse(headers.date ?? '');
  return Number.isNaN(at) ? undefined : at;
}
