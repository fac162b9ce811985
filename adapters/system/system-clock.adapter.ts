import type { Clock } from '../../ports/clock.port.js';

/** The wall clock. Tests replace it with a fixed or stepping one. */
export function createSystemClock(): Clock {
  return { now: () => Date.now() };
}

/** A clock that only moves when told to, for tests and simulations. */
export function createManualClock(start = 0): Clock & { set(ms: number): void; advance(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    set(ms: number) {
      current = ms;
    },
    advance(ms: number) {
      current += ms;
    },
  };
}
