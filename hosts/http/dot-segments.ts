import type { IncomingMessage } from 'node:http';
import type { H3Event, Middleware } from 'h3';
import { errorResponse, fromFrameworkStatus } from './errors.js';

/** A `.` or `..` path segment, percent-encoded or not, or a backslash (a separator to the URL parser). */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|\\/i;

/**
 * Refuses a request whose path, as the client sent it, holds a dot segment or a backslash:
 * 400 `Bad request`, as for any other malformed URL. The URL parser resolves them before
 * routing, so `DELETE /api/mappings/ENG/secrets/%2e%2e` (a secret name that is no name) would
 * reach `DELETE /api/mappings/ENG` and remove the mapping. Only the Node server keeps the raw
 * target; a fetch-style caller's Request resolved its URL before it got here.
 */
export function rejectDotSegments(): Middleware {
  return (event) => {
    const raw = rawTargetOf(event);
    if (raw === undefined) return undefined;
    const query = raw.indexOf('?');
    const path = query === -1 ? raw : raw.slice(0, query);
    return DOT_SEGMENT.test(path) ? errorResponse(fromFrameworkStatus(400)) : undefined;
  };
}

function rawTargetOf(event: H3Event): string | undefined {
  const runtime = (event.req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime;
  return runtime?.node?.req?.url;
}
