import { fileURLToPath } from 'node:url';
import { ok } from 'neverthrow';
import type { AdminAssets } from '../../admin/admin-assets.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';
import { assetPathParams } from '../schemas/params.schema.js';
import { HTML_PAGE, STATIC_ASSET, serveAsset } from './admin-page.routes.js';

/** The explorer's static files (index.html and assets/), served by the admin page's asset table. */
export const DOCS_PAGE_DIR = fileURLToPath(new URL('../openapi/docs-page/', import.meta.url));

/** Made per app by routes/index.ts: the explorer's files, and the document (built once, on first use). */
export interface DocsDeps {
  docsAssets: AdminAssets;
  openApiDocument: () => object;
}

const route = routesFor<DocsDeps>();

/**
 * `GET /api/v1/openapi.json` (admin-guarded like every /api route) and the explorer
 * `GET /api/docs` with `GET /api/docs/assets/*`, which the guard lets a browser load without a
 * bearer (admin-guard.ts DOCS_PAGE_PATH): the page holds no data and fetches the document with
 * the admin token the /admin page keeps in sessionStorage.
 */
export const docsRoutes = [
  route({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'openapiDocument',
    tag: 'Docs & Spec',
    summary: 'This OpenAPI 3.0 specification (admin bearer token required)',
    responses: { 200: someObject('An OpenAPI 3.0.3 document') },
    handler: (_input, { openApiDocument }) => ok(openApiDocument()),
  }),
  route({
    method: 'get',
    path: '/api/docs',
    operationId: 'apiDocsPage',
    tag: 'Docs & Spec',
    summary: 'Interactive API explorer (a static page; it fetches this document with the admin token)',
    responses: { 200: HTML_PAGE },
    errors: [{ kind: 'notFound' }],
    handler: ({ event }, { docsAssets }) => serveAsset(docsAssets, 'index.html', event.req.headers.get('if-none-match')),
  }),
  route({
    method: 'get',
    path: '/api/docs/assets/**:path',
    operationId: 'apiDocsAsset',
    tag: 'Docs & Spec',
    summary: 'The explorer’s module and stylesheet',
    params: assetPathParams,
    responses: { 200: STATIC_ASSET },
    errors: [{ kind: 'notFound' }],
    handler: ({ event, params }, { docsAssets }) =>
      serveAsset(docsAssets, `assets/${params.path}`, event.req.headers.get('if-none-match')),
  }),
];
