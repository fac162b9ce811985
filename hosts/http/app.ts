import { randomUUID } from 'node:crypto';
import { H3, type H3Event } from 'h3';
import { isStorageUnavailable } from '../../adapters/storage/storage-availability.js';
import { type Logger, withFields } from '../../ports/logger.port.js';
import { type AdminGuardDeps, createAdminGuard } from './admin-guard.js';
import { rejectDotSegments } from './dot-segments.js';
import { errorResponse, fromFrameworkStatus, setResponseHeader } from './errors.js';
import { createHttpMetrics, type HttpMetrics, UNMATCHED_ROUTE } from './http-metrics.js';
import { type RoutesDeps, registerRoutes } from './routes/index.js';
import { watchForProbes } from './security-watch.js';

/** Without `httpMetrics` (the container's cradle) the app makes its own: the histogram of its requests. */
export type HttpAppDeps = AdminGuardDeps & Omit<RoutesDeps, 'httpMetrics'> & { logger: Logger; httpMetrics?: HttpMetrics };

/** A caller's `x-request-id` is kept when it is a plain token; otherwise one is made. */
const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** A class, not an object literal with a getter: V8 makes such a literal slowly, and each request makes one. */
class RequestContext {
  readonly startedAt = performance.now();
  #logger: Logger | undefined;
  constructor(
    readonly id: string,
    private readonly base: () => Logger,
  ) {}
  /** Made when a line is logged (a failed request), not for every request. */
  get logger(): Logger {
    this.#logger ??= withFields(this.base(), { requestId: this.id });
    return this.#logger;
  }
}
const requests = new WeakMap<H3Event, RequestContext>();

/**
 * The h3 application: a path with dot segments refused (dot-segments.ts), the admin guard, then
 * every route module. Anything a route throws becomes a JSON `{ error }`: h3's own errors by
 * their status (unknown route → 404
 * `Not found`), a failed store 503 `Storage unavailable` (the store's watch logs the change of
 * state once, not each request), anything else a logged 500 that says no more than
 * `Internal server error`. Each request gets an id (`x-request-id`, echoed on the answer) that
 * its log lines carry, and is counted by method, route pattern and status for `/metrics`.
 */
export function createHttpApp(given: HttpAppDeps): H3 {
  // `given` may be the container's strict cradle: asked whether it has the key (it says no), never read for it.
  const httpMetrics = ('httpMetrics' in given ? given.httpMetrics : undefined) ?? createHttpMetrics();
  // The proxy's target is a plain object, not `given`: a get trap's answer is checked against its
  // target's own property, and asking the container's cradle that (awilix rolls up every
  // registration to answer) cost more than the rest of a request to /runner/progress.
  const deps = new Proxy({} as HttpAppDeps, {
    get: (_, key) => (key === 'httpMetrics' ? httpMetrics : Reflect.get(given, key)),
    has: (_, key) => key === 'httpMetrics' || Reflect.has(given, key),
  }) as RoutesDeps & AdminGuardDeps & { logger: Logger; httpMetrics: HttpMetrics };
  const baseLogger = () => deps.logger;
  const contextOf = (event: H3Event): RequestContext => {
    let context = requests.get(event);
    if (!context) {
      const given = event.req.headers.get('x-request-id');
      context = new RequestContext(given && REQUEST_ID.test(given) ? given : randomUUID(), baseLogger);
      requests.set(event, context);
    }
    return context;
  };
  const app = new H3({
    silent: true,
    onRequest(event) {
      contextOf(event);
    },
    onResponse(response, event) {
      const context = contextOf(event);
      const route = event.context.matchedRoute?.route ?? UNMATCHED_ROUTE;
      deps.httpMetrics.observe(event.req.method, route, response.status, (performance.now() - context.startedAt) / 1000);
      watchForProbes(deps.securityEvents, deps.trustedProxies, event, response.status, route);
      try {
        setResponseHeader(response, 'x-request-id', context.id);
      } catch {
        // A response with immutable headers goes out as it is.
      }
    },
    onError(error, event) {
      if (isStorageUnavailable(error)) return errorResponse({ kind: 'storageUnavailable' });
      const status = error.unhandled ? 500 : error.status;
      if (status >= 500) {
        contextOf(event).logger.error('request failed', {
          method: event.req.method,
          path: event.url.pathname,
          error: error.cause ?? error,
        });
      }
      return errorResponse(fromFrameworkStatus(status));
    },
  });
  app.use(rejectDotSegments());
  app.use(createAdminGuard(deps));
  registerRoutes(app, deps);
  return app;
}
