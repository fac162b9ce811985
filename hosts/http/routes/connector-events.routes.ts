import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ConnectorEventsService } from '../../../core/app/operations/connector-events.service.js';
import type { ConnectorReplayService } from '../../../core/app/operations/connector-replay.service.js';
import { routesFor } from '../route.js';
import { ConnectorEvent, ConnectorEventPage, ConnectorEventsQuery, ReplayAnswer } from '../schemas/operations-events.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface ConnectorEventsRoutesDeps {
  connectorEvents: ConnectorEventsService;
  connectorReplay: ConnectorReplayService;
}

const route = routesFor<ConnectorEventsRoutesDeps>();
const TAG = 'Connector events';
const idParams = z.object({ id: pathParam('The connector event id') });
const DEFAULT_LIMIT = 50;

/** The connector event log (issue 18): inbound deliveries and failed outbound calls, admin only. */
export const connectorEventsRoutes = [
  route({
    method: 'get',
    path: '/api/connector-events',
    operationId: 'listConnectorEvents',
    tag: TAG,
    summary: 'Inbound deliveries and failed outbound calls (newest first, paged, with a total)',
    description:
      'Every delivery to /webhooks/linear, /api/github/webhook and /trigger/gap-fill, and the embedded tracker’s changes, with its delivery id, signature verdict, outcome (acted, ignored, duplicate, rejected) and what it caused; outbound calls that failed (ticket comments, label moves, workflow dispatches) with their retry state. Kept 14 days, at most 20,000 events.',
    query: ConnectorEventsQuery,
    responses: { 200: ConnectorEventPage },
    errors: [{ kind: 'invalid', message: '(the bad paging or filter parameter)' }],
    handler: async ({ query }, { connectorEvents }) => {
      const { limit = DEFAULT_LIMIT, offset = 0, ...filter } = query;
      const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      const page = await connectorEvents.list({ ...defined, limit, offset });
      return ok({ events: page.items, total: page.total, limit, offset });
    },
  }),
  route({
    method: 'get',
    path: '/api/connector-events/:id',
    operationId: 'getConnectorEvent',
    tag: TAG,
    summary: 'One connector event with its (redacted, size-capped) body',
    params: idParams,
    responses: { 200: ConnectorEvent },
    errors: [{ kind: 'notFound' }],
    handler: async ({ params }, { connectorEvents }) => connectorEvents.get(params.id),
  }),
  route({
    method: 'post',
    path: '/api/connector-events/:id/replay',
    operationId: 'replayConnectorEvent',
    tag: TAG,
    summary: 'Re-process a stored, verified delivery',
    description:
      'Acts on the stored payload again and records the replay as a new event naming the original. Only Linear and GitHub deliveries that verified and were kept whole can be replayed (409 otherwise). A vendor’s redelivery of the same delivery id is still answered as a duplicate.',
    params: idParams,
    responses: { 200: ReplayAnswer },
    errors: [{ kind: 'notFound' }, { kind: 'conflict', message: '(why the delivery cannot be replayed)' }],
    handler: async ({ params }, { connectorReplay }) => connectorReplay.replay(params.id),
  }),
];
