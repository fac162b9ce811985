import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  budgetReachedError,
  dailyBudgetHold,
  dailyBudgetMessage,
  levelsCrossed,
  nextUtcMidnight,
  runBudgetCrossed,
  utcDay,
} from '../../core/domain/budget.js';
import { costOf, DEFAULT_MODEL_PRICES, mergePrices, normaliseModel, priceFor } from '../../core/domain/usage.js';

const tokens = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheCreationTokens: 1_000_000 };

describe('budget rules (issue 17)', () => {
  it('names UTC days and their reset without a Date object, as Date would', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5e12, max: 8e12 }), (ms) => {
        expect(utcDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
        const next = new Date(ms);
        expect(nextUtcMidnight(ms)).toBe(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate() + 1));
      }),
    );
  });

  it('words the run failure and the blocker exactly', () => {
    expect(budgetReachedError(1.234)).toBe('Reached budget ($1.23)');
    expect(dailyBudgetMessage('ENG', 12.5, 10, Date.UTC(2026, 11, 6, 17, 42))).toBe(
      'Daily budget reached for team ENG ($12.50/$10.00). Resets at 00:00 UTC.',
    );
  });

  it('crosses a run budget at dollars or tokens, and only with dollars known for the dollar cap', () => {
    expect(runBudgetCrossed({ ...tokens, costUsd: 5 }, { maxCostUsd: 5 })).toBe(true);
    expect(runBudgetCrossed({ ...tokens, costUsd: 4.99 }, { maxCostUsd: 5 })).toBe(false);
    expect(runBudgetCrossed(tokens, { maxCostUsd: 0.01 })).toBe(false);
    expect(runBudgetCrossed(tokens, { maxTokens: 4_000_000 })).toBe(true);
    expect(runBudgetCrossed(tokens, { maxTokens: 4_000_001 })).toBe(false);
    expect(runBudgetCrossed({ ...tokens, costUsd: 1e9 }, {})).toBe(false);
  });

  it('passes 80 % and 100 % once each, going up', () => {
    expect(levelsCrossed(0, 7.9, 10)).toEqual([]);
    expect(levelsCrossed(0, 8, 10)).toEqual(['warning']);
    expect(levelsCrossed(8, 12, 10)).toEqual(['reached']);
    expect(levelsCrossed(1, 11, 10)).toEqual(['warning', 'reached']);
    expect(levelsCrossed(11, 12, 10)).toEqual([]);
    expect(levelsCrossed(0, 12, undefined)).toEqual([]);
  });

  it('holds a team at its own budget or at the global one', () => {
    expect(dailyBudgetHold({ teamKey: 'A', dailyBudgetUsd: 5 }, { byTeam: { A: 5 }, totalUsd: 5 })).toEqual({
      spentUsd: 5,
      budgetUsd: 5,
    });
    expect(dailyBudgetHold({ teamKey: 'A', dailyBudgetUsd: 5 }, { byTeam: { A: 4 }, totalUsd: 4 })).toBeUndefined();
    expect(dailyBudgetHold({ teamKey: 'A' }, { byTeam: { B: 9 }, totalUsd: 9, globalBudgetUsd: 9 })).toEqual({
      spentUsd: 9,
      budgetUsd: 9,
    });
  });
});

describe('the price table', () => {
  it('knows Anthropic and Bedrock ids of one model alike', () => {
    for (const id of [
      'claude-sonnet-4-5-20250929',
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ])
      expect(normaliseModel(id)).toBe('claude-sonnet-4-5');
    expect(costOf(tokens, 'claude-sonnet-4-5', DEFAULT_MODEL_PRICES)).toBeCloseTo(3 + 15 + 0.3 + 3.75, 9);
    expect(costOf(tokens, 'claude-opus-4-1-20250805', DEFAULT_MODEL_PRICES)).toBeCloseTo(15 + 75 + 1.5 + 18.75, 9);
    expect(priceFor('gpt-unknown', DEFAULT_MODEL_PRICES)).toBeUndefined();
    expect(costOf(tokens, undefined, DEFAULT_MODEL_PRICES)).toBeUndefined();
  });

  it('takes overrides over the defaults and ignores what is not a price', () => {
    const prices = mergePrices(DEFAULT_MODEL_PRICES, {
      'claude-sonnet-4-5': { input: 1, output: 2 },
      broken: { input: 'x' },
      other: 3,
    });
    expect(prices['claude-sonnet-4-5']).toEqual({ input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 });
    expect(prices).not.toHaveProperty('broken');
    expect(mergePrices(DEFAULT_MODEL_PRICES, 'nonsense')).toEqual(DEFAULT_MODEL_PRICES);
  });
});
