import { getRouterParam, type H3 } from 'h3';
import { type AdminAssets, createAdminAssets } from '../../admin/admin-assets.js';
import { errorResponse } from '../errors.js';

/**
 * `GET /admin` (the control panel) and `GET /admin/assets/*` (its modules and stylesheet).
 * The admin guard answers 404 for both while ADMIN_ACCESS_CODE is unset; the page itself holds
 * no data: everything it shows comes from the JSON API with the bearer token it obtains.
 */
export function adminPageRoutes(app: H3, assets: AdminAssets = createAdminAssets()): void {
  const serve = async (path: string, ifNoneMatch: string | null) =>
    (await assets.respond(path, ifNoneMatch)) ?? errorResponse({ kind: 'notFound' });

  app.get('/admin', (event) => serve('index.html', event.req.headers.get('if-none-match')));
  app.get('/admin/assets/**:path', (event) =>
    serve(`assets/${getRouterParam(event, 'path') ?? ''}`, event.req.headers.get('if-none-match')),
  );
}
