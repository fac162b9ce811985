import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import { redactDeep, redactSecrets } from '../../domain/redaction.js';
import { type CoreSettings, secretValues } from '../core-settings.js';

export interface EventsDeps {
  eventBus: EventBus;
  config: CoreSettings;
  /** Milliseconds between SSE heartbeat comments; 15 s unless a test asks otherwise. */
  heartbeatMs?: number;
}

/** One SSE message: `event: <type>` and a JSON `data` line. */
export interface WireEvent {
  event: string;
  data: string;
}

export interface EventsService {
  /** Subscribes one client to the bus; returns its unsubscribe (call it once the client has gone). */
  subscribe(send: (message: WireEvent) => void): () => void;
  /** Clients subscribed now. */
  clients(): number;
  readonly heartbeatMs: number;
}

export const HEARTBEAT_MS = 15_000;

/**
 * The event bus as Server-Sent Events (`GET /api/v1/events`). Only the event's own fields
 * travel, redacted of every configured secret value (in every encoding) before and after it
 * is serialised, so a publisher that one day puts a credential in `message` or `data` does
 * not leak it, not even one with quotes, backslashes or line breaks in it.
 */
export function createEventsService({ eventBus, config, heartbeatMs = HEARTBEAT_MS }: EventsDeps): EventsService {
  const secrets = secretValues(config);
  let clients = 0;

  function toWire(event: OrchestratorEvent): WireEvent {
    const safe = {
      type: event.type,
      at: event.at,
      ...(event.issueId ? { issueId: event.issueId } : {}),
      ...(event.identifier ? { identifier: event.identifier } : {}),
      ...(event.jobId ? { jobId: event.jobId } : {}),
      ...(event.teamKey ? { teamKey: event.teamKey } : {}),
      ...(event.message ? { message: event.message } : {}),
      ...(event.data ? { data: event.data } : {}),
    };
    // The event name is one line of the SSE frame: a newline in it would forge another field.
    const data = redactSecrets(JSON.stringify(redactDeep(safe, secrets)), secrets);
    return { event: event.type.replace(/[\r\n]/g, ' '), data };
  }

  return {
    heartbeatMs,
    clients: () => clients,
    subscribe(send) {
      clients += 1;
      const unsubscribe = eventBus.subscribe((event) => send(toWire(event)));
      let done = false;
      return () => {
        if (done) return;
        done = true;
        clients -= 1;
        unsubscribe();
      };
    },
  };
}
