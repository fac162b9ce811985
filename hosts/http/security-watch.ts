import type { H3Event } from 'h3';
import type { SecurityEventsService } from '../../core/app/operations/security-events.service.js';
import { TOKEN_ERROR_CODES } from '../../core/app/runs/run-tokens.service.js';
import { classifyProbe, PROBE_SCAN_LIMIT, type ProbeClass } from '../../core/domain/probe-classification.js';
import type { SecurityKind } from '../../core/domain/security-events.js';
import { SELF_AUTHENTICATED_PATHS } from './admin-guard.js';
import { READ_BODY } from './body.js';
import { clientOf } from './client-address.js';
import type { HttpError } from './errors.js';
import { UNMATCHED_ROUTE } from './http-metrics.js';
import { ANSWERED_ERROR } from './route.js';
import type { TrustedProxies } from './trusted-proxies.js';

/** Where a session's nonce is checked: a refusal there is a bad or replayed nonce. */
const NONCE_PATHS = new Set(SELF_AUTHENTICATED_PATHS.filter((p) => p !== '/api/github/webhook'));

/**
 * Watches answered requests for signs of someone trying the doors, after the answer is made
 * (the app's onResponse): a successful request without a query string costs one comparison.
 * - a query string, path or (for a refused request) body that looks like a probe → `probe` with
 *   its class (core/domain/probe-classification.ts);
 * - a request no route matched → `unknown_route`, grouped per source (so a scan is one burst);
 * - a run token refused on /runner/* → `bad_run_token`, a consumed one presented again (409)
 *   → `replayed_run_token`, each with the refusal's code as its detail (`bad_signature`,
 *   `expired`, `already_consumed`, …: the code the caller was answered, never the token);
 *   a nonce refused → `bad_nonce`.
 * Webhook signatures and sign-ins are noted where they are checked (connector-recording.ts,
 * auth.routes.ts). Nothing here can fail the request: the service queues and never throws.
 */
export function watchForProbes(
  securityEvents: SecurityEventsService,
  trustedProxies: TrustedProxies,
  event: H3Event,
  status: number,
  route: string,
): void {
  if (status < 400 && event.url.search.length <= 1) return;
  const seen = signalOf(event, status, route);
  if (!seen) return;
  const method = event.req.method;
  securityEvents.signal({
    kind: seen.kind,
    source: clientOf(event, trustedProxies),
    route: seen.route ?? `${method} ${route === UNMATCHED_ROUTE ? event.url.pathname : route}`,
    ...(seen.classification ? { classification: seen.classification } : {}),
    ...(seen.sample !== undefined ? { sample: seen.sample } : {}),
    ...(seen.detail !== undefined ? { detail: seen.detail } : {}),
  });
}

interface Seen {
  kind: SecurityKind;
  classification?: ProbeClass;
  sample?: string;
  route?: string;
  detail?: string;
}

/** What an answered request says, if anything. */
function signalOf(event: H3Event, status: number, route: string): Seen | undefined {
  const path = event.url.pathname;
  const requested = decoded(`${path}${event.url.search}`);
  const inUrl = classifyProbe(requested);
  if (inUrl) return { kind: 'probe', classification: inUrl, sample: requested };
  if (status < 400) return undefined;
  const body = event.context[READ_BODY] as Buffer | undefined;
  if (body && body.length > 0) {
    const text = body.subarray(0, PROBE_SCAN_LIMIT).toString('utf8');
    const inBody = classifyProbe(text);
    // A run callback's body holds the run's credentials (a nonce) and its output: never kept as a sample.
    if (inBody)
      return runCallback(path)
        ? { kind: 'probe', classification: inBody }
        : { kind: 'probe', classification: inBody, sample: text };
  }
  if (status === 404 && route === UNMATCHED_ROUTE) {
    return { kind: 'unknown_route', route: `${event.req.method} (unknown route)`, sample: path };
  }
  if (path.startsWith('/runner/')) {
    const detail = runTokenRefusal(event.context[ANSWERED_ERROR] as HttpError | undefined);
    if (status === 401) return { kind: 'bad_run_token', ...(detail ? { detail } : {}) };
    if (status === 409) return { kind: 'replayed_run_token', ...(detail ? { detail } : {}) };
  }
  if (NONCE_PATHS.has(path) && (status === 401 || status === 403)) return { kind: 'bad_nonce' };
  return undefined;
}

/** The paths a run calls back on, with a run token (read only once it verified) or a nonce in the body. */
function runCallback(path: string): boolean {
  return path.startsWith('/runner/') || NONCE_PATHS.has(path);
}

const TOKEN_CODES: ReadonlySet<string> = new Set(TOKEN_ERROR_CODES);

/** The code a run token was refused with: only the routes' own vocabulary, nothing the caller sent. */
function runTokenRefusal(error: HttpError | undefined): string | undefined {
  if (error?.kind === 'runTokenRejected') return TOKEN_CODES.has(error.code) ? error.code : undefined;
  if (error?.kind === 'alreadyConsumed') return 'already_consumed';
  return undefined;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
