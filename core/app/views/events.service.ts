import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import { redactDeep, redactSecrets } from '../../domain/redaction.js';
import { type CoreSettings, secretValues } from '../core-settings.js';

export interface EventsDeps {
  eventBus: EventBus;
  config: CoreSettings;
  /** Milliseconds between SSE heartbeat comments; 15 s unless a test asks otherwise. */
  heartbeatMs?: number;
}

/** One SSE message: `id: <n>`, `event: <type>` and a JSON `data` line. */
export interface WireEvent {
  id?: string;
  event: string;
  data: string;
}

/** Events kept for clients that reconnect with `Last-Event-ID`. */
export const SSE_REPLAY_BUFFER = 500;

export interface EventsService {
  /**
   * Subscribes one client to the bus; returns its unsubscribe (call it once the client has gone).
   * With `lastEventId` (the client's `Last-Event-ID`) it first receives what it missed from the
   * replay buffer, or one `reset` event when that id is no longer (or never was) in it.
   */
  subscribe(send: (message: WireEvent) => void, lastEventId?: string, end?: () => void): () => void;
  /**
   * Ends every client's stream (`end` of its subscription) and any that subscribes later: a
   * shutdown begins. An open stream is a request that never finishes, so without this each one
   * would hold the shutdown's drain for its whole time; clients reconnect (to a replica, or the
   * next start) with `Last-Event-ID`.
   */
  endAll(): void;
  /** Stops filling the replay buffer (container disposal). */
  dispose(): void;
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
  let lastId = 0;
  const buffer: (WireEvent & { id: string })[] = [];
  const stamped = new WeakMap<OrchestratorEvent, WireEvent & { id: string }>();

  /** Every event gets one id, whichever listener sees it first, and a place in the buffer. */
  function stamp(event: OrchestratorEvent): WireEvent & { id: string } {
    const known = stamped.get(event);
    if (known) return known;
    lastId += 1;
    const wire = { id: String(lastId), ...toWire(event) };
    stamped.set(event, wire);
    buffer.push(wire);
    if (buffer.length > SSE_REPLAY_BUFFER) buffer.shift();
    return wire;
  }

  /** What a client resuming after `lastEventId` missed, or a `reset` when the buffer cannot tell. */
  function missed(lastEventId: string): WireEvent[] {
    const after = /^\d+$/.test(lastEventId.trim()) ? Number(lastEventId) : Number.NaN;
    const oldest = buffer.length > 0 ? Number(buffer[0]?.id) : lastId + 1;
    if (Number.isNaN(after) || after > lastId || after < oldest - 1) {
      const data = {
        type: 'reset',
        reason: 'Last-Event-ID is not in the replay buffer: reload the state',
        lastEventId: String(lastId),
      };
      return [{ id: String(lastId), event: 'reset', data: JSON.stringify(data) }];
    }
    return buffer.filter((wire) => Number(wire.id) > after);
  }

  const unfollow = eventBus.subscribe((event) => void stamp(event));

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

  /** The `end` of each open subscription. */
  const ends = new Set<() => void>();
  let ending = false;

  return {
    heartbeatMs,
    clients: () => clients,
    dispose: unfollow,
    endAll() {
      ending = true;
      for (const end of [...ends]) end();
    },
    subscribe(send, lastEventId, end) {
      clients += 1;
      if (lastEventId !== undefined) for (const wire of missed(lastEventId)) send(wire);
      const unsubscribe = eventBus.subscribe((event) => send(stamp(event)));
      let done = false;
      const leave = () => {
        if (done) return;
        done = true;
        clients -= 1;
        if (end) ends.delete(end);
        unsubscribe();
      };
      if (end) {
        if (ending) queueMicrotask(end);
        else ends.add(end);
      }
      return leave;
    },
  };
}
