/**
 * Budgets — issue 17 "Budgets, enforced at three levels": per run (`maxCostUsd`, `maxTokens`
 * of the mapping), per team per day (`dailyBudgetUsd` of the mapping) and globally per day
 * (the `DAILY_BUDGET_USD` setting). Days are UTC days; a daily budget resets at 00:00 UTC.
 * A warning is due at 80 % of a budget and the budget is reached at 100 %.
 */
import type { Mapping } from './model.js';
import { totalTokens, type UsageReport } from './usage.js';

export const WARNING_RATIO = 0.8;

export type BudgetScope = 'run' | 'team' | 'global';
export type BudgetLevel = 'warning' | 'reached';

const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `2026-12-06` for a time in that UTC day: the proleptic Gregorian date of the day number
 * (Howard Hinnant's civil_from_days), so the core needs no Date object.
 */
export function utcDay(ms: number): string {
  const z = Math.floor(ms / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The next 00:00 UTC after `ms`: when the day's budgets reset. */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

/** `17:42` for a time, in UTC. */
function utcClock(ms: number): string {
  const minutes = Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export const dollars = (usd: number): string => `$${usd.toFixed(2)}`;

/** The run's failure when its own cap stopped it. */
export function budgetReachedError(spentUsd: number): string {
  return `Reached budget (${dollars(spentUsd)})`;
}

/** The `budget` blocker's message. */
export function dailyBudgetMessage(teamKey: string, spentUsd: number, budgetUsd: number, now: number): string {
  const resets = utcClock(nextUtcMidnight(now));
  return `Daily budget reached for team ${teamKey} (${dollars(spentUsd)}/${dollars(budgetUsd)}). Resets at ${resets} UTC.`;
}

/** The run's caps: set only when a positive value is stored. */
export type RunBudget = Pick<Mapping, 'maxCostUsd' | 'maxTokens'>;

/**
 * Whether a run's usage so far has crossed its cap: dollars at or past `maxCostUsd` (only when
 * the cost is known), or all tokens at or past `maxTokens`.
 */
export function runBudgetCrossed(usage: UsageReport, budget: RunBudget): boolean {
  if (budget.maxCostUsd !== undefined && usage.costUsd !== undefined && usage.costUsd >= budget.maxCostUsd) return true;
  return budget.maxTokens !== undefined && totalTokens(usage) >= budget.maxTokens;
}

/** The levels passed going from `before` to `after` against `budget` (none when there is no budget). */
export function levelsCrossed(before: number, after: number, budget: number | undefined): BudgetLevel[] {
  if (budget === undefined || !(budget > 0)) return [];
  const levels: BudgetLevel[] = [];
  if (before < budget * WARNING_RATIO && after >= budget * WARNING_RATIO) levels.push('warning');
  if (before < budget && after >= budget) levels.push('reached');
  return levels;
}

/** Today's spend, as the planner sees it (read from the store by the shell). */
export interface DailySpend {
  /** Dollars spent today per team key; a team absent spent nothing. */
  byTeam: Readonly<Record<string, number>>;
  /** Dollars spent today by every team. */
  totalUsd: number;
  /** The global daily budget, when one is set. */
  globalBudgetUsd?: number;
}

/**
 * Whether a team's next dispatch must wait for tomorrow: its own `dailyBudgetUsd`, or the
 * global one, is spent. The spend and the budget that hold it back, or undefined.
 */
export function dailyBudgetHold(
  mapping: Pick<Mapping, 'teamKey' | 'dailyBudgetUsd'>,
  spend: DailySpend,
): { spentUsd: number; budgetUsd: number } | undefined {
  const spent = spend.byTeam[mapping.teamKey] ?? 0;
  if (mapping.dailyBudgetUsd !== undefined && spent >= mapping.dailyBudgetUsd) {
    return { spentUsd: spent, budgetUsd: mapping.dailyBudgetUsd };
  }
  if (spend.globalBudgetUsd !== undefined && spend.totalUsd >= spend.globalBudgetUsd) {
    return { spentUsd: spend.totalUsd, budgetUsd: spend.globalBudgetUsd };
  }
  return undefined;
}
