import type { Phase } from '../core/domain/model.js';
import type { TokenUsage } from '../core/domain/usage.js';

/** One run's usage, cumulative: the latest report of its session (issue 17). */
export interface RunUsageRecord extends TokenUsage {
  jobId: string;
  issueId: string;
  identifier: string;
  teamKey: string;
  phase: Phase;
  /** The model the agent said it ran, when it said. */
  model?: string;
  /** The UTC day (`2026-12-06`) the run's spend counts on: the day of its first report. */
  day: string;
  /** Dollars; absent when neither the agent nor the price table knew (shown as "not priced"). */
  costUsd?: number;
  turns?: number;
  /** When the session sent this report. */
  reportedAt: number;
  /** True once `/runner/result` carried it: the run's total. */
  final: boolean;
  /** True when a budget stopped the run (the session's own stop or the orchestrator's abort). */
  stoppedByBudget: boolean;
}

/** One run's dollars on the day it counts on, as `spendOn` sums them. */
export interface RunSpend {
  jobId: string;
  teamKey: string;
  reportedAt: number;
  /** Absent when not priced: the run adds nothing to the day's spend. */
  costUsd?: number;
}

export type UsageGroupBy = 'team' | 'mapping' | 'model' | 'day' | 'issue';

/** Days are inclusive UTC days (`YYYY-MM-DD`). */
export interface UsageQuery {
  from: string;
  to: string;
  teamKey?: string;
}

export interface UsageGroup extends TokenUsage {
  /** The team key, model (`''` when unknown), day, or issue identifier. */
  key: string;
  runs: number;
  /** Dollars of the runs that had a price. */
  costUsd: number;
  /** How many of `runs` had no dollars: their cost is not in `costUsd`. */
  unpricedRuns: number;
}

/**
 * UsageStore — the runs' usage and the day's spend, as database operations so that every
 * replica sees the same spend (budgets hold across replicas).
 *
 * Contract (testing/contracts/usage-store.contract.ts, against every adapter):
 * - `record` keeps one record per job: a report replaces the stored one unless the stored one
 *   was reported later (a late, out-of-order report changes nothing: false). The `day` and
 *   `stoppedByBudget` of the first record stay; `markStopped` sets the latter.
 * - `replace(usage, expected)` is `record` over a version the caller knows: it replaces the
 *   stored record only while that is still `expected` (same `reportedAt`, tokens and dollars),
 *   keeping its `day` and `stoppedByBudget`, and is false, changing nothing, when the stored
 *   one is any other or none. A replica that remembers what it stored saves the read before
 *   the write; on false it reads and records instead. One conditional write: atomic across
 *   replicas.
 * - A job never reported has no record: not reported is `undefined`, never zeros.
 * - `spendOn(day)` sums the known dollars of the runs of that day per team (absent: nothing);
 *   `runSpendOn(day)` is every run of that day with its dollars, what that sum adds up.
 * - `summarize` groups the runs of the days in the query, sorted by dollars (most first), then
 *   by key; `limit` keeps the first ones. `list` pages the runs, newest report first.
 */
export interface UsageStore {
  record(usage: RunUsageRecord): Promise<boolean>;
  replace(usage: RunUsageRecord, expected: RunUsageRecord): Promise<boolean>;
  get(jobId: string): Promise<RunUsageRecord | undefined>;
  /** The records of these jobs (those that have one), in no particular order. */
  forJobs(jobIds: readonly string[]): Promise<RunUsageRecord[]>;
  markStopped(jobId: string): Promise<void>;
  spendOn(day: string): Promise<Record<string, number>>;
  runSpendOn(day: string): Promise<RunSpend[]>;
  summarize(query: UsageQuery, groupBy: UsageGroupBy, limit?: number): Promise<UsageGroup[]>;
  list(query: UsageQuery & { stoppedByBudget?: boolean }, page: { limit: number; offset: number }): Promise<RunUsageRecord[]>;
}
