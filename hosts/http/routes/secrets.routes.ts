import { getRouterParam, type H3, type H3Event } from 'h3';
import type { SecretsService } from '../../../core/app/operations/secrets.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';
import { safeDecode } from './runners.routes.js';

export interface SecretsRoutesDeps {
  secretsService: SecretsService;
}

const param = (event: H3Event, name: string) => safeDecode(getRouterParam(event, name) ?? '');

/**
 * A body that does not parse is handed on as `undefined`: the service answers "Invalid request
 * body" for it, after the checks the spec puts first (Fly configured, team exists).
 */
async function bodyOf(event: H3Event): Promise<{ value: unknown } | Response> {
  const body = await readJson(event);
  if (body.isErr()) return body.error.kind === 'tooLarge' ? errorResponse(body.error) : { value: undefined };
  return { value: body.value };
}

/**
 * Secrets: per-team and global Fly app secrets (admin "Secrets"), and the local encrypted store
 * (`/api/v1/secrets`). Names only ever go out; values only ever come in.
 */
export function secretsRoutes(app: H3, { secretsService: secrets }: SecretsRoutesDeps): void {
  app.get('/api/mappings/:teamKey/secrets', async (event) =>
    (await secrets.listTeam(param(event, 'teamKey'))).match((names) => json({ secrets: names }), errorResponse),
  );
  app.post('/api/mappings/:teamKey/secrets', async (event) => {
    const body = await bodyOf(event);
    if (body instanceof Response) return body;
    return (await secrets.setTeam(param(event, 'teamKey'), body.value)).match(
      ({ name }) => json({ saved: true, name }),
      errorResponse,
    );
  });
  app.delete('/api/mappings/:teamKey/secrets/:name', async (event) =>
    (await secrets.removeTeam(param(event, 'teamKey'), param(event, 'name'))).match(
      ({ name }) => json({ deleted: true, name }),
      errorResponse,
    ),
  );

  app.get('/api/global-secrets', async () =>
    (await secrets.listGlobal()).match((names) => json({ secrets: names }), errorResponse),
  );
  app.post('/api/global-secrets', async (event) => {
    const body = await bodyOf(event);
    if (body instanceof Response) return body;
    return (await secrets.setGlobal(body.value)).match(({ name }) => json({ saved: true, name }), errorResponse);
  });
  app.delete('/api/global-secrets/:name', async (event) =>
    (await secrets.removeGlobal(param(event, 'name'))).match(({ name }) => json({ deleted: true, name }), errorResponse),
  );

  app.get('/api/v1/secrets', async () => (await secrets.listLocal()).match((keys) => json({ keys }), errorResponse));
  app.post('/api/v1/secrets/:key', async (event) => {
    const body = await readJson(event);
    if (body.isErr()) return errorResponse(body.error);
    return (await secrets.setLocal(param(event, 'key'), body.value)).match(
      ({ key }) => json({ saved: true, key }),
      errorResponse,
    );
  });
  app.delete('/api/v1/secrets/:key', async (event) =>
    (await secrets.removeLocal(param(event, 'key'))).match(({ key }) => json({ deleted: true, key }), errorResponse),
  );
}
