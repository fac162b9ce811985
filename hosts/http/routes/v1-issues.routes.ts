import type { H3, H3Event } from 'h3';
import type { Result } from 'neverthrow';
import type { IssueControlError, IssueControlService } from '../../../core/app/issues/issue-control.service.js';
import { readJsonObject } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface V1IssuesRoutesDeps {
  issueControl: IssueControlService;
}

const answer = <T>(result: Result<T, IssueControlError>) => result.match((value) => json(value), errorResponse);
const idOf = (event: H3Event) => decodeURIComponent(event.context.params?.id ?? '');

/**
 * Issue management and attempts of the v1 API (v1-api-state-issues-config.txt "Issue
 * Management", "Attempts", and `GET /api/v1/transitions`). Under /api, so the admin guard has
 * checked the bearer token. Static paths (`/api/v1/state`, `/api/v1/attempts/:aid`, …) win over
 * `/api/v1/:id` in the router.
 */
export function v1IssuesRoutes(app: H3, { issueControl }: V1IssuesRoutesDeps): void {
  app.get('/api/v1/transitions', async () => json(await issueControl.transitions()));
  app.get('/api/v1/attempts/:aid', async (event) =>
    answer(await issueControl.attempt(decodeURIComponent(event.context.params?.aid ?? ''))),
  );
  app.get('/api/v1/:id', async (event) => answer(await issueControl.detail(idOf(event))));
  app.get('/api/v1/:id/attempts', async (event) => answer(await issueControl.attempts(idOf(event))));

  app.post('/api/v1/:id/abort', async (event) => {
    // The body is optional here: an abort needs no arguments, a reason may come along.
    const text = await event.req.text().catch(() => '');
    let reason: string | undefined;
    if (text.trim()) {
      try {
        const parsed = JSON.parse(text) as { reason?: unknown } | null;
        if (parsed && typeof parsed.reason === 'string' && parsed.reason.trim()) reason = parsed.reason.trim().slice(0, 1000);
      } catch {
        return errorResponse({ kind: 'invalidBody' });
      }
    }
    return answer(await issueControl.abort(idOf(event), reason));
  });

  app.post('/api/v1/:id/steer', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    return answer(await issueControl.steer(idOf(event), body.value.message));
  });

  app.post('/api/v1/:id/model', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    return answer(await issueControl.setModel(idOf(event), body.value.model));
  });

  app.post('/api/v1/:id/template', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    return answer(await issueControl.setTemplate(idOf(event), body.value.template));
  });
  app.delete('/api/v1/:id/template', async (event) => answer(await issueControl.setTemplate(idOf(event), null)));

  app.post('/api/v1/:id/transition', async (event) => {
    const body = await readJsonObject(event);
    if (body.isErr()) return errorResponse(body.error);
    return answer(await issueControl.transition(idOf(event), body.value.to, body.value.reason));
  });
}
