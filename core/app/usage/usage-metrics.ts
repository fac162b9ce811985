import { TOKEN_KINDS, type TokenUsage, tokensOfKind } from '../../domain/usage.js';
import type { MetricFamily } from '../views/metrics-exposition.js';

/**
 * `/metrics` counters of usage (issue 17): `ai_implement_tokens_total{team,model,kind}` and
 * `ai_implement_cost_usd_total{team,model}`, grown by what each report adds to its run's total
 * (so a run counts once however often it reports). Process lifetime, like the other counters.
 */
export interface UsageMetrics {
  add(team: string, model: string | undefined, tokens: TokenUsage, costUsd: number): void;
  families(): MetricFamily[];
}

/**
 * Distinct series kept: the model is whatever name a run reported, so past this many a new
 * name is counted as `other` (its team's) rather than growing the process and every scrape
 * without bound.
 */
export const MAX_USAGE_SERIES = 500;
/** The model label of the names past MAX_USAGE_SERIES. */
export const OTHER_MODEL = 'other';

export function createUsageMetrics(): UsageMetrics {
  const series = new Map<string, { team: string; model: string; tokens: TokenUsage; costUsd: number }>();
  return {
    add(team, model, tokens, costUsd) {
      let m = model ?? 'unknown';
      let key = JSON.stringify([team, m]);
      if (!series.has(key) && series.size >= MAX_USAGE_SERIES) {
        m = OTHER_MODEL;
        key = JSON.stringify([team, m]);
      }
      const s = series.get(key) ?? {
        team,
        model: m,
        tokens: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
        costUsd: 0,
      };
      s.tokens.inputTokens += Math.max(0, tokens.inputTokens);
      s.tokens.outputTokens += Math.max(0, tokens.outputTokens);
      s.tokens.cacheReadTokens += Math.max(0, tokens.cacheReadTokens);
      s.tokens.cacheCreationTokens += Math.max(0, tokens.cacheCreationTokens);
      s.costUsd += Math.max(0, costUsd);
      series.set(key, s);
    },
    families() {
      const all = [...series.values()].sort((a, b) => (a.team + a.model < b.team + b.model ? -1 : 1));
      return [
        {
          name: 'ai_implement_tokens_total',
          help: 'Tokens the agents reported, by team, model and kind (input, output, cache_read, cache_creation).',
          type: 'counter',
          samples: all.flatMap((s) =>
            TOKEN_KINDS.map((kind) => ({ labels: { team: s.team, model: s.model, kind }, value: tokensOfKind(s.tokens, kind) })),
          ),
        },
        {
          name: 'ai_implement_cost_usd_total',
          help: 'Dollars the agents spent (reported, or priced by the model price table), by team and model.',
          type: 'counter',
          samples: all.map((s) => ({ labels: { team: s.team, model: s.model }, value: s.costUsd })),
        },
      ];
    },
  };
}
