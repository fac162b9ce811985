import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { DispatchLogService } from '../../../core/app/dispatch/dispatch-log.service.js';
import { routesFor } from '../route.js';
import { someObject } from '../schemas/components.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface DispatchLogRoutesDeps {
  dispatchLog: DispatchLogService;
}

const entries = z.object({ entries: z.array(someObject()) });
const route = routesFor<DispatchLogRoutesDeps>();

/** The dispatch log and the 24-hour dedup window (admin "Pipelines (jobs)", "Audit log"). */
export const dispatchLogRoutes = [
  route({
    method: 'get',
    path: '/api/log',
    operationId: 'dispatchLog',
    tag: 'Dispatch log',
    summary: 'The dispatch log (audit of every dispatch)',
    responses: { 200: entries },
    handler: async (_input, { dispatchLog }) => ok({ entries: await dispatchLog.log() }),
  }),
  route({
    method: 'get',
    path: '/api/dedup',
    operationId: 'dedupEntries',
    tag: 'Dispatch log',
    summary: 'Issues inside the 24-hour dedup window',
    responses: { 200: entries },
    handler: async (_input, { dispatchLog }) => ok({ entries: await dispatchLog.dedup() }),
  }),
  route({
    method: 'delete',
    path: '/api/dedup/:issueId',
    operationId: 'removeDedup',
    tag: 'Dispatch log',
    summary: 'Take an issue out of the dedup window so the next poll may dispatch it',
    params: z.object({ issueId: pathParam('The issue id') }),
    responses: { 200: z.object({ removed: z.literal(true) }) },
    errors: [{ kind: 'notFound' }],
    handler: async ({ params }, { dispatchLog }) =>
      (await dispatchLog.removeDedup(params.issueId)) ? ok({ removed: true as const }) : err({ kind: 'notFound' as const }),
  }),
];
