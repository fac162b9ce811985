/**
 * Reads an agent's stdout as it streams and counts its turns. Claude Code's `stream-json`
 * output is one JSON object a line: every `{"type":"assistant"}` message is one turn, and the
 * closing `{"type":"result"}` carries the final text (and `subtype: "error_max_turns"` when
 * the CLI stopped itself at the limit). Lines that are not JSON count as turns only when they
 * match `turnPattern` (for agents without JSON output), and are kept as plain output.
 *
 * Usage (issue 17): each assistant message carries `message.usage` (`input_tokens`,
 * `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`) and
 * `message.model`; Claude Code repeats one message on every content block it streams, so a
 * message id counts as one turn and its usage is kept per id and summed across ids. The closing result's `usage`,
 * `total_cost_usd` and `num_turns` are the run's totals and replace the running sum.
 */
import type { UsageReport } from '../../core/domain/usage.js';

export interface TurnCounter {
  /** Feeds a chunk of stdout; returns the turn count so far. */
  push(chunk: string): number;
  /** Flushes a last unterminated line. */
  end(): number;
  readonly turns: number;
  /** The final result text when the agent gave one, else the tail of its plain output. */
  output(): string;
  /** True when the agent itself reported stopping at its turn limit. */
  readonly stoppedAtMaxTurns: boolean;
  /** True when the agent's final result said it failed (`is_error`). */
  readonly reportedError: boolean;
  /** The usage so far; undefined while the agent reported none. */
  usage(): UsageReport | undefined;
  /** Bumped whenever the usage changed: a caller reports only when it moved. */
  readonly usageVersion: number;
}

interface WireUsage {
  input_tokens?: unknown;
  output_tokens?: unknown;
  cache_read_input_tokens?: unknown;
  cache_creation_input_tokens?: unknown;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const tokensOf = (u: WireUsage) => ({
  inputTokens: count(u.input_tokens),
  outputTokens: count(u.output_tokens),
  cacheReadTokens: count(u.cache_read_input_tokens),
  cacheCreationTokens: count(u.cache_creation_input_tokens),
});

const MAX_KEPT = 64 * 1024;

export function createTurnCounter(turnPattern?: RegExp): TurnCounter {
  let buffer = '';
  let turns = 0;
  let result: string | undefined;
  let plain = '';
  let stoppedAtMaxTurns = false;
  let reportedError = false;
  /** Per assistant message id (or its position, when it has none): its latest usage. */
  const perMessage = new Map<string, ReturnType<typeof tokensOf>>();
  const seenIds = new Set<string>();
  let model: string | undefined;
  let final: UsageReport | undefined;
  let usageVersion = 0;

  const line = (text: string) => {
    const trimmed = text.trim();
    if (trimmed === '') return;
    let message: unknown;
    if (trimmed.startsWith('{')) {
      try {
        message = JSON.parse(trimmed);
      } catch {
        message = undefined;
      }
    }
    if (message && typeof message === 'object') {
      const m = message as {
        type?: unknown;
        subtype?: unknown;
        result?: unknown;
        is_error?: unknown;
        message?: { id?: unknown; model?: unknown; usage?: unknown };
        usage?: unknown;
        total_cost_usd?: unknown;
        num_turns?: unknown;
      };
      if (m.type === 'assistant') {
        const inner = m.message;
        // One message streamed as several lines (one per content block) is one turn.
        const id = inner && typeof inner === 'object' && typeof inner.id === 'string' ? inner.id : undefined;
        if (id === undefined || !seenIds.has(id)) turns++;
        if (id !== undefined) seenIds.add(id);
        if (inner && typeof inner === 'object') {
          if (typeof inner.model === 'string' && inner.model !== '') model = inner.model;
          if (inner.usage && typeof inner.usage === 'object') {
            perMessage.set(id ?? `#${turns}`, tokensOf(inner.usage as WireUsage));
            usageVersion++;
          }
        }
      }
      if (m.type === 'result') {
        if (m.usage && typeof m.usage === 'object') {
          final = { ...tokensOf(m.usage as WireUsage) };
          if (typeof m.total_cost_usd === 'number' && Number.isFinite(m.total_cost_usd)) final.costUsd = m.total_cost_usd;
          if (typeof m.num_turns === 'number') final.turns = m.num_turns;
          usageVersion++;
        }
        if (typeof m.result === 'string') result = m.result;
        if (m.subtype === 'error_max_turns') stoppedAtMaxTurns = true;
        if (m.is_error === true) reportedError = true;
      }
      return;
    }
    if (turnPattern?.test(trimmed)) turns++;
    plain = `${plain}${trimmed}\n`.slice(-MAX_KEPT);
  };

  return {
    push(chunk) {
      buffer += chunk;
      let at = buffer.indexOf('\n');
      while (at !== -1) {
        line(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
        at = buffer.indexOf('\n');
      }
      // A runaway line without newlines must not grow without end.
      if (buffer.length > MAX_KEPT) buffer = buffer.slice(-MAX_KEPT);
      return turns;
    },
    end() {
      line(buffer);
      buffer = '';
      return turns;
    },
    get turns() {
      return turns;
    },
    output: () => result ?? plain,
    get stoppedAtMaxTurns() {
      return stoppedAtMaxTurns;
    },
    get reportedError() {
      return reportedError;
    },
    usage() {
      if (final) return { ...final, ...(model ? { model } : {}), turns: final.turns ?? turns };
      if (perMessage.size === 0) return undefined;
      const sum = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
      for (const u of perMessage.values()) {
        sum.inputTokens += u.inputTokens;
        sum.outputTokens += u.outputTokens;
        sum.cacheReadTokens += u.cacheReadTokens;
        sum.cacheCreationTokens += u.cacheCreationTokens;
      }
      return { ...sum, turns, ...(model ? { model } : {}) };
    },
    get usageVersion() {
      return usageVersion;
    },
  };
}
