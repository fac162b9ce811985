import { ok } from 'neverthrow';
import { z } from 'zod';
import type { SecurityEventsService } from '../../../core/app/operations/security-events.service.js';
import { routesFor } from '../route.js';
import {
  SecurityEvent,
  SecurityEventPage,
  SecurityEventsQuery,
  SecurityStatusBody,
} from '../schemas/operations-events.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface SecurityEventsRoutesDeps {
  securityEvents: SecurityEventsService;
}

const route = routesFor<SecurityEventsRoutesDeps>();
const TAG = 'Security events';
const DEFAULT_LIMIT = 50;

/** Grouped security events and their triage (issue 18), admin only. */
export const securityEventsRoutes = [
  route({
    method: 'get',
    path: '/api/security-events',
    operationId: 'listSecurityEvents',
    tag: TAG,
    summary: 'Security events, grouped (newest sighting first, paged, with a total)',
    description:
      'Failed admin sign-ins and lockouts, bad webhook signatures, bad or replayed run tokens and nonces, probes (classified script, command, SQL, template, path, fuzz) and unknown-route bursts. Repeats of one kind from one source on one route are one group with a count and duplicate/burst hints. Kept 30 days after the last sighting, at most 5,000 groups.',
    query: SecurityEventsQuery,
    responses: { 200: SecurityEventPage },
    errors: [{ kind: 'invalid', message: '(the bad paging or filter parameter)' }],
    handler: async ({ query }, { securityEvents }) => {
      const { limit = DEFAULT_LIMIT, offset = 0, ...filter } = query;
      const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      const page = await securityEvents.list({ ...defined, limit, offset });
      return ok({ events: page.items, total: page.total, limit, offset });
    },
  }),
  route({
    method: 'patch',
    path: '/api/security-events/:id',
    operationId: 'triageSecurityEvent',
    tag: TAG,
    summary: 'Move a security event along open → triaged → in_progress → done, then archived',
    description:
      'Forward one step or straight to done; done → archived; triaged, in_progress and done may be reopened. Any other move is 409 with the reason; a status that does not exist is 400.',
    params: z.object({ id: pathParam('The security event id') }),
    body: { schema: SecurityStatusBody, read: 'object' as const },
    responses: { 200: SecurityEvent },
    errors: [
      { kind: 'invalidBody' },
      { kind: 'invalid', message: 'status must be one of open, triaged, in_progress, done, archived' },
      { kind: 'notFound' },
      { kind: 'conflict', message: '(why the move is not allowed)' },
    ],
    handler: async ({ params, body }, { securityEvents }) => securityEvents.setStatus(params.id, body.status),
  }),
];
