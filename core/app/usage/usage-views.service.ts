import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { RunUsageRecord, UsageGroup, UsageGroupBy, UsageQuery } from '../../../ports/usage-store.port.js';
import { nextUtcMidnight, utcDay } from '../../domain/budget.js';
import type { UsageSettingsSource } from './usage-settings.js';
import { type UsageView, usageView } from './usage-view.js';

export const USAGE_GROUPS = ['team', 'mapping', 'model', 'day'] as const satisfies readonly UsageGroupBy[];
export type UsageGroupParam = (typeof USAGE_GROUPS)[number];
/** Days a query may span (a year and a day). */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
const TOP_ISSUES = 10;
const STOPPED_RUNS = 20;
const EXPORT_PAGE = 1_000;

export interface UsageRange {
  from?: string;
  to?: string;
  team?: string;
}

export interface UsageSummary {
  from: string;
  to: string;
  groupBy: UsageGroupParam;
  team: string | null;
  groups: UsageGroup[];
  total: Omit<UsageGroup, 'key'>;
  /** Today's spend against the daily budgets; resets at `resetsAt` (00:00 UTC). */
  today: {
    day: string;
    resetsAt: number;
    global: { spentUsd: number; budgetUsd: number | null };
    teams: { teamKey: string; spentUsd: number; budgetUsd: number | null }[];
  };
  topIssues: UsageGroup[];
  stoppedByBudget: (UsageView & { jobId: string; identifier: string; teamKey: string; day: string })[];
}

export type UsageViewError = { kind: 'invalid'; message: string };

export interface UsageViews {
  summary(range: UsageRange, groupBy: UsageGroupParam): Promise<Result<UsageSummary, UsageViewError>>;
  /** The runs of the range as CSV, one line a run, for a spreadsheet. */
  exportCsv(range: UsageRange): Promise<Result<string, UsageViewError>>;
}

export interface UsageViewsDeps {
  storage: Storage;
  clock: Clock;
  usageSettings: UsageSettingsSource;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) =>
  DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && utcDay(Date.parse(`${v}T00:00:00Z`)) === v;

/** The days asked, defaulting to the last 30 (today included). */
export function resolveRange(range: UsageRange, now: number): Result<UsageQuery, UsageViewError> {
  const to = range.to ?? utcDay(now);
  if (!isDay(to)) return err({ kind: 'invalid', message: 'to must be a date (YYYY-MM-DD)' });
  const from = range.from ?? utcDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS);
  if (!isDay(from)) return err({ kind: 'invalid', message: 'from must be a date (YYYY-MM-DD)' });
  if (from > to) return err({ kind: 'invalid', message: 'from must not be after to' });
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (span > MAX_USAGE_DAYS) return err({ kind: 'invalid', message: `from and to may span at most ${MAX_USAGE_DAYS} days` });
  return ok({ from, to, ...(range.team ? { teamKey: range.team } : {}) });
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a text that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const CSV_COLUMNS = [
  'day',
  'team',
  'issue',
  'job_id',
  'phase',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'total_tokens',
  'cost_usd',
  'turns',
  'final',
  'stopped_by_budget',
];

function csvLine(u: RunUsageRecord): string {
  const view = usageView(u)!;
  return [
    u.day,
    u.teamKey,
    u.identifier,
    u.jobId,
    u.phase,
    u.model ?? '',
    u.inputTokens,
    u.outputTokens,
    u.cacheReadTokens,
    u.cacheCreationTokens,
    view.totalTokens,
    u.costUsd === undefined ? '' : u.costUsd.toFixed(6),
    u.turns ?? '',
    u.final,
    u.stoppedByBudget,
  ]
    .map(csvField)
    .join(',');
}

/** `/api/usage` and its CSV export (issue 17 "Showing it"). */
export function createUsageViews({ storage, clock, usageSettings }: UsageViewsDeps): UsageViews {
  return {
    async summary(range, groupBy) {
      const now = clock.now();
      const query = resolveRange(range, now);
      if (query.isErr()) return err(query.error);
      const today = utcDay(now);
      const [groups, topIssues, stopped, spend, mappings, settings] = await Promise.all([
        storage.usage.summarize(query.value, groupBy),
        storage.usage.summarize(query.value, 'issue', TOP_ISSUES),
        storage.usage.list({ ...query.value, stoppedByBudget: true }, { limit: STOPPED_RUNS, offset: 0 }),
        storage.usage.spendOn(today),
        storage.mappings.list(),
        usageSettings.current(),
      ]);
      const total: UsageSummary['total'] = {
        runs: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheCreationTokens: 0,
        costUsd: 0,
        unpricedRuns: 0,
      };
      for (const g of groups) {
        total.runs += g.runs;
        total.inputTokens += g.inputTokens;
        total.outputTokens += g.outputTokens;
        total.cacheReadTokens += g.cacheReadTokens;
        total.cacheCreationTokens += g.cacheCreationTokens;
        total.costUsd += g.costUsd;
        total.unpricedRuns += g.unpricedRuns;
      }
      const teamKeys = [...new Set([...mappings.map((m) => m.teamKey), ...Object.keys(spend)])].sort();
      const budgetOf = new Map(mappings.map((m) => [m.teamKey, m.dailyBudgetUsd]));
      return ok({
        from: query.value.from,
        to: query.value.to,
        groupBy,
        team: range.team ?? null,
        groups,
        total,
        today: {
          day: today,
          resetsAt: nextUtcMidnight(now),
          global: {
            spentUsd: Object.values(spend).reduce((a, b) => a + b, 0),
            budgetUsd: settings.globalDailyBudgetUsd ?? null,
          },
          teams: teamKeys.map((teamKey) => ({
            teamKey,
            spentUsd: spend[teamKey] ?? 0,
            budgetUsd: budgetOf.get(teamKey) ?? null,
          })),
        },
        topIssues,
        stoppedByBudget: stopped.map((u) => ({
          ...usageView(u)!,
          jobId: u.jobId,
          identifier: u.identifier,
          teamKey: u.teamKey,
          day: u.day,
        })),
      });
    },

    async exportCsv(range) {
      const query = resolveRange(range, clock.now());
      if (query.isErr()) return err(query.error);
      const lines = [CSV_COLUMNS.join(',')];
      for (let offset = 0; ; offset += EXPORT_PAGE) {
        const page = await storage.usage.list(query.value, { limit: EXPORT_PAGE, offset });
        for (const u of page) lines.push(csvLine(u));
        if (page.length < EXPORT_PAGE) break;
      }
      return ok(`${lines.join('\r\n')}\r\n`);
    },
  };
}
