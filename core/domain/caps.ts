/**
 * Run caps — spec "Create a new project mapping", Capacity step: `maxTurns`, `maxIterations`
 * and `maxJobMinutes` are optional per mapping; a blank field takes its default.
 */
import type { Mapping, Provider } from './model.js';

export const DEFAULT_MAX_TURNS = 50;
export const DEFAULT_MAX_ITERATIONS: Record<Provider, number> = { bedrock: 2, anthropic: 3 };
export const DEFAULT_MAX_JOB_MINUTES = 90;
/**
 * The longest `maxJobMinutes` a run can honour (35791, about 24.8 days): the session's watchdog
 * and the local runner time the budget with a timer, whose delay Node caps at 2^31-1 ms (a
 * longer one fires at once, stopping the run as it starts), and the run tokens expire with it.
 */
export const MAX_JOB_MINUTES_LIMIT = Math.floor((2 ** 31 - 1) / 60_000);

export interface RunCaps {
  maxTurns: number;
  maxIterations: number;
  maxJobMinutes: number;
}

/** Only a positive integer is a set value; anything else (blank, 0, garbage) is "blank". */
const isSet = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

export function resolveRunCaps(mapping: Pick<Mapping, 'provider' | 'maxTurns' | 'maxIterations' | 'maxJobMinutes'>): RunCaps {
  return {
    maxTurns: isSet(mapping.maxTurns) ? mapping.maxTurns : DEFAULT_MAX_TURNS,
    maxIterations: isSet(mapping.maxIterations)
      ? mapping.maxIterations
      : (DEFAULT_MAX_ITERATIONS[mapping.provider] ?? DEFAULT_MAX_ITERATIONS.anthropic),
    // A mapping stored before the limit was checked runs at the limit rather than not at all.
    maxJobMinutes: isSet(mapping.maxJobMinutes)
      ? Math.min(mapping.maxJobMinutes, MAX_JOB_MINUTES_LIMIT)
      : DEFAULT_MAX_JOB_MINUTES,
  };
}

/** The wall-clock budget of a job, in milliseconds, after which it is forced to stop. */
export function jobDeadline(dispatchedAt: number, caps: Pick<RunCaps, 'maxJobMinutes'>): number {
  return dispatchedAt + caps.maxJobMinutes * 60_000;
}
