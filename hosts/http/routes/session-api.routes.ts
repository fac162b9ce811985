import { getRouterParam, type H3 } from 'h3';
import { isProgressEventType, type ProgressEvent } from '../../../core/domain/comments.js';
import { isPlainObject } from '../../../core/domain/mappings.js';
import { parseStep, stepReportMessage } from '../../../core/app/runs/run-callback-bodies.js';
import { SESSION_API_MESSAGES, type SessionApiService } from '../../../core/app/runs/session-api.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface SessionApiRoutesDeps {
  sessionApi: SessionApiService;
}

const INVALID_JSON = 'Invalid JSON body';
const text = (v: unknown, fallback: string) => (typeof v === 'string' && v.trim() !== '' ? v : fallback);
const positive = (v: unknown) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
};

/**
 * The progress event of a `POST /api/status` body `{ nonce, event, … }`. The fields each event
 * uses: `pr_opened` `prNumber`, `prUrl`; `verification_failed` `detail`; `session_cleaned_up`
 * `durationMs`; `session_failed` and `session_timed_out` `reason`. A missing field reads as
 * "no details given" (or 0), so a session's status never fails on a detail.
 */
function progressEvent(type: ProgressEvent['type'], body: Record<string, unknown>): ProgressEvent {
  switch (type) {
    case 'pr_opened':
      return { type, prNumber: positive(body.prNumber), prUrl: text(body.prUrl, '') };
    case 'verification_failed':
      return { type, detail: text(body.detail, 'no details given') };
    case 'session_cleaned_up':
      return { type, durationMs: positive(body.durationMs) };
    case 'session_failed':
    case 'session_timed_out':
      return { type, reason: text(body.reason, 'no reason given') };
    default:
      return { type };
  }
}

/**
 * What a session calls with its nonce (error tables of POST /api/token, /api/status,
 * /api/step-report), and the admin's view of a job's steps (GET /api/jobs/:jobId/steps).
 */
export function sessionApiRoutes(app: H3, { sessionApi }: SessionApiRoutesDeps): void {
  app.post('/api/token', async (event) => {
    const body = await readJson(event);
    // The spec answers an unparsable body with the generic failure, not a 400.
    if (body.isErr()) {
      return errorResponse(
        body.error.kind === 'tooLarge' ? body.error : { kind: 'requestFailed', message: SESSION_API_MESSAGES.tokenFailed },
      );
    }
    const { nonce, owner } = isPlainObject(body.value) ? body.value : {};
    if (typeof nonce !== 'string' || nonce === '' || typeof owner !== 'string' || owner === '') {
      return errorResponse({ kind: 'invalid', message: 'nonce and owner are required' });
    }
    return (await sessionApi.repoToken(nonce, owner)).match((answer) => json(answer), errorResponse);
  });

  app.post('/api/status', async (event) => {
    const body = await readJson(event);
    if (body.isErr())
      return errorResponse(body.error.kind === 'tooLarge' ? body.error : { kind: 'invalidBody', message: INVALID_JSON });
    const fields = isPlainObject(body.value) ? body.value : {};
    if (typeof fields.nonce !== 'string') return errorResponse({ kind: 'invalid', message: 'nonce is required' });
    if (typeof fields.event !== 'string') return errorResponse({ kind: 'invalid', message: 'event is required' });
    if (!isProgressEventType(fields.event))
      return errorResponse({ kind: 'invalid', message: `Unknown event type: ${fields.event}` });
    const logsUrl = typeof fields.logsUrl === 'string' && /^https?:\/\/\S+$/.test(fields.logsUrl) ? fields.logsUrl : undefined;
    const answer = await sessionApi.status(fields.nonce, progressEvent(fields.event, fields), logsUrl);
    return answer.match((ok) => json(ok), errorResponse);
  });

  app.post('/api/step-report', async (event) => {
    const body = await readJson(event);
    if (body.isErr())
      return errorResponse(body.error.kind === 'tooLarge' ? body.error : { kind: 'invalidBody', message: INVALID_JSON });
    const fields = isPlainObject(body.value) ? body.value : {};
    if (typeof fields.nonce !== 'string') return errorResponse({ kind: 'invalid', message: 'nonce is required' });
    const step = parseStep(fields.step);
    if (step.isErr()) return errorResponse({ kind: 'invalid', message: stepReportMessage(step.error) });
    return (await sessionApi.stepReport(fields.nonce, step.value)).match((ok) => json(ok), errorResponse);
  });

  app.get('/api/jobs/:jobId/steps', async (event) => {
    const jobId = getRouterParam(event, 'jobId', { decode: true }) ?? '';
    return (await sessionApi.steps(jobId)).match((answer) => json(answer), errorResponse);
  });
}
