import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { SecurityEventPage, SecurityEventQuery } from '../../../ports/security-events.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { redactSecrets } from '../../domain/redaction.js';
import { RETENTION_SWEEP_EVERY, SECURITY_EVENT_RETENTION_MS, SECURITY_EVENTS_KEEP } from '../../domain/retention.js';
import {
  DETAIL_LIMIT,
  fingerprintOf,
  ROUTE_LIMIT,
  SAMPLE_LIMIT,
  type SecurityEvent,
  type SecuritySignal,
  type SecurityStatus,
  transitionRefusal,
} from '../../domain/security-events.js';
import { createBoundedWriter } from './bounded-writer.js';

export interface SecurityEventsDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Configured secrets: a sample that holds one (a wrong guess close to the code) is redacted. */
  secretValues: () => readonly string[];
  /** Counts every sighting (the /metrics counters), dropped ones included. */
  onSignal?: (signal: Pick<SecuritySignal, 'kind' | 'classification'>, recorded: boolean) => void;
}

export type SecurityTriageError =
  | { kind: 'notFound' }
  | { kind: 'invalid'; message: string }
  | { kind: 'conflict'; message: string };

export interface SecurityEventsService {
  /** Notes a signal; returns at once, never throws. Repeats within a flush window are written once, counted. */
  signal(signal: Omit<SecuritySignal, 'at'> & { at?: number }): void;
  list(query: SecurityEventQuery): Promise<SecurityEventPage>;
  get(id: string): Promise<Result<SecurityEvent, { kind: 'notFound' }>>;
  /** Moves a group along the seed's workflow (core/domain/security-events.ts). */
  setStatus(id: string, to: SecurityStatus): Promise<Result<SecurityEvent, SecurityTriageError>>;
  backlog(): { pending: number; dropped: number };
  /** Writes what is pending now and resolves when it is written. */
  flush(): Promise<void>;
  dispose(): void;
}

/** Sightings are gathered this long before one write per group. */
export const SECURITY_FLUSH_MS = 250;
/** Distinct groups gathered at once; beyond, new ones are dropped (counted) until the next flush. */
export const SECURITY_PENDING_GROUPS = 500;
const WRITE_QUEUE = 2_000;

/**
 * Security signals, grouped twice so that a flood costs little: in memory, every sighting of
 * one fingerprint within SECURITY_FLUSH_MS is one write with a count; in the store, a sighting
 * joins its fingerprint's active group (ports/security-events.port.ts). Bounded everywhere: a
 * fixed number of pending groups, a bounded write queue, retention by age and by count.
 */
export function createSecurityEventsService(deps: SecurityEventsDeps): SecurityEventsService {
  const { storage, clock, ids, logger } = deps;
  const writer = createBoundedWriter(logger, WRITE_QUEUE);
  let pending = new Map<string, { signal: SecuritySignal; count: number }>();
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writes = 0;

  const write = async (signal: SecuritySignal, count: number) => {
    await storage.securityEvents.record(signal, count, ids.newId());
    if (++writes % RETENTION_SWEEP_EVERY === 0) {
      await storage.securityEvents.prune(clock.now() - SECURITY_EVENT_RETENTION_MS, SECURITY_EVENTS_KEEP);
    }
  };

  const flushPending = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    for (const { signal, count } of batch.values()) {
      if (!writer.push('a security event', () => write(signal, count))) dropped += count;
    }
  };

  return {
    signal(input) {
      try {
        const sample =
          input.sample === undefined
            ? undefined
            : redactSecrets(input.sample.slice(0, SAMPLE_LIMIT * 2), deps.secretValues()).slice(0, SAMPLE_LIMIT);
        const signal: SecuritySignal = {
          kind: input.kind,
          ...(input.classification ? { classification: input.classification } : {}),
          source: input.source.slice(0, 100),
          route: input.route.slice(0, ROUTE_LIMIT),
          ...(sample !== undefined ? { sample } : {}),
          ...(input.detail !== undefined
            ? { detail: redactSecrets(input.detail.slice(0, DETAIL_LIMIT), deps.secretValues()) }
            : {}),
          at: input.at ?? clock.now(),
        };
        const key = fingerprintOf(signal);
        const known = pending.get(key);
        const recorded = known !== undefined || pending.size < SECURITY_PENDING_GROUPS;
        deps.onSignal?.(signal, recorded);
        if (!recorded) {
          dropped++;
          return;
        }
        if (known) {
          known.count++;
          known.signal = { ...known.signal, at: signal.at };
        } else pending.set(key, { signal, count: 1 });
        timer ??= setTimeout(flushPending, SECURITY_FLUSH_MS);
        timer.unref?.();
      } catch (error) {
        logger.warn('could not note a security signal', { error });
      }
    },

    list: (query) => storage.securityEvents.list(query),

    async get(id) {
      const found = await storage.securityEvents.get(id);
      return found ? ok(found) : err({ kind: 'notFound' as const });
    },

    async setStatus(id, to) {
      const current = await storage.securityEvents.get(id);
      if (!current) return err({ kind: 'notFound' });
      const refusal = transitionRefusal(current.status, to);
      if (refusal) return err({ kind: 'conflict', message: refusal });
      const changed = await storage.securityEvents.setStatus(id, current.status, to, clock.now());
      if (changed.kind === 'notFound') return err({ kind: 'notFound' });
      if (changed.kind === 'conflict') {
        return err({ kind: 'conflict', message: `The security event changed meanwhile (now ${changed.event.status})` });
      }
      logger.info('security event triaged', { id, from: current.status, to });
      return ok(changed.event);
    },

    backlog: () => ({ pending: pending.size + writer.pending, dropped: dropped + writer.dropped }),

    async flush() {
      flushPending();
      await writer.idle();
    },

    dispose() {
      flushPending();
    },
  };
}
