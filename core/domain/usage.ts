/**
 * Usage — issue 17 "Counting": what an agent spent, in tokens and dollars. Claude Code's
 * `stream-json` reports tokens on each assistant message and `total_cost_usd` on the closing
 * result; an agent that gives tokens but no cost is priced by the table below (USD per million
 * tokens, Anthropic and Bedrock ids), which the configuration overlay may override
 * (`MODEL_PRICES`). A run that reported nothing has no usage at all: "not reported", never 0.
 */

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

/** A run's usage so far (cumulative), as a session reports it. */
export interface UsageReport extends TokenUsage {
  /** Dollars, when the agent said or the price table knew; absent: not known. */
  costUsd?: number;
  turns?: number;
  model?: string;
}

export const TOKEN_KINDS = ['input', 'output', 'cache_read', 'cache_creation'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type PriceTable = Record<string, ModelPrice>;

const price = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cacheRead: input / 10,
  cacheWrite: input * 1.25,
});

/** Anthropic's list prices; keys are normalised ids (`normaliseModel`), longest prefix wins. */
export const DEFAULT_MODEL_PRICES: PriceTable = {
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4': price(3, 15),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-sonnet': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-haiku': price(0.25, 1.25),
  'claude-3-opus': price(15, 75),
  // Claude Code's aliases (`--model sonnet`).
  opus: price(5, 25),
  sonnet: price(3, 15),
  haiku: price(1, 5),
};

/**
 * `us.anthropic.claude-sonnet-4-20250514-v1:0` → `claude-sonnet-4`: the Bedrock region and
 * vendor prefixes, the version suffix and the snapshot date go.
 */
export function normaliseModel(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^(us|eu|apac|global|jp|au)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+(:\d+)?$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-latest$/, '');
}

export function priceFor(model: string | undefined, prices: PriceTable): ModelPrice | undefined {
  if (!model) return undefined;
  const id = normaliseModel(model);
  if (prices[id]) return prices[id];
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    if (id.startsWith(`${key}-`) && (!best || key.length > best.length)) best = key;
  }
  return best ? prices[best] : undefined;
}

/** The dollars of `usage` at the model's price; undefined when the model has no price. */
export function costOf(usage: TokenUsage, model: string | undefined, prices: PriceTable): number | undefined {
  const p = priceFor(model, prices);
  if (!p) return undefined;
  return (
    (usage.inputTokens * p.input +
      usage.outputTokens * p.output +
      usage.cacheReadTokens * p.cacheRead +
      usage.cacheCreationTokens * p.cacheWrite) /
    1_000_000
  );
}

export function totalTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens;
}

export const NO_TOKENS: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };

export function addTokens(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
  };
}

/** Tokens of a kind, as `/metrics` labels them. */
export function tokensOfKind(usage: TokenUsage, kind: TokenKind): number {
  if (kind === 'input') return usage.inputTokens;
  if (kind === 'output') return usage.outputTokens;
  if (kind === 'cache_read') return usage.cacheReadTokens;
  return usage.cacheCreationTokens;
}

/**
 * A price table from the overlay's `MODEL_PRICES` JSON (`{"claude-x": {"input": 3, "output":
 * 15}}`, cache prices optional) over the defaults; entries that are not prices are ignored.
 */
export function mergePrices(base: PriceTable, overrides: unknown): PriceTable {
  const merged: PriceTable = { ...base };
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) return merged;
  for (const [model, raw] of Object.entries(overrides as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const r = raw as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    const input = num(r.input);
    const output = num(r.output);
    if (input === undefined || output === undefined) continue;
    merged[normaliseModel(model)] = {
      input,
      output,
      cacheRead: num(r.cacheRead) ?? input / 10,
      cacheWrite: num(r.cacheWrite) ?? input * 1.25,
    };
  }
  return merged;
}
