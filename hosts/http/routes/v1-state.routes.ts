import { createEventStream, type H3 } from 'h3';
import type { EventsService } from '../../services/events.service.js';
import type { StateService } from '../../services/state.service.js';
import { json } from '../errors.js';

export interface V1StateRoutesDeps {
  stateView: StateService;
  eventStream: EventsService;
}

/**
 * `GET /api/v1/state`, `GET /api/v1/runtime` and the SSE stream `GET /api/v1/events`
 * (v1-api-state-issues-config.txt, "State & Metrics"). All three sit under /api, so the
 * admin guard has already checked the bearer token.
 */
export function v1StateRoutes(app: H3, { stateView: state, eventStream: events }: V1StateRoutesDeps): void {
  app.get('/api/v1/state', async () => json(await state.snapshot()));
  app.get('/api/v1/runtime', async () => json(await state.runtime()));

  app.get('/api/v1/events', (event) => {
    const stream = createEventStream(event);
    const unsubscribe = events.subscribe((message) => void stream.push(message));
    // A comment line keeps proxies from closing an idle stream and lets the client notice a dead one.
    const heartbeat = setInterval(() => void stream.pushComment('heartbeat'), events.heartbeatMs);
    heartbeat.unref?.();
    stream.onClosed(() => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    void stream.pushComment('connected');
    return stream;
  });
}
