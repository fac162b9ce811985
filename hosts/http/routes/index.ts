import type { H3 } from 'h3';
import { createAdminAssets } from '../../admin/admin-assets.js';
import { packageVersion } from '../../package-layout.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/openapi-document.js';
import { type PagesDeps, ROUTES, type RoutesDeps } from './all-routes.js';
import { DOCS_PAGE_DIR } from './docs.routes.js';
import { webhookReceipts } from './metrics.routes.js';

export type { RoutesDeps } from './all-routes.js';

/**
 * Mounts every route of all-routes.ts on `app`, after the webhook-receipt counter. The pages'
 * file tables and the OpenAPI document (built once, on first request) belong to this app.
 */
export function registerRoutes(app: H3, deps: RoutesDeps): void {
  app.use(webhookReceipts(deps));
  let document: OpenApiDocument | undefined;
  const pages: PagesDeps = {
    adminAssets: createAdminAssets(),
    docsAssets: createAdminAssets(DOCS_PAGE_DIR),
    openApiDocument: () => {
      document ??= buildOpenApiDocument(packageVersion(), ROUTES);
      return document;
    },
  };
  // `deps` may be the container's lazy cradle: read through to it rather than spread (and resolve) it all.
  const all = new Proxy(pages, {
    get: (target, name) => (name in target ? target[name as keyof PagesDeps] : deps[name as keyof RoutesDeps]),
  }) as RoutesDeps & PagesDeps;
  for (const route of ROUTES) route.register(app, all);
}
