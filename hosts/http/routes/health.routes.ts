import { ok } from 'neverthrow';
import { z } from 'zod';
import { routesFor } from '../route.js';

const route = routesFor<unknown>();

/** `GET /healthz`: the process is up and serving. Never guarded, never touches storage. */
export const healthRoutes = [
  route({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    tag: 'Service',
    summary: 'The process is up and serving (never guarded, never touches storage)',
    security: 'public',
    responses: { 200: z.object({ status: z.enum(['ok']) }) },
    handler: () => ok({ status: 'ok' as const }),
  }),
];
