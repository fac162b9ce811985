import type { H3 } from 'h3';
import type { PullsService } from '../../../core/app/pulls/pulls.service.js';
import { json } from '../errors.js';

export interface PullsRoutesDeps {
  pulls: PullsService;
}

/** `GET /api/pulls`: the Pull requests panel. */
export function pullsRoutes(app: H3, { pulls }: PullsRoutesDeps): void {
  app.get('/api/pulls', async () => json({ pulls: await pulls.list() }));
}
