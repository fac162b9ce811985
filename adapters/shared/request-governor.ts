import { createHash } from 'node:crypto';
import { err, errAsync, ResultAsync } from 'neverthrow';
import type { ConnectionHealth, ConnectionStatus } from '../../ports/connection-health.port.js';
import type { ServiceError } from '../../ports/errors.js';
import {
  admit,
  DEFAULT_GOVERNOR_POLICY,
  type GovernorEvent,
  type GovernorPolicy,
  type GovernorState,
  INITIAL_GOVERNOR_STATE,
  record,
} from './governor-policy.js';

/**
 * The I/O side of the request governor (governor-policy.ts holds the rule): one governor per
 * connection, shared by every adapter that uses that connection, so a Retry-After seen by the
 * reconcile loop also holds back the run watcher, and a window outlives the poll that met it.
 * A request the rule holds back is answered at once with the error it would have met
 * (`rateLimited` with the time left, or `unavailable` with `retryAfterMs`), and nothing is sent.
 */
export interface RequestGovernor {
  readonly id: string;
  /** Sends `request` if the connection's state allows it now, and records what came back. */
  run<T>(request: () => ResultAsync<T, ServiceError>): ResultAsync<T, ServiceError>;
  /** The service's budget figures from an answer's headers (a success included). */
  observe(budget: { remaining?: number; resetAt?: number }): void;
}

export interface ConnectionRef {
  /** `linear`, `jira`, `github`, `fly`. */
  service: string;
  baseUrl: string;
  /** Hashed into the id: two credentials on one host are two budgets. */
  credential: string;
}

export interface GovernorRegistry extends ConnectionHealth {
  forConnection(ref: ConnectionRef): RequestGovernor;
}

export interface GovernorRegistryOptions {
  now?: () => number;
  /** The backoff jitter, in [0, 1). */
  random?: () => number;
  policy?: Partial<GovernorPolicy>;
  /**
   * Told when a connection's circuit opens, or when the service refuses its credential (an
   * `auth` error: 401/403 that is not a rate limit), for the operator's notifications. Called
   * synchronously; it must not throw or wait.
   */
  onSignal?: (signal: GovernorSignal) => void;
}

export interface GovernorSignal {
  kind: 'circuitOpened' | 'credentialRefused';
  service: string;
  connectionId: string;
  baseUrl: string;
  at: number;
  message: string;
}

/** The errors a governor answered itself, without a request, with the reason it held the request back. */
const refusals = new WeakMap<object, 'rateLimited' | 'backoff' | 'circuitOpen'>();

/**
 * Why a governor answered `error` itself without sending anything, or undefined for an error
 * that came from the service. A rate-limit window or an open circuit is not worth sleeping on
 * inside one call: the next poll asks again.
 */
export function governorRefusal(error: ServiceError): 'rateLimited' | 'backoff' | 'circuitOpen' | undefined {
  return refusals.get(error);
}

const LABELS: Record<string, string> = { linear: 'Linear', jira: 'Jira', github: 'GitHub', fly: 'Fly' };
const labelOf = (service: string) => LABELS[service] ?? service;
/** "17:42:05 UTC": the operator reads it next to a UTC clock. */
const utcTime = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

export function connectionId(ref: ConnectionRef): string {
  const digest = createHash('sha256').update(ref.credential).digest('hex').slice(0, 8);
  return `${ref.service}:${ref.baseUrl.replace(/\/+$/, '')}#${digest}`;
}

function eventOf(error: ServiceError | undefined, at: number, jitter: number): GovernorEvent | undefined {
  if (!error) return { type: 'answered', at };
  switch (error.kind) {
    case 'rateLimited':
      return { type: 'rateLimited', at, retryAfterMs: error.retryAfterMs };
    case 'unavailable':
      return { type: 'failed', at, jitter };
    case 'notConfigured':
      return undefined; // nothing was sent
    default:
      return { type: 'answered', at }; // auth, invalid, notFound: the service answered on purpose
  }
}

export function createGovernorRegistry(options: GovernorRegistryOptions = {}): GovernorRegistry {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const policy: GovernorPolicy = { ...DEFAULT_GOVERNOR_POLICY, ...options.policy };
  const entries = new Map<string, { ref: ConnectionRef; state: GovernorState; governor: RequestGovernor }>();

  function create(id: string, ref: ConnectionRef): RequestGovernor {
    const label = labelOf(ref.service);
    const entry = () => entries.get(id)!;
    const signal = (kind: GovernorSignal['kind'], message: string) => {
      try {
        options.onSignal?.({ kind, service: ref.service, connectionId: id, baseUrl: ref.baseUrl, at: now(), message });
      } catch {
        // A listener's failure is not the request's.
      }
    };
    const refusal = (reason: 'rateLimited' | 'backoff' | 'circuitOpen', until: number, at: number): ServiceError => {
      const wait = Math.max(1, until - at);
      const state = entry().state;
      if (reason === 'rateLimited')
        return { kind: 'rateLimited', retryAfterMs: wait, message: `${label} rate limited until ${utcTime(until)}` };
      if (reason === 'backoff')
        return {
          kind: 'unavailable',
          retryAfterMs: wait,
          message: `${label} failing (${state.consecutiveFailures} in a row); next try at ${utcTime(until)}`,
        };
      return {
        kind: 'unavailable',
        retryAfterMs: wait,
        message: `${label} circuit open since ${utcTime(state.openedAt ?? at)}; next probe at ${utcTime(until)}`,
      };
    };
    return {
      id,
      run<T>(request: () => ResultAsync<T, ServiceError>) {
        const at = now();
        const admitted = admit(entry().state, at, policy);
        entry().state = admitted.state;
        if (admitted.admission.kind === 'wait') {
          const error = refusal(admitted.admission.reason, admitted.admission.until, at);
          refusals.set(error, admitted.admission.reason);
          return errAsync(error);
        }
        // A request that throws or rejects instead of answering an error is a failure like any
        // other: were it let through, a half-open probe would stay "in flight" for good.
        const sent = new ResultAsync<T, ServiceError>(
          (async () => {
            try {
              return await request();
            } catch (thrown) {
              return err<T, ServiceError>({
                kind: 'unavailable',
                message: `${label} request failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
              });
            }
          })(),
        );
        return sent
          .map((value) => {
            entry().state = record(entry().state, { type: 'answered', at: now() }, policy);
            return value;
          })
          .mapErr((error) => {
            const event = eventOf(error, now(), random());
            // Only closed → open is news: a failed probe re-opening it is the same outage.
            const wasClosed = entry().state.circuit === 'closed';
            if (event) entry().state = record(entry().state, event, policy);
            if (wasClosed && entry().state.circuit === 'open') signal('circuitOpened', error.message);
            if (error.kind === 'auth') signal('credentialRefused', error.message);
            else if (admitted.admission.kind === 'go' && admitted.admission.probe)
              entry().state = { ...entry().state, probing: false };
            return error;
          });
      },
      observe(budget) {
        const state = { ...entry().state };
        if (budget.remaining !== undefined && Number.isFinite(budget.remaining)) state.remaining = budget.remaining;
        if (budget.resetAt !== undefined && Number.isFinite(budget.resetAt)) state.resetAt = budget.resetAt;
        entry().state = state;
      },
    };
  }

  function statusOf(id: string, ref: ConnectionRef, state: GovernorState, at: number): ConnectionStatus {
    const base = {
      service: ref.service,
      id,
      baseUrl: ref.baseUrl,
      consecutiveFailures: state.consecutiveFailures,
      ...(state.remaining !== undefined ? { remaining: state.remaining } : {}),
      ...(state.resetAt !== undefined ? { resetAt: state.resetAt } : {}),
    };
    const exhaustedUntil = state.remaining === 0 && state.resetAt !== undefined ? state.resetAt : 0;
    const limitedUntil = Math.max(state.limitedUntil, exhaustedUntil);
    if (at < limitedUntil) return { ...base, state: 'limited', until: limitedUntil };
    if (state.circuit !== 'closed')
      return { ...base, state: 'open', since: state.openedAt ?? at, until: (state.openedAt ?? at) + policy.coolDownMs };
    if (at < state.backoffUntil) return { ...base, state: 'backoff', until: state.backoffUntil };
    return { ...base, state: 'ok' };
  }

  return {
    forConnection(ref) {
      const id = connectionId(ref);
      const known = entries.get(id);
      if (known) return known.governor;
      const governor = create(id, ref);
      entries.set(id, { ref, state: INITIAL_GOVERNOR_STATE, governor });
      return governor;
    },
    list(at) {
      return [...entries.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, { ref, state }]) => statusOf(id, ref, state, at));
    },
  };
}

/** A governor that admits everything: for adapters built without one (tests of the adapter alone). */
export const UNGOVERNED: RequestGovernor = {
  id: 'ungoverned',
  run: (request) => request(),
  observe: () => undefined,
};
