import { describe, expect, it } from 'vitest';
import { createUsageMetrics, MAX_USAGE_SERIES, OTHER_MODEL } from '../../core/app/usage/usage-metrics.js';

const tokens = { inputTokens: 10, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 };

describe('usage metrics', () => {
  it(`keeps at most ${MAX_USAGE_SERIES} series: a run naming a new model each report cannot grow /metrics without bound`, () => {
    const metrics = createUsageMetrics();
    metrics.add('ENG', 'claude-sonnet-4-5', tokens, 0.5);
    for (let i = 0; i < MAX_USAGE_SERIES * 4; i++) metrics.add('ENG', `made-up-model-${i}`, tokens, 0.25);
    metrics.add('ENG', 'claude-sonnet-4-5', tokens, 0.5);
    const [, cost] = metrics.families();
    expect(cost!.samples).toHaveLength(MAX_USAGE_SERIES + 1);
    const byModel = new Map(cost!.samples.map((s) => [s.labels?.model, s.value]));
    // A model already counted goes on in its own series; the spend past the cap is all kept, under `other`.
    expect(byModel.get('claude-sonnet-4-5')).toBe(1);
    expect(byModel.get(OTHER_MODEL)).toBe((MAX_USAGE_SERIES * 4 - (MAX_USAGE_SERIES - 1)) * 0.25);
  });
});
