import type { ServiceError } from '../../../ports/errors.js';

/**
 * Converts whatever jira.js throws into a `ServiceError`. jira.js 5.4 throws an `HttpException`
 * (`status`, `response.data` = Jira's `{ errorMessages, errors }` body, `cause` = the axios
 * error with the response headers) when Jira answered, and the bare axios error when it did not.
 */

const DEFAULT_RETRY_AFTER_MS = 1_000;

interface Answer {
  status?: number;
  data?: unknown;
  headers?: Record<string, unknown>;
  code?: string;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function answerOf(error: unknown): Answer {
  if (!isRecord(error)) return { message: String(error) };
  const message = typeof error.message === 'string' ? error.message : 'Jira request failed';
  const cause = isRecord(error.cause) ? error.cause : undefined;
  const axiosResponse =
    (isRecord(error.response) && isRecord(error.response.headers) ? error.response : undefined) ??
    (cause && isRecord(cause.response) ? cause.response : undefined);
  const httpResponse = isRecord(error.response) ? error.response : undefined;
  const status =
    typeof error.status === 'number'
      ? error.status
      : typeof axiosResponse?.status === 'number'
        ? axiosResponse.status
        : undefined;
  const answer: Answer = { message };
  if (status !== undefined) answer.status = status;
  const data = axiosResponse?.data ?? httpResponse?.data;
  if (data !== undefined) answer.data = data;
  if (axiosResponse && isRecord(axiosResponse.headers)) answer.headers = axiosResponse.headers;
  const code = typeof error.code === 'string' ? error.code : typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined) answer.code = code;
  return answer;
}

/** Jira's own words: `errorMessages` first, then the per-field `errors`. */
export function jiraMessage(data: unknown): string | undefined {
  if (typeof data === 'string' && data.trim()) return data.trim();
  if (!isRecord(data)) return undefined;
  const messages = Array.isArray(data.errorMessages) ? data.errorMessages.filter((m) => typeof m === 'string') : [];
  const fields = isRecord(data.errors) ? Object.entries(data.errors).map(([field, m]) => `${field}: ${String(m)}`) : [];
  const all = [...messages, ...fields];
  if (all.length) return all.join(' ');
  return typeof data.message === 'string' ? data.message : undefined;
}

const retryAfterHeader = (headers: Record<string, unknown> | undefined) => headers?.['retry-after'] ?? headers?.['Retry-After'];

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number {
  const raw = retryAfterHeader(headers);
  if (raw === undefined || raw === null) return DEFAULT_RETRY_AFTER_MS;
  const text = String(raw).trim();
  const seconds = Number(text);
  if (Number.isFinite(seconds) && text !== '') return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(text);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

export function toServiceError(error: unknown): ServiceError {
  const answer = answerOf(error);
  const { status } = answer;
  const message = jiraMessage(answer.data) ?? answer.message;
  if (status === undefined) {
    // No answer from Jira: refused, reset, timed out, DNS — all worth another try.
    return { kind: 'unavailable', message: answer.code ? `${answer.code}: ${message}` : message };
  }
  // Jira Cloud also says "slow down" as a 503 with Retry-After (a resource limit reached): a
  // window like a 429's, held for every caller, not a failure to back off from in 250 ms.
  const limited = status === 429 || (status === 503 && retryAfterHeader(answer.headers) != null);
  if (limited) return { kind: 'rateLimited', retryAfterMs: retryAfterMs(answer.headers), message };
  if (status === 401 || status === 403) return { kind: 'auth', message };
  if (status === 404) return { kind: 'notFound', message };
  if (status >= 500) return { kind: 'unavailable', message, status };
  return { kind: 'invalid', message, status };
}
