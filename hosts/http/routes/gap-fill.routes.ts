import { z } from 'zod';
import { GAP_FILL_BAD_BODY, GAP_FILL_NOT_CONFIGURED, type GapFillService } from '../../../core/app/dispatch/gap-fill.service.js';
import { gapFillVerdict } from '../../../core/app/operations/connector-deliveries.js';
import type { Clock } from '../../../ports/clock.port.js';
import { type ConnectorRecordingDeps, recordDelivery } from '../connector-recording.js';
import { routesFor } from '../route.js';

export interface GapFillRoutesDeps extends ConnectorRecordingDeps {
  gapFill: GapFillService;
  clock: Clock;
}

const route = routesFor<GapFillRoutesDeps>();

/** The parsed body as text for the connector log; a body too deep to write back (20,000 nested arrays) is logged as such, never a 500. */
function bodyText(body: unknown): string {
  try {
    return JSON.stringify(body ?? null);
  } catch {
    return '"(body too deeply nested to keep)"';
  }
}

/**
 * `POST /trigger/gap-fill` (outside /api: its own bearer, slug error codes). The use case checks
 * the bearer before the body, so an unauthenticated caller learns nothing about it; a body that
 * is not JSON reaches it as nothing.
 */
export const gapFillRoutes = [
  route({
    method: 'post',
    path: '/trigger/gap-fill',
    operationId: 'triggerGapFill',
    tag: 'Triggers',
    summary: 'Outside automation triggers a gap-fill run on an existing pull request',
    security: 'gapFillBearer',
    body: {
      schema: z.object({ issueKey: z.string().min(1).max(200), prNumber: z.number().int().min(1) }),
      notJson: 'undefined',
      judgedByUseCase: true,
    },
    responses: {
      202: z
        .object({
          accepted: z.literal(true),
          jobId: z.string(),
          issueKey: z.string(),
          prNumber: z.number().int(),
          teamKey: z.string(),
          dispatchNumber: z.number().int(),
        })
        .describe('Accepted: the gap-fill run was dispatched'),
    },
    errors: [
      { kind: 'invalid', message: GAP_FILL_BAD_BODY },
      { kind: 'triggerUnauthorized' },
      { kind: 'mappingNotFound' },
      { kind: 'projectPaused', teamKey: 'ENG' },
      { kind: 'gapFillInProgress' },
      { kind: 'notConfigured', message: GAP_FILL_NOT_CONFIGURED },
      { kind: 'dispatchFailed', detail: 'workflow dispatch failed', dispatchStatus: 'launch_failed' },
    ],
    handler: async ({ event, body }, deps) => {
      const receivedAt = deps.clock.now();
      const result = await deps.gapFill.trigger(event.req.headers.get('authorization'), body);
      const verdict = gapFillVerdict(result);
      const action = typeof (body as { prNumber?: unknown } | undefined)?.prNumber === 'number' ? 'trigger' : undefined;
      recordDelivery(deps, event, { source: 'gap-fill', receivedAt, event: 'gap-fill', action, body: bodyText(body) }, verdict);
      return result.map((run) => ({ accepted: true as const, ...run }));
    },
  }),
];
