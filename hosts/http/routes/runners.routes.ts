import { getRouterParam, type H3 } from 'h3';
import type { RunnerModeService } from '../../../core/app/operations/runner-mode.service.js';
import type { SessionsService } from '../../../core/app/runs/sessions.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface RunnersRoutesDeps {
  runnerMode: RunnerModeService;
  sessions: SessionsService;
}

/** Admin "Runners" and "Sessions": the runner-mode override and the live Fly sessions. */
export function runnersRoutes(app: H3, { runnerMode, sessions }: RunnersRoutesDeps): void {
  app.get('/api/runner-mode', async () => json(await runnerMode.get()));

  app.post('/api/runner-mode', async (event) => {
    const body = await readJson(event);
    if (body.isErr()) return errorResponse(body.error);
    return (await runnerMode.set(body.value)).match((view) => json(view), errorResponse);
  });

  app.get('/api/sessions', async () => (await sessions.list()).match((rows) => json({ sessions: rows }), errorResponse));

  app.delete('/api/sessions/:machineId', async (event) => {
    const machineId = safeDecode(getRouterParam(event, 'machineId') ?? '');
    return (await sessions.destroy(machineId)).match((destroyed) => json(destroyed), errorResponse);
  });
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
