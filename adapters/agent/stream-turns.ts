/**
 * Reads an agent's stdout as it streams and counts its turns. Claude Code's `stream-json`
 * output is one JSON object a line: every `{"type":"assistant"}` message is one turn, and the
 * closing `{"type":"result"}` carries the final text (and `subtype: "error_max_turns"` when
 * the CLI stopped itself at the limit). Lines that are not JSON count as turns only when they
 * match `turnPattern` (for agents without JSON output), and are kept as plain output.
 */
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
}

const MAX_KEPT = 64 * 1024;

export function createTurnCounter(turnPattern?: RegExp): TurnCounter {
  let buffer = '';
  let turns = 0;
  let result: string | undefined;
  let plain = '';
  let stoppedAtMaxTurns = false;
  let reportedError = false;

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
      const m = message as { type?: unknown; subtype?: unknown; result?: unknown; is_error?: unknown };
      if (m.type === 'assistant') turns++;
      if (m.type === 'result') {
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
  };
}
