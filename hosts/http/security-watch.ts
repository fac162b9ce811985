import type { H3Event } from 'h3';
import type { SecurityEventsService } from '../../core/app/operations/security-events.service.js';
import { classifyProbe, PROBE_SCAN_LIMIT } from '../../core/domain/probe-classification.js';
import type { SecurityKind } from '../../core/domain/security-events.js';
import { SELF_AUTHENTICATED_PATHS } from './admin-guard.js';
import { READ_BODY } from './body.js';
import { clientOf } from './client-address.js';
import { UNMATCHED_ROUTE } from './http-metrics.js';

/** Where a session's nonce is checked: a refusal there is a bad or replayed nonce. */
const NONCE_PATHS = new Set(SELF_AUTHENTICATED_PATHS.filter((p) => p !== '/api/github/webhook'));

/**
 * Watches answered requests for signs of someone trying the doors, after the answer is made
 * (the app's onResponse): a successful request without a query string costs one comparison.
 * - a query string, path or (for a refused request) body that looks like a probe → `probe` with
 *   its class (core/domain/probe-classification.ts);
 * - a request no route matched → `unknown_route`, grouped per source (so a scan is one burst);
 * - a run token refused on /runner/* → `bad_run_token`, a consumed one presented again (409)
 *   → `replayed_run_token`; a nonce refused → `bad_nonce`.
 * Webhook signatures and sign-ins are noted where they are checked (connector-recording.ts,
 * auth.routes.ts). Nothing here can fail the request: the service queues and never throws.
 */
export function watchForProbes(securityEvents: SecurityEventsService, event: H3Event, status: number, route: string): void {
  const search = event.url.search;
  if (status < 400 && search.length <= 1) return;
  const method = event.req.method;
  const path = event.url.pathname;
  const note = (
    kind: SecurityKind,
    extra: { classification?: ReturnType<typeof classifyProbe>; sample?: string; route?: string } = {},
  ) =>
    securityEvents.signal({
      kind,
      source: clientOf(event),
      route: extra.route ?? `${method} ${route === UNMATCHED_ROUTE ? path : route}`,
      ...(extra.classification ? { classification: extra.classification } : {}),
      ...(extra.sample !== undefined ? { sample: extra.sample } : {}),
    });

  const requested = decoded(`${path}${search}`);
  const inUrl = classifyProbe(requested);
  if (inUrl) return note('probe', { classification: inUrl, sample: requested });
  if (status >= 400) {
    const body = event.context[READ_BODY] as Buffer | undefined;
    if (body && body.length > 0) {
      const text = body.subarray(0, PROBE_SCAN_LIMIT).toString('utf8');
      const inBody = classifyProbe(text);
      if (inBody) return note('probe', { classification: inBody, sample: text });
    }
  }
  if (status === 404 && route === UNMATCHED_ROUTE)
    return note('unknown_route', { route: `${method} (unknown route)`, sample: path });
  if (path.startsWith('/runner/')) {
    if (status === 401) return note('bad_run_token');
    if (status === 409) return note('replayed_run_token');
  }
  if (NONCE_PATHS.has(path) && (status === 401 || status === 403)) return note('bad_nonce');
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
