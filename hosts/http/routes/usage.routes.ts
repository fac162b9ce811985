import { err } from 'neverthrow';
import { z } from 'zod';
import { MAX_USAGE_DAYS, USAGE_GROUPS, type UsageViews } from '../../../core/app/usage/usage-views.service.js';
import type { HttpError } from '../errors.js';
import { routesFor } from '../route.js';
import { millis, RunUsageView } from '../schemas/components.schema.js';

export interface UsageRoutesDeps {
  usageViews: UsageViews;
}

const day = (name: 'from' | 'to', fallback: string) =>
  z
    .string()
    .optional()
    .describe(`A UTC day, YYYY-MM-DD, inclusive; default ${fallback}`)
    .meta({ example: name === 'from' ? '2026-11-07' : '2026-12-06' });
const range = {
  from: day('from', '29 days before `to`'),
  to: day('to', 'today'),
  team: z.string().optional().describe('Only this team’s runs (its mapping’s team key)'),
};

const tokens = {
  runs: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheCreationTokens: z.number().int(),
  costUsd: z.number().describe('Dollars of the runs that had a price'),
  unpricedRuns: z.number().int().describe('Runs whose model had no price: their dollars are not in costUsd'),
};
const UsageGroup = z.object({ key: z.string(), ...tokens }).meta({ id: 'UsageGroup' });
const UsageSummary = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(USAGE_GROUPS),
  team: z.string().nullable(),
  groups: z.array(UsageGroup).describe('Most dollars first'),
  total: z.object(tokens),
  today: z.object({
    day: z.string(),
    resetsAt: millis().describe('00:00 UTC of the next day, when the daily budgets reset'),
    global: z.object({ spentUsd: z.number(), budgetUsd: z.number().nullable() }),
    teams: z.array(z.object({ teamKey: z.string(), spentUsd: z.number(), budgetUsd: z.number().nullable() })),
  }),
  topIssues: z.array(UsageGroup).describe('The issues that cost the most in the range (key: the identifier)'),
  stoppedByBudget: z
    .array(RunUsageView.unwrap().extend({ jobId: z.string(), identifier: z.string(), teamKey: z.string(), day: z.string() }))
    .describe('The latest runs a budget stopped'),
});

const RANGE_ERRORS: HttpError[] = [
  { kind: 'invalid', message: 'from must be a date (YYYY-MM-DD)' },
  { kind: 'invalid', message: 'to must be a date (YYYY-MM-DD)' },
  { kind: 'invalid', message: 'from must not be after to' },
  { kind: 'invalid', message: `from and to may span at most ${MAX_USAGE_DAYS} days` },
];
const GROUP_BY_MESSAGE = `groupBy must be one of: ${USAGE_GROUPS.join(', ')}`;
const FORMAT_MESSAGE = 'format must be csv';

const route = routesFor<UsageRoutesDeps>();

/**
 * Usage, spend and budgets (issue 17 "Showing it"): tokens and dollars of the runs of a range
 * of UTC days, grouped; today's spend against every daily budget; and the same runs as CSV.
 */
export const usageRoutes = [
  route({
    method: 'get',
    path: '/api/usage',
    operationId: 'usage',
    tag: 'Usage',
    summary: 'Tokens and dollars by team, mapping, model or day; today’s spend against the daily budgets',
    query: z.object({
      ...range,
      groupBy: z.enum(USAGE_GROUPS, { error: GROUP_BY_MESSAGE }).default('team').describe('Default team'),
    }),
    responses: { 200: UsageSummary },
    errors: [...RANGE_ERRORS, { kind: 'invalid', message: GROUP_BY_MESSAGE }],
    handler: async ({ query }, { usageViews }) => usageViews.summary(query, query.groupBy),
  }),
  route({
    method: 'get',
    path: '/api/usage/export',
    operationId: 'usageExport',
    tag: 'Usage',
    summary: 'Every run of the range with its tokens and dollars, as CSV (one line a run)',
    query: z.object({
      ...range,
      format: z.enum(['csv'], { error: FORMAT_MESSAGE }).default('csv').describe('csv (the only format)'),
    }),
    responses: {
      200: {
        contentType: 'text/csv',
        description:
          'RFC 4180 CSV with a header line: day, team, issue, job_id, phase, model, the token kinds, total_tokens, cost_usd (blank: not priced), turns, final, stopped_by_budget',
      },
    },
    errors: [...RANGE_ERRORS, { kind: 'invalid', message: FORMAT_MESSAGE }],
    handler: async ({ query }, { usageViews }) => {
      const csv = await usageViews.exportCsv(query);
      if (csv.isErr()) return err(csv.error);
      const name = `ai-implement-usage-${query.from ?? 'last-30-days'}-${query.to ?? 'today'}.csv`.replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      );
      return new Response(csv.value, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}"`,
          'cache-control': 'no-store',
        },
      });
    },
  }),
];
