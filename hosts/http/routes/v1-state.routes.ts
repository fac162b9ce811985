import { createEventStream } from 'h3';
import { ok } from 'neverthrow';
import { z } from 'zod';
import type { EventsService } from '../../../core/app/views/events.service.js';
import type { StateService } from '../../../core/app/views/state.service.js';
import { type AdminAuthService, bearerToken } from '../admin-auth.service.js';
import { routesFor } from '../route.js';
import { millis, StateView } from '../schemas/components.schema.js';

export interface V1StateRoutesDeps {
  stateView: StateService;
  eventStream: EventsService;
  adminAuth: AdminAuthService;
}

/**
 * How often an open event stream checks that its session still lives: the admin guard checked
 * the token once, when the stream opened, and a stream lasts for hours. A session signed out,
 * revoked or ended by a new access code (here or on another replica) stops its stream within this.
 */
export const SSE_SESSION_RECHECK_MS = 5_000;

/**
 * Events a client may leave unread before it is dropped: a stalled reader must not make the
 * orchestrator buffer the event bus without end. A dropped client reconnects and resumes.
 */
export const SSE_MAX_PENDING = 1000;

/** The `RuntimeView` of core/app/views/state.service.ts. */
const RuntimeView = z.object({
  version: z.string(),
  node: z.string(),
  startedAt: millis(),
  uptimeSeconds: z.number(),
  dataDir: z.string(),
  storage: z.enum(['sqlite', 'postgres', 'lowdb', 'memory', 'fs', 'redis', 'other']),
  pollIntervalMs: z.number().int(),
  features: z.record(z.string(), z.boolean()),
  runnerMode: z.object({ effective: z.string(), source: z.enum(['env', 'stored', 'default']) }),
});

const TAG = 'State & Metrics';
const route = routesFor<V1StateRoutesDeps>();

/**
 * `GET /api/v1/state`, `GET /api/v1/runtime` and the SSE stream `GET /api/v1/events`
 * (v1-api-state-issues-config.txt, "State & Metrics"). All three sit under /api, so the
 * admin guard has already checked the bearer token.
 */
export const v1StateRoutes = [
  route({
    method: 'get',
    path: '/api/v1/state',
    operationId: 'v1State',
    tag: TAG,
    summary: 'Full orchestrator snapshot: queued, running, completed issues and token totals',
    responses: { 200: StateView },
    handler: async (_input, { stateView }) => ok(await stateView.snapshot()),
  }),
  route({
    method: 'get',
    path: '/api/v1/runtime',
    operationId: 'v1Runtime',
    tag: TAG,
    summary: 'Runtime info: version, data directory, feature flags',
    responses: { 200: RuntimeView },
    handler: async (_input, { stateView }) => ok(await stateView.runtime()),
  }),
  route({
    method: 'get',
    path: '/api/v1/events',
    operationId: 'v1Events',
    tag: TAG,
    summary: 'SSE stream of real-time orchestrator events',
    description:
      'Each event has an `id:` line and a `data:` line holding `{ type, at, data }` JSON; comment lines are heartbeats. A client reconnecting with `Last-Event-ID` first receives the events it missed (the last 500 are kept), or one `reset` event when that id is too old. A client that leaves 1000 events unread is dropped and reconnects.',
    responses: { 200: { contentType: 'text/event-stream', description: 'An event stream' } },
    handler: ({ event }, { eventStream, adminAuth }) => {
      const stream = createEventStream(event);
      // The connection is not kept for another request once the stream ends (a shutdown ends it):
      // an idle kept-alive socket would hold the server's close for its keep-alive timeout.
      event.res.headers.set('connection', 'close');
      let pending = 0;
      const lastEventId = event.req.headers.get('last-event-id') ?? undefined;
      const end = () => {
        stop();
        void stream.close();
      };
      const unsubscribe = eventStream.subscribe(
        (message) => {
          if (pending >= SSE_MAX_PENDING) {
            end();
            return;
          }
          pending += 1;
          void stream.push(message).finally(() => {
            pending -= 1;
          });
        },
        lastEventId,
        end, // a shutdown ends the stream rather than waiting for it
      );
      // A comment line keeps proxies from closing an idle stream and lets the client notice a dead one.
      const heartbeat = setInterval(() => void stream.pushComment('heartbeat'), eventStream.heartbeatMs);
      heartbeat.unref?.();
      const token = bearerToken(event.req.headers.get('authorization')) ?? '';
      const recheck = setInterval(
        () =>
          void adminAuth.verify(token).then(
            (live) => live || end(),
            () => undefined, // the store did not answer: the next check decides
          ),
        Math.min(SSE_SESSION_RECHECK_MS, eventStream.heartbeatMs),
      );
      recheck.unref?.();
      function stop() {
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribe();
      }
      stream.onClosed(stop);
      void stream.pushComment('connected');
      return stream;
    },
  }),
];
