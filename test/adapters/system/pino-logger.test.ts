import { describe, expect, it } from 'vitest';
import { createPinoLogger } from '../../../adapters/system/pino-logger.adapter.js';

describe('the JSON-lines logger', () => {
  it("writes a field named like one of the line's own keys (level, at, message) once, as field.<name>", () => {
    const lines: string[] = [];
    const logger = createPinoLogger({ secrets: [], write: (line) => lines.push(line), now: () => Date.UTC(2026, 0, 2) });
    // The reaper logs its action as it is: `at` is the action's epoch milliseconds.
    logger.info('reaper destroyed a session', { at: 1_796_648_846_317, rule: 'orphan', level: 'x', message: 'y' });
    const line = lines[0] ?? '';
    expect(line.match(/"at":/g)).toHaveLength(1);
    expect(line.match(/"level":/g)).toHaveLength(1);
    expect(line.match(/"message":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      at: '2026-01-02T00:00:00.000Z',
      message: 'reaper destroyed a session',
      'field.at': 1_796_648_846_317,
      'field.level': 'x',
      'field.message': 'y',
      rule: 'orphan',
    });
  });
});
