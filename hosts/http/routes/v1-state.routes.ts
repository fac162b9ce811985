import { createEventStream, type H3 } from 'h3';
import type { EventsService } from '../../../core/app/views/events.service.js';
import type { StateService } from '../../../core/app/views/state.service.js';
import { json } from '../errors.js';

export interface V1StateRoutesDeps {
  stateView: StateService;
  eventStream: EventsService;
}

/**
 * Events a client may leave unread before it is dropped: a stalled reader must not make the
 * orchestrator buffer the event bus without end. A dropped client reconnects and resumes.
 */
export const SSE_MAX_PENDING = 1000;

/**
 * `GET /api/v1/state`, `GET /api/v1/runtime` and the SSE stream `GET /api/v1/events`
 * (v1-api-state-issues-config.txt, "State & Metrics"). All three sit under /api, so the
 * admin guard has already checked the bearer token.
 */
export function v1StateRoutes(app: H3, { stateView, eventStream }: V1StateRoutesDeps): void {
  app.get('/api/v1/state', async () => json(await stateView.snapshot()));
  app.get('/api/v1/runtime', async () => json(await stateView.runtime()));

  app.get('/api/v1/events', (event) => {
    const stream = createEventStream(event);
    let pending = 0;
    const unsubscribe = eventStream.subscribe((message) => {
      if (pending >= SSE_MAX_PENDING) {
        stop();
        void stream.close();
        return;
      }
      pending += 1;
      void stream.push(message).finally(() => {
        pending -= 1;
      });
    });
    // A comment line keeps proxies from closing an idle stream and lets the client notice a dead one.
    const heartbeat = setInterval(() => void stream.pushComment('heartbeat'), eventStream.heartbeatMs);
    heartbeat.unref?.();
    function stop() {
      clearInterval(heartbeat);
      unsubscribe();
    }
    stream.onClosed(stop);
    void stream.pushComment('connected');
    return stream;
  });
}
