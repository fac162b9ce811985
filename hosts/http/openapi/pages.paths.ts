import { errors, jsonResponse, type Paths, pathParam } from './openapi-builders.js';

/**
 * Pages and the machine-readable surface: liveness, the admin page, the API explorer and this
 * document. The two HTML pages hold no data and need no token to load (they 404 while the
 * admin is disabled); what they show comes from the guarded JSON API.
 */

const html = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
const asset = {
  description: 'A static module, stylesheet or icon (ETag; 304 on If-None-Match)',
  content: { '*/*': { schema: { type: 'string' } } },
};
const assetPath = pathParam('path', 'The file under assets/ (may span several segments)');

export const pagesPaths: Paths = {
  '/healthz': {
    get: {
      operationId: 'healthz',
      tags: ['Service'],
      summary: 'The process is up and serving (never guarded, never touches storage)',
      security: [],
      responses: { '200': jsonResponse({ type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } }) },
    },
  },
  '/admin': {
    get: {
      operationId: 'adminPage',
      tags: ['Service'],
      summary: 'The admin control panel',
      security: [],
      responses: { '200': html, ...errors({ 404: ['Not found'] }) },
    },
  },
  '/admin/assets/{path}': {
    get: {
      operationId: 'adminAsset',
      tags: ['Service'],
      summary: 'The admin page’s modules, stylesheet and icon',
      security: [],
      parameters: [assetPath],
      responses: { '200': asset, ...errors({ 404: ['Not found'] }) },
    },
  },
  '/api/docs': {
    get: {
      operationId: 'apiDocsPage',
      tags: ['Docs & Spec'],
      summary: 'Interactive API explorer (a static page; it fetches this document with the admin token)',
      security: [],
      responses: { '200': html, ...errors({ 404: ['Not found'] }) },
    },
  },
  '/api/docs/assets/{path}': {
    get: {
      operationId: 'apiDocsAsset',
      tags: ['Docs & Spec'],
      summary: 'The explorer’s module and stylesheet',
      security: [],
      parameters: [assetPath],
      responses: { '200': asset, ...errors({ 404: ['Not found'] }) },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      operationId: 'openapiDocument',
      tags: ['Docs & Spec'],
      summary: 'This OpenAPI 3.0 specification (admin bearer token required)',
      responses: { '200': jsonResponse({ type: 'object', description: 'An OpenAPI 3.0.3 document' }) },
    },
  },
};
