import type { Version3Client } from 'jira.js';
import { ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/timed-fetch.js';
import { toServiceError } from './jira-errors.js';

/** A Jira Cloud connection: the site URL and an account's email with its API token. */
export interface JiraConnection {
  /** The site, e.g. `https://acme.atlassian.net` (any base URL, so tests can use a fake). */
  host: string;
  email: string;
  apiToken: string;
  /** Per-request timeout (axios'); a timeout is `unavailable` and retried. Default 15 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** The connection's request governor (shared per site and account); none: every request goes. */
  governor?: RequestGovernor;
}

export interface JiraCaller {
  /** One request through the governor, its failure converted to a `ServiceError` at this boundary; never retried. */
  once<T>(request: (client: Version3Client) => Promise<T>): ResultAsync<T, ServiceError>;
  /** One request, retried while it fails in a retryable way (`retryServiceCall`). */
  call<T>(request: (client: Version3Client) => Promise<T>): ResultAsync<T, ServiceError>;
  /** Any sequence of calls run again as a whole while it fails in a retryable way. */
  retrying<T>(operation: () => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError>;
}

/**
 * A jira.js v3 client for one connection; one per adapter or service, never module-level.
 * jira.js (with axios, some 300 modules) is loaded at the first request, so a process
 * without Jira never loads it.
 */
export function createJiraCaller(connection: JiraConnection): JiraCaller {
  let client: Promise<Version3Client> | undefined;
  const clientOf = () =>
    (client ??= import('jira.js').then(
      ({ Version3Client }) =>
        new Version3Client({
          host: connection.host,
          authentication: { basic: { email: connection.email, apiToken: connection.apiToken } },
          baseRequestConfig: { timeout: connection.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS },
        }),
    ));
  const governor = connection.governor ?? UNGOVERNED;
  const once = <T>(request: (c: Version3Client) => Promise<T>) =>
    governor.run(() => ResultAsync.fromPromise(clientOf().then(request), toServiceError));
  // A request that ran out its deadline is not sent three more times inside one call.
  const retry: RetryOptions = {
    maxElapsedMs: Math.round((connection.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) * 0.9),
    ...connection.retry,
  };
  const retrying = <T>(operation: () => ResultAsync<T, ServiceError>) => retryServiceCall(operation, retry);
  return { once, retrying, call: (request) => retrying(() => once(request)) };
}
