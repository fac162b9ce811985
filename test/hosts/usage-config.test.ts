import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../hosts/config.js';

/** DAILY_BUDGET_USD and MODEL_PRICES (issue 17): checked at start, a bad value named, never echoed. */
describe('the usage settings in the configuration', () => {
  it('reads the global daily budget and the price overrides', () => {
    const config = loadConfig({ DAILY_BUDGET_USD: '25.5', MODEL_PRICES: '{"claude-x":{"input":1,"output":2}}' })._unsafeUnwrap();
    expect(config.dailyBudgetUsd).toBe(25.5);
    expect(config.modelPrices).toBe('{"claude-x":{"input":1,"output":2}}');
    expect(loadConfig({})._unsafeUnwrap().dailyBudgetUsd).toBeUndefined();
  });

  it('refuses a budget that is not dollars above 0 and prices that are not a price table', () => {
    for (const bad of ['-1', '0', 'lots', '1e3']) expect(loadConfig({ DAILY_BUDGET_USD: bad }).isErr()).toBe(true);
    // 400 digits is Infinity to a double: the budget read it as no budget at all.
    expect(loadConfig({ DAILY_BUDGET_USD: '9'.repeat(400) })._unsafeUnwrapErr()).toBe(
      'Invalid configuration: DAILY_BUDGET_USD must be a number of dollars above 0',
    );
    // The price table skipped these entries, leaving the model at its built-in price without a word.
    const skipped = [
      '{"m":{"input":-3,"output":15}}',
      '{"m":{"input":3,"output":1e400}}',
      '{"m":{"input":3,"output":15,"cacheRead":-1}}',
      '{"m":{"input":3,"output":15,"cacheWrite":"x"}}',
    ];
    for (const bad of ['nope', '[]', '{"m":{"input":1}}', '{"m":3}', ...skipped])
      expect(loadConfig({ MODEL_PRICES: bad }).isErr(), bad).toBe(true);
  });
});
