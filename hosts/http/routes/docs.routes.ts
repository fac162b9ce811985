import { fileURLToPath } from 'node:url';
import { getRouterParam, type H3 } from 'h3';
import { type AdminAssets, createAdminAssets } from '../../admin/admin-assets.js';
import { packageVersion } from '../../composition/v1-registrations.js';
import { errorResponse, json } from '../errors.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';

/** The explorer's static files (index.html and assets/), served by the admin page's asset table. */
export const DOCS_PAGE_DIR = fileURLToPath(new URL('../openapi/docs-page/', import.meta.url));

/**
 * `GET /api/v1/openapi.json` (admin-guarded like every /api route) and the explorer
 * `GET /api/docs` with `GET /api/docs/assets/*`, which the guard lets a browser load without a
 * bearer (admin-guard.ts DOCS_PAGE_PATH): the page holds no data and fetches the document with
 * the admin token the /admin page keeps in sessionStorage. The document is built once.
 */
export function docsRoutes(app: H3, assets: AdminAssets = createAdminAssets(DOCS_PAGE_DIR)): void {
  const document = buildOpenApiDocument(packageVersion());
  const serve = async (path: string, ifNoneMatch: string | null) =>
    (await assets.respond(path, ifNoneMatch)) ?? errorResponse({ kind: 'notFound' });

  app.get('/api/v1/openapi.json', () => json(document));
  app.get('/api/docs', (event) => serve('index.html', event.req.headers.get('if-none-match')));
  app.get('/api/docs/assets/**:path', (event) =>
    serve(`assets/${getRouterParam(event, 'path') ?? ''}`, event.req.headers.get('if-none-match')),
  );
}
