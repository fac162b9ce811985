import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { ConnectorEventPage, ConnectorEventQuery } from '../../../ports/connector-events.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import {
  CONNECTOR_BODY_LIMIT,
  type ConnectorEvent,
  type ConnectorOutcome,
  type ConnectorSource,
  capBody,
  nextRetry,
  type OutboundRetry,
  type SignatureVerdict,
} from '../../domain/connector-events.js';
import { redactSecrets } from '../../domain/redaction.js';
import { CONNECTOR_EVENT_RETENTION_MS, CONNECTOR_EVENTS_KEEP, RETENTION_SWEEP_EVERY } from '../../domain/retention.js';
import { type BoundedWriter, createBoundedWriter } from './bounded-writer.js';

export interface ConnectorEventsDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** The configured secret values: bodies are redacted of them before they are kept. */
  secretValues: () => readonly string[];
  /** Counts each recorded event (the /metrics counters); optional for embedders. */
  onRecorded?: (event: Pick<ConnectorEvent, 'direction' | 'source' | 'outcome'>) => void;
}

/** One inbound delivery as the receiving route saw it. */
export interface InboundDelivery {
  source: ConnectorSource;
  deliveryId?: string;
  event?: string;
  action?: string;
  receivedAt: number;
  signature: SignatureVerdict;
  outcome: ConnectorOutcome;
  reason?: string;
  caused?: { jobIds?: string[]; teams?: string[] };
  /** The raw body as received (bytes or text). */
  body?: Uint8Array | string;
  replayOf?: string;
}

/** One attempt of an outbound call (a comment, a move, a workflow dispatch). */
export interface OutboundAttempt {
  source: ConnectorSource;
  /** `comment`, `move`, `workflow_dispatch`. */
  event: string;
  /** The issue or job it was for. */
  target: string;
  ok: boolean;
  error?: string;
}

/** Failed attempts of one outbound call before it is counted as given up. */
export const OUTBOUND_MAX_ATTEMPTS = 5;
/** Queued records beyond this are dropped (and counted): a flood never grows memory. */
export const CONNECTOR_QUEUE_CAPACITY = 1_000;
/** Outbound calls that are failing, remembered to mark their recovery: at most this many. */
const FAILING_REMEMBERED = 1_000;
/** A vendor's redelivery within this long is recognised as a duplicate. */
export const DELIVERY_MEMORY_MS = CONNECTOR_EVENT_RETENTION_MS;

export interface ConnectorEventsService {
  /** Queues the record of an inbound delivery; returns at once, never throws. */
  recordInbound(delivery: InboundDelivery): void;
  /** Queues an outbound attempt: a failure is recorded with its retry state, a later success marks it recovered. */
  recordOutbound(attempt: OutboundAttempt): void;
  /**
   * True the first time a verified delivery id of a source is seen (an atomic claim, shared by
   * replicas); false for a redelivery, which is then recorded as `duplicate` and not acted on.
   */
  firstDelivery(source: ConnectorSource, deliveryId: string): Promise<boolean>;
  list(query: ConnectorEventQuery): Promise<ConnectorEventPage>;
  get(id: string): Promise<Result<ConnectorEvent, { kind: 'notFound' }>>;
  /** Records waiting to be written, and those dropped because the queue was full. */
  backlog(): { pending: number; dropped: number };
  /** Resolves when every queued record is written (tests, shutdown). */
  flush(): Promise<void>;
}

export function createConnectorEventsService(deps: ConnectorEventsDeps): ConnectorEventsService {
  const { storage, clock, ids, logger } = deps;
  const writer: BoundedWriter = createBoundedWriter(logger, CONNECTOR_QUEUE_CAPACITY);
  /** Outbound calls failing now: their key → the event id that carries their retry state. */
  const failing = new Map<string, { id: string; retry: OutboundRetry; receivedAt: number }>();
  let writes = 0;

  const store = async (event: ConnectorEvent) => {
    await storage.connectorEvents.put(event);
    deps.onRecorded?.(event);
    if (++writes % RETENTION_SWEEP_EVERY === 0) {
      await storage.connectorEvents.prune(clock.now() - CONNECTOR_EVENT_RETENTION_MS, CONNECTOR_EVENTS_KEEP);
    }
  };

  const keptBody = (body: Uint8Array | string | undefined) => {
    if (body === undefined) return { bodyBytes: 0, bodyTruncated: false };
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body).length : body.length;
    // Redacted over a window a little past the cut (a secret across the edge goes whole), then
    // cut: redaction never walks a flood.
    const window = text.length > CONNECTOR_BODY_LIMIT + 4096 ? text.slice(0, CONNECTOR_BODY_LIMIT + 4096) : text;
    const { body: kept, truncated } = capBody(redactSecrets(window, deps.secretValues()));
    return { body: kept, bodyBytes: bytes, bodyTruncated: truncated || window !== text };
  };

  return {
    recordInbound(delivery) {
      try {
        const event: ConnectorEvent = {
          id: ids.newId(),
          direction: 'inbound',
          source: delivery.source,
          ...(delivery.deliveryId ? { deliveryId: delivery.deliveryId.slice(0, 200) } : {}),
          ...(delivery.event ? { event: delivery.event.slice(0, 100) } : {}),
          ...(delivery.action ? { action: delivery.action.slice(0, 100) } : {}),
          receivedAt: delivery.receivedAt,
          signature: delivery.signature,
          outcome: delivery.outcome,
          ...(delivery.reason ? { reason: delivery.reason.slice(0, 500) } : {}),
          caused: { jobIds: delivery.caused?.jobIds ?? [], teams: delivery.caused?.teams ?? [] },
          latencyMs: Math.max(0, clock.now() - delivery.receivedAt),
          ...keptBody(delivery.body),
          ...(delivery.replayOf ? { replayOf: delivery.replayOf } : {}),
        };
        writer.push('a connector event', () => store(event));
      } catch (error) {
        logger.warn('could not record a connector event', { error });
      }
    },

    recordOutbound(attempt) {
      const key = `${attempt.source}|${attempt.event}|${attempt.target}`;
      const known = failing.get(key);
      if (attempt.ok && !known) return;
      const at = clock.now();
      const retry = nextRetry(
        known?.retry,
        attempt.ok ? { ok: true, at } : { ok: false, at, error: (attempt.error ?? 'failed').slice(0, 500) },
        OUTBOUND_MAX_ATTEMPTS,
      );
      const id = known?.id ?? ids.newId();
      const receivedAt = known?.receivedAt ?? at;
      if (retry.state === 'retrying') {
        if (!known && failing.size >= FAILING_REMEMBERED) failing.delete(failing.keys().next().value as string);
        failing.set(key, { id, retry, receivedAt });
      } else failing.delete(key);
      const event: ConnectorEvent = {
        id,
        direction: 'outbound',
        source: attempt.source,
        event: attempt.event,
        receivedAt,
        signature: 'not_applicable',
        outcome: attempt.ok ? 'acted' : 'failed',
        reason: retry.lastError,
        caused: { jobIds: [], teams: [] },
        latencyMs: 0,
        bodyBytes: 0,
        bodyTruncated: false,
        target: attempt.target.slice(0, 200),
        retry,
      };
      writer.push('an outbound call', () => store(event));
    },

    async firstDelivery(source, deliveryId) {
      return storage.claims.claimOnce(`connector-delivery:${source}:${deliveryId}`, DELIVERY_MEMORY_MS);
    },

    list: (query) => storage.connectorEvents.list(query),

    async get(id) {
      const found = await storage.connectorEvents.get(id);
      return found ? ok(found) : err({ kind: 'notFound' as const });
    },

    backlog: () => ({ pending: writer.pending, dropped: writer.dropped }),
    flush: () => writer.idle(),
  };
}
