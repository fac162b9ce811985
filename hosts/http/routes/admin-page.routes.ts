import type { AdminAssets } from '../../admin/admin-assets.js';
import { errorResponse } from '../errors.js';
import { type RawResponseSpec, routesFor } from '../route.js';
import { assetPathParams } from '../schemas/params.schema.js';

/** Made per app by routes/index.ts, not by the container: a table of the admin page's files. */
export interface AdminPageDeps {
  adminAssets: AdminAssets;
}

export const HTML_PAGE: RawResponseSpec = { contentType: 'text/html', description: 'An HTML page' };
export const STATIC_ASSET: RawResponseSpec = {
  contentType: '*/*',
  description: 'A static module, stylesheet or icon (ETag; 304 on If-None-Match)',
};

/** Serves a file from `assets`, or 404 `Not found`. */
export async function serveAsset(assets: AdminAssets, path: string, ifNoneMatch: string | null): Promise<Response> {
  return (await assets.respond(path, ifNoneMatch)) ?? errorResponse({ kind: 'notFound' });
}

const route = routesFor<AdminPageDeps>();

/**
 * `GET /admin` (the control panel) and `GET /admin/assets/*` (its modules and stylesheet).
 * The admin guard answers 404 for both while ADMIN_ACCESS_CODE is unset; the page itself holds
 * no data: everything it shows comes from the JSON API with the bearer token it obtains.
 */
export const adminPageRoutes = [
  route({
    method: 'get',
    path: '/admin',
    operationId: 'adminPage',
    tag: 'Service',
    summary: 'The admin control panel',
    responses: { 200: HTML_PAGE },
    errors: [{ kind: 'notFound' }],
    handler: ({ event }, { adminAssets }) => serveAsset(adminAssets, 'index.html', event.req.headers.get('if-none-match')),
  }),
  route({
    method: 'get',
    path: '/admin/assets/**:path',
    operationId: 'adminAsset',
    tag: 'Service',
    summary: 'The admin page’s modules, stylesheet and icon',
    params: assetPathParams,
    responses: { 200: STATIC_ASSET },
    errors: [{ kind: 'notFound' }],
    handler: ({ event, params }, { adminAssets }) =>
      serveAsset(adminAssets, `assets/${params.path}`, event.req.headers.get('if-none-match')),
  }),
];
