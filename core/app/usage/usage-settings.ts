import type { Clock } from '../../../ports/clock.port.js';
import { DEFAULT_MODEL_PRICES, mergePrices, type PriceTable } from '../../domain/usage.js';
import type { CoreSettings } from '../core-settings.js';

export interface UsageSettings {
  prices: PriceTable;
  /** Dollars every team together may spend per UTC day; undefined: no global budget. */
  globalDailyBudgetUsd?: number;
}

export interface UsageSettingsDeps {
  config: Pick<CoreSettings, 'dailyBudgetUsd' | 'modelPrices'>;
  /** The configuration overlay's stored values (`DAILY_BUDGET_USD`, `MODEL_PRICES` beat the environment's). */
  overlay?: () => Promise<Record<string, string>>;
  clock: Clock;
  /** How long one read of the overlay is used (5 s): a progress report must not read it each time. */
  cacheMs?: number;
}

export interface UsageSettingsSource {
  current(): Promise<UsageSettings>;
}

const positive = (raw: string | number | undefined): number | undefined => {
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
};

const parsed = (json: string | undefined): unknown => {
  if (!json) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
};

/**
 * The price table and the global daily budget: the defaults, then the environment
 * (`MODEL_PRICES`, `DAILY_BUDGET_USD`), then the configuration overlay, which applies without a
 * restart (read again at most every `cacheMs`).
 */
export function createUsageSettings({ config, overlay, clock, cacheMs = 5_000 }: UsageSettingsDeps): UsageSettingsSource {
  let cached: { at: number; value: UsageSettings } | undefined;
  return {
    async current() {
      const now = clock.now();
      if (cached && now - cached.at < cacheMs) return cached.value;
      const stored = (await overlay?.().catch(() => ({}) as Record<string, string>)) ?? {};
      let prices = mergePrices(DEFAULT_MODEL_PRICES, parsed(config.modelPrices));
      prices = mergePrices(prices, parsed(stored.MODEL_PRICES));
      const globalDailyBudgetUsd = positive(stored.DAILY_BUDGET_USD) ?? positive(config.dailyBudgetUsd);
      const value: UsageSettings = { prices, ...(globalDailyBudgetUsd !== undefined ? { globalDailyBudgetUsd } : {}) };
      cached = { at: now, value };
      return value;
    },
  };
}
