import { ok } from 'neverthrow';
import { z } from 'zod';
import type { ReaperService } from '../../../core/app/operations/reaper.service.js';
import { routesFor } from '../route.js';
import { millis } from '../schemas/components.schema.js';

export interface ReaperRoutesDeps {
  reaper: ReaperService;
}

/** `?limit=`: 1–1000 (more is capped), 100 when missing or not a positive integer. */
const limit = z.coerce
  .number()
  .int()
  .min(1)
  .transform((n) => Math.min(n, 1000))
  .catch(100)
  .describe('How many (1–1000, default 100)');

const nullableText = z.string().nullable();
const ReaperAction = z.object({
  at: millis(),
  rule: z.string(),
  runner: z.string().optional(),
  machineId: z.string(),
  tenant: nullableText.optional(),
  issue: nullableText.optional(),
  jobId: nullableText.optional(),
  ageSeconds: z.number().optional(),
  action: z.enum(['dry-run', 'destroyed']),
});

const route = routesFor<ReaperRoutesDeps>();

/** Admin "Reaper": the 24-hour counts by rule, and the latest actions. */
export const reaperRoutes = [
  route({
    method: 'get',
    path: '/api/reaper/summary',
    operationId: 'reaperSummary',
    tag: 'Reaper',
    summary: 'The reaper’s 24-hour counts by rule',
    responses: {
      200: z.object({
        windowHours: z.number().int(),
        since: millis(),
        total: z.number().int(),
        destroyed: z.number().int(),
        dryRun: z.number().int(),
        byRule: z.record(z.string(), z.number().int()),
      }),
    },
    handler: async (_input, { reaper }) => ok(await reaper.summary()),
  }),
  route({
    method: 'get',
    path: '/api/reaper/recent',
    operationId: 'reaperRecent',
    tag: 'Reaper',
    summary: 'The reaper’s latest actions',
    query: z.object({ limit }),
    responses: { 200: z.object({ actions: z.array(ReaperAction) }) },
    handler: async ({ query }, { reaper }) => ok({ actions: await reaper.recent(query.limit) }),
  }),
];
