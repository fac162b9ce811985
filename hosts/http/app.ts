import { H3 } from 'h3';
import type { Logger } from '../../ports/logger.port.js';
import { type AdminGuardDeps, createAdminGuard } from './admin-guard.js';
import { errorResponse, fromFrameworkStatus } from './errors.js';
import { type RoutesDeps, registerRoutes } from './routes/index.js';

export type HttpAppDeps = AdminGuardDeps & RoutesDeps & { logger: Logger };

/**
 * The h3 application: the admin guard, then every route module. Anything a route throws
 * becomes a JSON `{ error }`: h3's own errors by their status (unknown route → 404
 * `Not found`), anything else a logged 500 that says no more than `Internal server error`.
 */
export function createHttpApp(deps: HttpAppDeps): H3 {
  const app = new H3({
    silent: true,
    onError(error, event) {
      const status = error.unhandled ? 500 : error.status;
      if (status >= 500) {
        deps.logger.error('request failed', { method: event.req.method, path: event.url.pathname, error: error.cause ?? error });
      }
      return errorResponse(fromFrameworkStatus(status));
    },
  });
  app.use(createAdminGuard(deps));
  registerRoutes(app, deps);
  return app;
}
