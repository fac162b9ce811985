import type { H3 } from 'h3';
import { type AuthRoutesDeps, authRoutes } from './auth.routes.js';
import { healthRoutes } from './health.routes.js';
import { type MappingsRoutesDeps, mappingsRoutes } from './mappings.routes.js';

/** What all route modules together need from the container. Extend with each new module's deps. */
export type RoutesDeps = AuthRoutesDeps & MappingsRoutesDeps;

/**
 * Registers every route module. A new area is one file `routes/<area>.routes.ts` exporting
 * `<area>Routes(app, deps)` and one line here.
 */
export function registerRoutes(app: H3, deps: RoutesDeps): void {
  healthRoutes(app);
  authRoutes(app, deps);
  mappingsRoutes(app, deps);
}
