import type { H3 } from 'h3';
import type { Harness } from '../harness.js';

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** h3's route syntax as an OpenAPI path: `:id` and the catch-all `**:path` → `{id}`, `{path}`. */
export const toOpenApiPath = (route: string) => route.replace(/\*\*:(\w+)/g, '{$1}').replace(/:(\w+)/g, '{$1}');

/** `GET /api/v1/state` for every route the built app registered (h3 2 keeps them in `~routes`). */
export function registeredRoutes(h: Harness): string[] {
  const app = h.orchestrator.app as H3 & { '~routes': { method?: string; route?: string }[] };
  return app['~routes'].map((r) => `${(r.method ?? 'ALL').toUpperCase()} ${toOpenApiPath(r.route ?? '')}`).sort();
}

/** `GET /api/v1/state` for every operation in the document. */
export function documentedRoutes(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}
