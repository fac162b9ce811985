import { ok } from 'neverthrow';
import { z } from 'zod';
import type { PullsService } from '../../../core/app/pulls/pulls.service.js';
import { routesFor } from '../route.js';
import { isoTime } from '../schemas/components.schema.js';

export interface PullsRoutesDeps {
  pulls: PullsService;
}

const nullableText = z.string().nullable();
/** A `PullRow` of core/app/pulls/pulls.service.ts. */
const PullRow = z.object({
  owner: z.string().optional(),
  repo: z.string().optional(),
  repository: z.string().optional(),
  number: z.number().int(),
  url: z.string(),
  branch: nullableText.optional(),
  issue: z.object({ id: z.string(), identifier: z.string(), url: nullableText }),
  teamKey: z.string().optional(),
  job: z.object({ id: z.string(), phase: z.string(), status: nullableText, runUrl: nullableText }).optional(),
  status: z.enum(['running', 'completed', 'failed', 'review_failed', 'unknown']),
  iteration: z.number().int().optional(),
  lastDispatchAt: isoTime().optional(),
  secondsSinceLastDispatch: z.number().optional(),
  merged: z.boolean(),
  mergedAt: nullableText.optional(),
  links: z.object({ pullRequest: z.string(), issue: nullableText, run: nullableText, repository: z.string() }).optional(),
});

const route = routesFor<PullsRoutesDeps>();

/** `GET /api/pulls`: the Pull requests panel. */
export const pullsRoutes = [
  route({
    method: 'get',
    path: '/api/pulls',
    operationId: 'listPulls',
    tag: 'Pull requests',
    summary: 'Pull requests opened by runs',
    responses: { 200: z.object({ pulls: z.array(PullRow) }) },
    handler: async (_input, { pulls }) => ok({ pulls: await pulls.list() }),
  }),
];
