import { costOf, type PriceTable, type UsageReport } from '../../core/domain/usage.js';
import type { Agent } from '../../ports/agent.port.js';

export interface UsageMeter {
  /** The agent every step gets: the same, with each invocation's usage added to the run's. */
  wrap(agent: Agent): Agent;
  /** The run's usage so far over every invocation; undefined while no agent reported any. */
  total(): UsageReport | undefined;
}

/**
 * Adds up a run's usage across the agent invocations of its steps (plan, implement, fix,
 * review), each one's running total while it streams and its final total once it ends. An
 * invocation's dollars are what the agent said, else its tokens at the model's price; the run's
 * `costUsd` is present once any invocation had dollars. `onChange` hears every new total.
 */
export function createUsageMeter(prices: PriceTable, onChange: (total: UsageReport) => void): UsageMeter {
  const invocations: UsageReport[] = [];

  function total(): UsageReport | undefined {
    if (invocations.length === 0) return undefined;
    const sum: UsageReport = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, turns: 0 };
    let cost: number | undefined;
    for (const u of invocations) {
      sum.inputTokens += u.inputTokens;
      sum.outputTokens += u.outputTokens;
      sum.cacheReadTokens += u.cacheReadTokens;
      sum.cacheCreationTokens += u.cacheCreationTokens;
      sum.turns = (sum.turns ?? 0) + (u.turns ?? 0);
      if (u.costUsd !== undefined) cost = (cost ?? 0) + u.costUsd;
      if (u.model) sum.model = u.model;
    }
    if (cost !== undefined) sum.costUsd = cost;
    return sum;
  }

  return {
    wrap(agent) {
      return {
        async run(invocation) {
          const slot = invocations.length;
          const update = (usage: UsageReport) => {
            const model = usage.model ?? invocation.model;
            const costUsd = usage.costUsd ?? costOf(usage, model, prices);
            invocations[slot] = {
              ...usage,
              ...(model ? { model } : {}),
              ...(costUsd !== undefined ? { costUsd } : {}),
            };
            const now = total();
            if (now) onChange(now);
          };
          const outcome = await agent.run({
            ...invocation,
            onUsage: (usage) => {
              update(usage);
              invocation.onUsage?.(usage);
            },
          });
          if (outcome.usage) update(outcome.usage);
          return outcome;
        },
      };
    },
    total,
  };
}
