/**
 * The pure rule of the request governor (issue 12, item 2): one state per connection (a base
 * URL and a credential), changed only by `admit` (may a request go now?) and `record` (what
 * the answer said). Time arrives as a field; randomness (the jitter) arrives as a number in
 * [0, 1), so every step is a plain function that a property test can drive.
 *
 * Invariants the property tests hold:
 * - no request is admitted before `limitedUntil` (a Retry-After or rate-limit reset), before
 *   `resetAt` while the service says `remaining` is 0, or before `backoffUntil` (exponential backoff with jitter after a 5xx or a timeout);
 * - the circuit opens after `failureThreshold` consecutive failures; while open nothing is
 *   admitted until `coolDownMs` has passed, then exactly one probe goes (half-open); the
 *   probe's success closes the circuit, its failure opens it again from that instant;
 * - a refused request (4xx, GraphQL user error) is an answer: it resets the failure count
 *   and is never a reason to hold back the next request.
 */

export interface GovernorPolicy {
  /** Consecutive failures (5xx, timeouts, cut connections) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit admits nothing before one probe. */
  coolDownMs: number;
  /** The first backoff after a failure; doubled per consecutive failure, jittered to 50–100 %. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_GOVERNOR_POLICY: GovernorPolicy = {
  failureThreshold: 5,
  coolDownMs: 30_000,
  baseBackoffMs: 250,
  maxBackoffMs: 30_000,
};

export interface GovernorState {
  circuit: 'closed' | 'open' | 'halfOpen';
  /** Epoch ms: no request before this (the service said so); 0 when none. */
  limitedUntil: number;
  /** Epoch ms: no request before this (backing off after failures); 0 when none. */
  backoffUntil: number;
  consecutiveFailures: number;
  /** When the circuit last opened; set while it is open or half-open. */
  openedAt?: number;
  /** Half-open: the one probe is in flight, so nothing else goes. */
  probing: boolean;
  /** Requests left in the service's window, when its last answer said. */
  remaining?: number;
  /** When that window resets (epoch ms), when known. */
  resetAt?: number;
}

export const INITIAL_GOVERNOR_STATE: GovernorState = {
  circuit: 'closed',
  limitedUntil: 0,
  backoffUntil: 0,
  consecutiveFailures: 0,
  probing: false,
};

export type GovernorEvent =
  /** An answer the service gave on purpose, 2xx or 4xx: the host is up. */
  | { type: 'answered'; at: number; remaining?: number; resetAt?: number }
  /** The service said slow down (429, 403 secondary, Linear's RATELIMITED): nothing until `at + retryAfterMs`. */
  | { type: 'rateLimited'; at: number; retryAfterMs: number; remaining?: number; resetAt?: number }
  /** 5xx, a timeout or a cut connection; `jitter` in [0, 1). */
  | { type: 'failed'; at: number; jitter: number };

export type Admission =
  | { kind: 'go'; probe: boolean }
  | { kind: 'wait'; reason: 'rateLimited' | 'backoff' | 'circuitOpen'; until: number };

/** May a request go at `now`? Admitting the half-open probe changes the state (one probe at a time). */
export function admit(
  state: GovernorState,
  now: number,
  policy: GovernorPolicy = DEFAULT_GOVERNOR_POLICY,
): { state: GovernorState; admission: Admission } {
  // A budget the service said is spent (GitHub's `x-ratelimit-remaining: 0`) is a window too.
  const exhaustedUntil = state.remaining === 0 && state.resetAt !== undefined ? state.resetAt : 0;
  const limitedUntil = Math.max(state.limitedUntil, exhaustedUntil);
  if (now < limitedUntil) return { state, admission: { kind: 'wait', reason: 'rateLimited', until: limitedUntil } };
  if (state.circuit !== 'closed') {
    const reopensAt = (state.openedAt ?? now) + policy.coolDownMs;
    if (state.probing || now < reopensAt) {
      // A probe in flight holds the others back for a short while, not a whole cool-down.
      const until = state.probing ? now + policy.baseBackoffMs : reopensAt;
      return { state, admission: { kind: 'wait', reason: 'circuitOpen', until } };
    }
    return { state: { ...state, circuit: 'halfOpen', probing: true }, admission: { kind: 'go', probe: true } };
  }
  if (now < state.backoffUntil) return { state, admission: { kind: 'wait', reason: 'backoff', until: state.backoffUntil } };
  return { state, admission: { kind: 'go', probe: false } };
}

function budget(state: GovernorState, event: { remaining?: number; resetAt?: number }): GovernorState {
  const next = { ...state };
  if (event.remaining !== undefined) next.remaining = event.remaining;
  if (event.resetAt !== undefined) next.resetAt = event.resetAt;
  return next;
}

export function backoffMs(failures: number, jitter: number, policy: GovernorPolicy = DEFAULT_GOVERNOR_POLICY): number {
  const exponential = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponential * (0.5 + Math.min(Math.max(jitter, 0), 1) / 2));
}

/** What an answer (or its absence) changes. */
export function record(
  state: GovernorState,
  event: GovernorEvent,
  policy: GovernorPolicy = DEFAULT_GOVERNOR_POLICY,
): GovernorState {
  switch (event.type) {
    case 'answered': {
      const next = budget(state, event);
      const { openedAt: _closed, ...rest } = next;
      return { ...rest, circuit: 'closed', probing: false, consecutiveFailures: 0, backoffUntil: 0 };
    }
    case 'rateLimited': {
      // The service answered, so the circuit closes; the window is the service's to set.
      const next = budget(state, event);
      const { openedAt: _closed, ...rest } = next;
      const until = event.at + Math.max(0, event.retryAfterMs);
      return {
        ...rest,
        circuit: 'closed',
        probing: false,
        consecutiveFailures: 0,
        backoffUntil: 0,
        limitedUntil: Math.max(state.limitedUntil, until),
        remaining: event.remaining ?? 0,
        // A budget already known spent (GitHub's `x-ratelimit-remaining: 0` beside a shorter
        // `retry-after`) still holds until its own reset: the longer of the two windows wins.
        resetAt: event.resetAt ?? Math.max(until, state.remaining === 0 ? (state.resetAt ?? 0) : 0),
      };
    }
    case 'failed': {
      const failures = state.consecutiveFailures + 1;
      const backoffUntil = event.at + backoffMs(failures, event.jitter, policy);
      if (state.circuit === 'halfOpen' || failures >= policy.failureThreshold) {
        return { ...state, circuit: 'open', probing: false, openedAt: event.at, consecutiveFailures: failures, backoffUntil };
      }
      return { ...state, consecutiveFailures: failures, backoffUntil };
    }
  }
}
