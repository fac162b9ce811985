import type { H3 } from 'h3';
import type { GapFillService } from '../../../core/app/dispatch/gap-fill.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface GapFillRoutesDeps {
  gapFill: GapFillService;
}

/**
 * `POST /trigger/gap-fill` (outside /api: its own bearer, slug error codes). A body that is
 * not JSON is left to the service, so an unauthenticated caller learns nothing about it.
 */
export function gapFillRoutes(app: H3, { gapFill }: GapFillRoutesDeps): void {
  app.post('/trigger/gap-fill', async (event) => {
    const body = await readJson(event);
    if (body.isErr() && body.error.kind === 'tooLarge') return errorResponse(body.error);
    const accepted = await gapFill.trigger(event.req.headers.get('authorization'), body.isOk() ? body.value : undefined);
    return accepted.match((run) => json({ accepted: true, ...run }, 202), errorResponse);
  });
}
