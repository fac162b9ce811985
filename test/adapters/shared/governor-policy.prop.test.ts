import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admit,
  backoffMs,
  type GovernorState,
  INITIAL_GOVERNOR_STATE,
  DEFAULT_GOVERNOR_POLICY as P,
  record,
} from '../../../adapters/shared/governor-policy.js';

/**
 * Random traffic against one connection: time moves forward, requests are asked for, and each
 * admitted one gets an answer (ok, 4xx, rate limited, 5xx). After every step the invariants of
 * governor-policy.ts hold.
 */
type Step =
  | { kind: 'tick'; ms: number }
  | {
      kind: 'request';
      answer: 'ok' | 'refused' | 'failed' | 'limited';
      retryAfterMs: number;
      jitter: number;
      remaining?: number;
      resetInMs: number;
    };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  fc.record(
    {
      kind: fc.constant('request' as const),
      answer: fc.constantFrom('ok' as const, 'refused' as const, 'failed' as const, 'limited' as const),
      retryAfterMs: fc.integer({ min: 0, max: 120_000 }),
      jitter: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      remaining: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      resetInMs: fc.integer({ min: 0, max: 60_000 }),
    },
    { requiredKeys: ['kind', 'answer', 'retryAfterMs', 'jitter', 'resetInMs'] },
  ),
);

describe('the request governor rule', () => {
  it('never admits a request inside a rate-limit window, a spent budget or a backoff; the circuit follows its rule', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let state: GovernorState = INITIAL_GOVERNOR_STATE;
        let now = 1_000_000;
        // The latest instant before which the service (or a failure) forbade a request.
        let forbiddenUntil = 0;
        let failuresInARow = 0;
        for (const s of steps) {
          if (s.kind === 'tick') {
            now += s.ms;
            continue;
          }
          const before = state;
          const { state: admittedState, admission } = admit(state, now);
          state = admittedState;
          if (admission.kind === 'wait') {
            expect(admission.until).toBeGreaterThan(now);
            continue;
          }
          // Admitted: never inside a window the rule was told about.
          expect(now).toBeGreaterThanOrEqual(forbiddenUntil);
          if (before.circuit === 'open') {
            expect(admission.probe).toBe(true);
            expect(now).toBeGreaterThanOrEqual((before.openedAt ?? 0) + P.coolDownMs);
          }
          if (admission.probe) {
            // Only one probe at a time: a second request right now waits.
            expect(admit(state, now).admission.kind).toBe('wait');
          }
          const at = now;
          if (s.answer === 'ok' || s.answer === 'refused') {
            const budget = s.remaining === undefined ? {} : { remaining: s.remaining, resetAt: at + s.resetInMs };
            state = record(state, { type: 'answered', at, ...budget });
            failuresInARow = 0;
            expect(state.circuit).toBe('closed');
            if (s.remaining === 0) forbiddenUntil = Math.max(forbiddenUntil, at + s.resetInMs);
          } else if (s.answer === 'limited') {
            state = record(state, { type: 'rateLimited', at, retryAfterMs: s.retryAfterMs });
            failuresInARow = 0;
            forbiddenUntil = Math.max(forbiddenUntil, at + s.retryAfterMs);
          } else {
            state = record(state, { type: 'failed', at, jitter: s.jitter });
            failuresInARow += 1;
            forbiddenUntil = Math.max(forbiddenUntil, at + backoffMs(failuresInARow, s.jitter));
            if (failuresInARow >= P.failureThreshold || admission.probe) {
              expect(state.circuit).toBe('open');
              expect(state.openedAt).toBe(at);
            } else expect(state.circuit).toBe('closed');
          }
          expect(state.probing).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('opens after the threshold, holds for the cool-down, then lets exactly one probe through', () => {
    let state = INITIAL_GOVERNOR_STATE;
    let now = 0;
    for (let i = 0; i < P.failureThreshold; i++) {
      now = Math.max(now, state.backoffUntil);
      expect(admit(state, now).admission.kind).toBe('go');
      state = record(state, { type: 'failed', at: now, jitter: 0 });
    }
    expect(state).toMatchObject({ circuit: 'open', openedAt: now });
    expect(admit(state, now + P.coolDownMs - 1).admission).toMatchObject({ kind: 'wait', reason: 'circuitOpen' });
    const probe = admit(state, now + P.coolDownMs);
    expect(probe.admission).toEqual({ kind: 'go', probe: true });
    expect(probe.state.circuit).toBe('halfOpen');
    expect(admit(probe.state, now + P.coolDownMs).admission).toMatchObject({ kind: 'wait', reason: 'circuitOpen' });
    const closed = record(probe.state, { type: 'answered', at: now + P.coolDownMs + 5 });
    expect(closed).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, probing: false });
    expect(admit(closed, now + P.coolDownMs + 5).admission.kind).toBe('go');
    const reopened = record(probe.state, { type: 'failed', at: now + P.coolDownMs + 5, jitter: 0 });
    expect(reopened).toMatchObject({ circuit: 'open', openedAt: now + P.coolDownMs + 5 });
  });

  it('a 4xx resets the failure count and holds nothing back', () => {
    let state = record(INITIAL_GOVERNOR_STATE, { type: 'failed', at: 0, jitter: 0 });
    expect(state.consecutiveFailures).toBe(1);
    state = record(state, { type: 'answered', at: 10 });
    expect(state.consecutiveFailures).toBe(0);
    expect(admit(state, 10).admission.kind).toBe('go');
  });

  it('a short Retry-After beside a budget already spent holds until the budget resets (GitHub sends both)', () => {
    const spent: GovernorState = { ...INITIAL_GOVERNOR_STATE, remaining: 0, resetAt: 600_000 };
    const state = record(spent, { type: 'rateLimited', at: 0, retryAfterMs: 30_000 });
    expect(admit(state, 31_000).admission).toEqual({ kind: 'wait', reason: 'rateLimited', until: 600_000 });
    expect(admit(state, 600_000).admission.kind).toBe('go');
    // With budget left, the Retry-After alone sets the window.
    const limited = record({ ...spent, remaining: 12 }, { type: 'rateLimited', at: 0, retryAfterMs: 30_000 });
    expect(admit(limited, 30_000).admission.kind).toBe('go');
  });

  it('backs off exponentially, jittered between half and all of the step, capped', () => {
    expect(backoffMs(1, 0)).toBe(P.baseBackoffMs / 2);
    expect(backoffMs(3, 0.999_999)).toBe(P.baseBackoffMs * 4);
    expect(backoffMs(40, 0.999_999)).toBe(P.maxBackoffMs);
  });
});
