import type { H3 } from 'h3';
import { json } from '../errors.js';

/** `GET /healthz`: the process is up and serving. Never guarded, never touches storage. */
export function healthRoutes(app: H3): void {
  app.get('/healthz', () => json({ status: 'ok' }));
}
