import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_JOB_MINUTES,
  DEFAULT_MAX_TURNS,
  jobDeadline,
  MAX_JOB_MINUTES_LIMIT,
  resolveRunCaps,
} from '../../core/domain/caps.js';
import { T0 } from './fixtures.js';

describe('run caps', () => {
  it('defaults blank fields: 50 turns, 90 minutes, 3 iterations on anthropic and 2 on bedrock', () => {
    expect(DEFAULT_MAX_TURNS).toBe(50);
    expect(DEFAULT_MAX_JOB_MINUTES).toBe(90);
    expect(resolveRunCaps({ provider: 'anthropic' })).toEqual({ maxTurns: 50, maxIterations: 3, maxJobMinutes: 90 });
    expect(resolveRunCaps({ provider: 'bedrock' })).toEqual({ maxTurns: 50, maxIterations: 2, maxJobMinutes: 90 });
  });

  it('uses the mapping value when one is set', () => {
    expect(resolveRunCaps({ provider: 'bedrock', maxTurns: 20, maxIterations: 5, maxJobMinutes: 30 })).toEqual({
      maxTurns: 20,
      maxIterations: 5,
      maxJobMinutes: 30,
    });
  });

  it('treats a value that is not a positive integer as blank', () => {
    expect(resolveRunCaps({ provider: 'anthropic', maxTurns: 0, maxIterations: 1.5, maxJobMinutes: -1 })).toEqual({
      maxTurns: 50,
      maxIterations: 3,
      maxJobMinutes: 90,
    });
  });

  it('runs a maxJobMinutes stored past the limit at the limit: a longer timer would fire at once', () => {
    expect(MAX_JOB_MINUTES_LIMIT).toBe(35791);
    expect(MAX_JOB_MINUTES_LIMIT * 60_000).toBeLessThanOrEqual(2 ** 31 - 1);
    for (const stored of [35792, 1e9, 1e308]) {
      expect(resolveRunCaps({ provider: 'anthropic', maxJobMinutes: stored }).maxJobMinutes).toBe(MAX_JOB_MINUTES_LIMIT);
    }
  });

  it('puts the deadline maxJobMinutes after dispatch', () => {
    expect(jobDeadline(T0, { maxJobMinutes: 90 })).toBe(T0 + 90 * 60_000);
  });
});
