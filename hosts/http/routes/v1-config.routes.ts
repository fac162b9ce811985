import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ConfigOverlayService } from '../../../core/app/operations/config-overlay.service.js';
import { routesFor } from '../route.js';
import { pathParam } from '../schemas/params.schema.js';
import { EffectiveConfig, OverlayBody, OverlayView } from '../schemas/v1-operations.schema.js';

export interface V1ConfigRoutesDeps {
  configOverlay: ConfigOverlayService;
}

const TAG = 'Configuration';
const route = routesFor<V1ConfigRoutesDeps>();

/**
 * Configuration (v1-api-state-issues-config.txt "Configuration"): the effective configuration,
 * its JSON Schema, and the overlay kept in storage. Under /api: the admin guard has checked the token.
 */
export const v1ConfigRoutes = [
  route({
    method: 'get',
    path: '/api/v1/config',
    operationId: 'v1Config',
    tag: TAG,
    summary: 'Effective merged configuration (defaults ← env ← overlay), secrets masked, with each key’s source',
    responses: { 200: EffectiveConfig },
    handler: async (_input, { configOverlay }) => ok(await configOverlay.effective()),
  }),
  route({
    method: 'get',
    path: '/api/v1/config/schema',
    operationId: 'v1ConfigSchema',
    tag: TAG,
    summary: 'Config JSON Schema with example payloads',
    description:
      'Generated from the zod schema that validates the configuration at start. `readOnly` keys come from the environment only; `x-apply` says whether a change is live or needs a restart; `examples` are valid overlays.',
    responses: { 200: z.looseObject({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()) }) },
    handler: (_input, { configOverlay }) => ok(configOverlay.schema() as { type: 'object'; properties: Record<string, unknown> }),
  }),
  route({
    method: 'get',
    path: '/api/v1/config/overlay',
    operationId: 'v1ConfigOverlay',
    tag: TAG,
    summary: 'Current overlay values only',
    responses: { 200: OverlayView },
    handler: async (_input, { configOverlay }) => ok(await configOverlay.overlay()),
  }),
  route({
    method: 'put',
    path: '/api/v1/config/overlay',
    operationId: 'v1ReplaceConfigOverlay',
    tag: TAG,
    summary: 'Replace the entire overlay',
    description:
      'Validated against the configuration schema, alone and merged with the environment; a 400 names the offending key. Persisted in storage (survives a restart, shared by replicas) and recorded in the audit trail.',
    body: { schema: OverlayBody, read: 'object', judgedByUseCase: true },
    responses: { 200: OverlayView },
    errors: [{ kind: 'invalidBody' }, { kind: 'invalid', message: 'Invalid overlay at (key): (problem)' }],
    handler: ({ body }, { configOverlay }) => configOverlay.replace(body),
  }),
  route({
    method: 'delete',
    path: '/api/v1/config/overlay/:path',
    operationId: 'v1DeleteConfigOverlayPath',
    tag: TAG,
    summary: 'Delete a specific overlay path',
    params: z.object({ path: pathParam('The overlay key (a dot path), e.g. POLL_INTERVAL_MS') }),
    responses: { 200: OverlayView },
    errors: [{ kind: 'overlayPathNotFound' }],
    handler: ({ params }, { configOverlay }) => configOverlay.remove(params.path),
  }),
];
