import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import { totalTokens } from '../../domain/usage.js';

/** A run's usage as the views show it; `null` where the run reported nothing ("not reported"). */
export interface UsageView {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  totalTokens: number;
  /** Dollars; null when the model had no price (tokens still shown). */
  costUsd: number | null;
  model: string | null;
  turns: number | null;
  /** True once the run's result carried its total. */
  final: boolean;
  stoppedByBudget: boolean;
}

export function usageView(record: RunUsageRecord | undefined): UsageView | null {
  if (!record) return null;
  return {
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cacheReadTokens: record.cacheReadTokens,
    cacheCreationTokens: record.cacheCreationTokens,
    totalTokens: totalTokens(record),
    costUsd: record.costUsd ?? null,
    model: record.model ?? null,
    turns: record.turns ?? null,
    final: record.final,
    stoppedByBudget: record.stoppedByBudget,
  };
}

/** Totals over some runs' usage; `reported` is false when none of them reported any. */
export function usageTotals(records: readonly RunUsageRecord[]) {
  let input = 0;
  let output = 0;
  let cacheRead = 0;
  let cacheCreation = 0;
  let costUsd = 0;
  for (const r of records) {
    input += r.inputTokens;
    output += r.outputTokens;
    cacheRead += r.cacheReadTokens;
    cacheCreation += r.cacheCreationTokens;
    costUsd += r.costUsd ?? 0;
  }
  return {
    input,
    output,
    cacheRead,
    cacheCreation,
    total: input + output + cacheRead + cacheCreation,
    costUsd,
    reported: records.length > 0,
  };
}
