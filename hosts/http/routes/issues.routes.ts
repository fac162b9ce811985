import { z } from 'zod';
import type { IssuesViewService } from '../../../core/app/issues/issues-view.service.js';
import { routesFor } from '../route.js';
import { isoTime, millis } from '../schemas/components.schema.js';
import { wholeNumber } from '../schemas/operations-events.schema.js';

export interface IssuesRoutesDeps {
  issuesView: IssuesViewService;
}

const nullableText = z.string().nullable();

/** An `IssueRow` of core/app/issues/issues-view.service.ts. */
const IssueRow = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string(),
  teamKey: z.string(),
  url: z.string().optional(),
  stage: z.string().optional(),
  stageName: z.string().optional(),
  state: nullableText.optional(),
  stateName: nullableText.optional(),
  labels: z.array(z.string()),
  priority: z.number().int().optional(),
  createdAt: isoTime().optional(),
  planningPending: z.boolean().optional(),
  readyForImplementation: z.boolean().optional(),
  activeJob: z.object({ id: z.string(), phase: z.string(), status: z.string() }).nullable(),
});

/** A `BlockerRow`: why the planner holds an issue back. */
const BlockerRow = z.object({
  issueId: z.string(),
  identifier: z.string(),
  title: z.string(),
  teamKey: z.string(),
  mapping: z.string(),
  reason: z.string().describe('Why the planner holds it back: concurrency, dedup, no-mapping, …'),
  message: z.string(),
  url: z.string(),
});

const UPSTREAM = { kind: 'upstream', message: '(underlying error message)' } as const;
const INVALID = { kind: 'invalid', message: '(the bad paging or filter parameter)' } as const;

/** Paging for a long list: without `limit` the whole list, as the spec's clients expect. */
const IssuesQuery = z.object({
  q: z.string().max(200).optional().describe('Only issues whose identifier, title or team contains this (any case)'),
  limit: wholeNumber('limit', 0, 1000).optional().describe('0–1000; without it, every issue (0: none, only the counts)'),
  offset: wholeNumber('offset', 0, Number.MAX_SAFE_INTEGER).optional(),
});
const route = routesFor<IssuesRoutesDeps>();

/** The Issues and Blockers views (admin-ui-and-api.txt "Issues", "Blockers"). */
export const issuesRoutes = [
  route({
    method: 'get',
    path: '/api/issues',
    operationId: 'listIssues',
    tag: 'Issues',
    summary: 'List tracked issues (optionally paged and filtered, with the total)',
    query: IssuesQuery,
    responses: {
      200: z.object({
        issues: z.array(IssueRow),
        total: z.number().int().describe('Issues matching `q` (all of them without it), whatever the page'),
        inProgress: z.array(z.object({ teamKey: z.string(), count: z.number().int(), cap: z.number().int() })),
        errors: z
          .array(z.object({ teamKey: z.string(), error: z.string().describe('The tracker’s error, secrets redacted') }))
          .describe(
            'Mappings whose tracker failed or did not answer in time: their issues are missing from `issues`. When every mapping failed, the answer is a 502 instead.',
          ),
      }),
    },
    errors: [UPSTREAM, INVALID],
    handler: async ({ query }, { issuesView }) => issuesView.issues(query),
  }),
  route({
    method: 'get',
    path: '/api/blockers',
    operationId: 'listBlockers',
    tag: 'Issues',
    summary: 'List issues currently blocked from dispatch, with the reason (optionally paged)',
    query: IssuesQuery.pick({ limit: true, offset: true }),
    responses: {
      200: z.object({
        kpis: z.object({
          totalBlocked: z.number().int(),
          teamsAffected: z.number().int(),
          blockedByConcurrency: z.number().int(),
          blockedByDedup: z.number().int(),
          blockedByBudget: z.number().int().describe('Waiting for a daily budget to reset (issue 17)'),
        }),
        blockers: z
          .array(BlockerRow)
          .describe('All of them, or the page `limit` and `offset` ask for (`kpis.totalBlocked` counts them all)'),
        mappings: z
          .array(
            z.object({
              mapping: z.string(),
              teamKey: z.string(),
              reason: z.enum(['rate-limited', 'tracker-unavailable']),
              message: z.string(),
              until: millis().optional(),
            }),
          )
          .describe('Mappings whose tracker is rate limited or unavailable, and until when'),
      }),
    },
    errors: [UPSTREAM, INVALID],
    handler: async ({ query }, { issuesView }) => issuesView.blockers(query),
  }),
];
