import { classifyPath } from '../admin-guard.js';
import type { RouteDefinition } from '../route.js';
import { ROUTES } from '../routes/all-routes.js';
import { COMPONENTS } from '../schemas/components.schema.js';
import { addErrors, type Operation, type Paths, type Schema } from './openapi-builders.js';
import { openApiPath, operationOf } from './openapi-operation.js';
import { createSchemaConverter } from './openapi-schemas.js';

/**
 * `GET /api/v1/openapi.json`: the whole HTTP surface as OpenAPI 3.0.3, generated from the route
 * definitions themselves (their zod schemas and their errors, through the error table), so the
 * document describes exactly what the routes parse and answer. Who may call what is not
 * repeated per route: it follows the admin guard's own `classifyPath`, so an admin route always
 * carries the guard's 401 and its 404 while the admin is disabled. test/hosts/openapi checks
 * that every registered route is here and nothing else is, and calls every operation.
 */

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description?: string }[];
  paths: Paths;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  'Docs & Spec': 'This document and the interactive explorer at /api/docs.',
  'Runner callbacks': 'Called by runners with a single-use run token; errors are slug codes.',
  'Session callbacks': 'Called by sessions with the one-time nonce of their job, in the JSON body.',
  Webhooks: 'Signed deliveries from GitHub and Linear.',
  Triggers: 'Outside automation, with the gap-fill trigger secret; errors are slug codes.',
};

const DESCRIPTION = [
  'The AI-Implement orchestrator’s HTTP API. A failed request answers a JSON body `{ "error": "…" }`:',
  'a slug code for /runner/* and /trigger/gap-fill, a human-readable message elsewhere.',
  '',
  'Every /api/* route needs the admin bearer token from `POST /api/auth` (`adminBearer`), this',
  'document included, except the callbacks that carry their own credential (nonce, GitHub signature)',
  'and the /api/docs explorer page and its assets, which hold no data. While ADMIN_ACCESS_CODE is',
  'unset the admin surface does not exist: its routes answer 404 `Not found`.',
].join('\n');

const SECURITY_SCHEMES: Record<string, Schema> = {
  adminBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'The token `POST /api/auth` returns for the admin access code (valid 24 hours).',
  },
  runToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'run token',
    description: 'The signed token of one run and one endpoint (audience), minted at dispatch; /runner/result’s is single-use.',
  },
  gapFillBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'GAP_FILL_TRIGGER_SECRET, for POST /trigger/gap-fill.',
  },
  githubSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature-256',
    description: '`sha256=` HMAC of the raw body with GITHUB_WEBHOOK_SECRET.',
  },
  linearSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'linear-signature',
    description: 'HMAC of the raw body with LINEAR_WEBHOOK_SECRET; the signed webhookTimestamp must be fresh.',
  },
  nonce: {
    type: 'apiKey',
    in: 'header',
    name: 'x-nonce-in-body',
    description:
      'Documentation only: the one-time nonce of a session’s job travels in the JSON body as `nonce` (OpenAPI 3.0 has no body credential). Operations that take it are marked `x-credential: nonce` and list no security requirement.',
  },
};

/** An OpenAPI path as the guard sees a request for it: every `{param}` filled in. */
const samplePath = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

/** The guard's part of an operation: its security requirement and the answers it gives itself. */
function applyGuard(path: string, op: Operation): void {
  switch (classifyPath(samplePath(path))) {
    case 'adminApi':
      op.security ??= [{ adminBearer: [] }];
      addErrors(op.responses, 401, ['Unauthorized']);
      addErrors(op.responses, 404, ['Not found']);
      return;
    case 'login':
    case 'adminPage':
      op.security ??= [];
      addErrors(op.responses, 404, ['Not found']);
      return;
    default:
      // Public and self-authenticated routes state their own credential in their definition.
      if (!op.security) throw new Error(`openapi: ${path} names no security requirement`);
  }
}

export function buildOpenApiDocument(version: string, routes: readonly RouteDefinition<never>[] = ROUTES): OpenApiDocument {
  const { convert, components } = createSchemaConverter();
  for (const schema of COMPONENTS) convert(schema);
  const paths: Paths = {};
  const tags: string[] = [];
  for (const route of routes) {
    const path = openApiPath(route.spec.path);
    const method = route.spec.method;
    paths[path] ??= {};
    const target = paths[path];
    if (target[method]) throw new Error(`openapi: ${method.toUpperCase()} ${path} is described twice`);
    const op = operationOf(route, convert);
    applyGuard(path, op);
    if (op.requestBody) addErrors(op.responses, 413, ['Request body too large']);
    for (const tag of op.tags) if (!tags.includes(tag)) tags.push(tag);
    target[method] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'AI-Implement orchestrator', version, description: DESCRIPTION },
    servers: [{ url: '/' }],
    security: [{ adminBearer: [] }],
    tags: tags.map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) })),
    paths,
    components: { schemas: components, securitySchemes: SECURITY_SCHEMES },
  };
}
