import { GAP_FILL_NOT_CONFIGURED } from '../../../core/app/dispatch/gap-fill.service.js';
import { INVALID_SIGNATURE, MISSING_PR_FIELDS, WEBHOOK_DISABLED_MESSAGE } from '../../../core/app/pulls/github-webhook.service.js';
import { RUNNER_TOKENS_NOT_CONFIGURED } from '../../../core/app/runs/run-tokens.service.js';
import { SESSION_API_MESSAGES } from '../../../core/app/runs/session-api.service.js';
import { arrayOf, bool, errors, int, jsonBody, jsonResponse, obj, type Paths, ref, str } from './openapi-builders.js';

/**
 * What runners, sessions, GitHub, Linear and outside automation call, each with its own
 * credential (error tables "Integration and callback API"). /runner/* and /trigger/gap-fill
 * answer slug codes; the /api/* ones and the webhooks human messages.
 */

const RUN_TOKEN_REFUSED = ['bad_signature', 'expired', 'malformed', 'wrong_audience', 'missing_bearer'];
const runToken = [{ runToken: [] }];
const nonceOnly: Record<string, string[]>[] = [];

const step = obj(
  {
    id: str(),
    type: str(),
    status: str(),
    started_at: str('ISO 8601'),
    finished_at: str('ISO 8601'),
    output: { description: 'Any JSON value the step produced' },
  },
  ['id', 'type', 'status', 'started_at'],
);

const comment = obj({ body: str() });

export const callbackPaths: Paths = {
  '/runner/result': {
    post: {
      operationId: 'runnerResult',
      tags: ['Runner callbacks'],
      summary: 'A runner reports the final outcome of a dispatch (single-use run token)',
      security: runToken,
      requestBody: jsonBody(
        obj(
          {
            phase: { type: 'string', enum: ['planning', 'implementation', 'gap-analysis'] },
            outcome: { type: 'string', enum: ['success', 'failure'] },
            prUrl: str('Required for a successful implementation'),
            prNumber: int(),
            reviewApproved: bool(),
            timedOut: bool('Only with outcome failure'),
            error: str('Failure context'),
            plan: str(),
            log: str(),
            comments: arrayOf(comment),
          },
          ['phase', 'outcome', 'comments'],
        ),
      ),
      responses: {
        '200': jsonResponse({ type: 'object', description: 'The recorded outcome' }),
        ...errors({
          400: [
            'invalid_body',
            'invalid_comment_shape',
            'invalid_comments',
            'invalid_outcome',
            'invalid_phase',
            'missing_prUrl',
            'phase_mismatch',
          ],
          401: RUN_TOKEN_REFUSED,
          409: ['already_consumed'],
          501: [RUNNER_TOKENS_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/runner/progress': {
    post: {
      operationId: 'runnerProgress',
      tags: ['Runner callbacks'],
      summary: 'A runner streams step-by-step progress during a run',
      security: runToken,
      requestBody: jsonBody(obj({ step })),
      responses: {
        '200': jsonResponse({ type: 'object' }),
        ...errors({
          400: [
            'invalid_body',
            'invalid_step_id',
            'invalid_step_started_at',
            'invalid_step_status',
            'invalid_step_type',
            'step_required',
          ],
          401: RUN_TOKEN_REFUSED,
          404: ['job_not_found'],
          501: [RUNNER_TOKENS_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/runner/planning-context': {
    get: {
      operationId: 'runnerPlanningContext',
      tags: ['Runner callbacks'],
      summary: 'A runner fetches the planning context for its run',
      security: runToken,
      responses: {
        '200': jsonResponse({ type: 'object', description: 'The issue, its mapping and the plan inputs' }),
        ...errors({ 401: RUN_TOKEN_REFUSED, 501: [RUNNER_TOKENS_NOT_CONFIGURED] }),
      },
    },
  },
  '/trigger/gap-fill': {
    post: {
      operationId: 'triggerGapFill',
      tags: ['Triggers'],
      summary: 'Outside automation triggers a gap-fill run on an existing pull request',
      security: [{ gapFillBearer: [] }],
      requestBody: jsonBody(obj({ issueKey: str(), prNumber: { type: 'integer', minimum: 1 } })),
      responses: {
        '202': jsonResponse(
          obj({ accepted: bool(), jobId: str(), issueKey: str(), prNumber: int(), teamKey: str(), dispatchNumber: int() }),
          'Accepted: the gap-fill run was dispatched',
        ),
        ...errors(
          {
            400: ['issueKey and positive integer prNumber required'],
            401: ['unauthorized'],
            404: ['mapping_not_found'],
            423: ['project_paused'],
            501: [GAP_FILL_NOT_CONFIGURED],
            502: ['dispatch_failed'],
          },
          {
            423: { schema: ref('ProjectPausedError'), example: { teamKey: 'ENG' } },
            502: {
              schema: ref('DispatchFailedError'),
              example: { detail: 'workflow dispatch failed', dispatchStatus: 'launch_failed' },
            },
          },
        ),
      },
    },
  },
  '/api/token': {
    post: {
      operationId: 'sessionToken',
      tags: ['Session callbacks'],
      summary: 'A session requests a short-lived GitHub token against its one-time nonce',
      security: nonceOnly,
      'x-credential': 'nonce',
      description: 'Authenticated by the `nonce` in the body (see the `nonce` security scheme), not the admin token.',
      requestBody: jsonBody(obj({ nonce: str(), owner: str() })),
      responses: {
        '200': jsonResponse(obj({ token: str(), expiresAt: str('ISO 8601'), owner: str(), repo: str() })),
        ...errors({
          400: ['nonce and owner are required'],
          403: [SESSION_API_MESSAGES.badNonce, SESSION_API_MESSAGES.ownerMismatch],
          500: [SESSION_API_MESSAGES.tokenFailed],
        }),
      },
    },
  },
  '/api/status': {
    post: {
      operationId: 'sessionStatus',
      tags: ['Session callbacks'],
      summary: 'A session posts a lifecycle status event, which becomes a comment on the issue',
      security: nonceOnly,
      'x-credential': 'nonce',
      description:
        'Authenticated by the `nonce` in the body. Event fields: `pr_opened` prNumber, prUrl; `verification_failed` detail; `session_cleaned_up` durationMs; `session_failed`/`session_timed_out` reason.',
      requestBody: jsonBody(
        obj(
          {
            nonce: str(),
            event: str('A remote progress event type, e.g. session_created, pr_opened'),
            prNumber: int(),
            prUrl: str(),
            detail: str(),
            durationMs: int(),
            reason: str(),
            logsUrl: str('http(s) link to the machine logs'),
          },
          ['nonce', 'event'],
        ),
      ),
      responses: {
        '200': jsonResponse(obj({ ok: bool() })),
        ...errors({
          400: ['event is required', 'Invalid JSON body', 'nonce is required', 'Unknown event type: {type}'],
          403: [SESSION_API_MESSAGES.badNonce],
          500: ['Internal server error'],
        }),
      },
    },
  },
  '/api/step-report': {
    post: {
      operationId: 'sessionStepReport',
      tags: ['Session callbacks'],
      summary: 'A runner reports the status of a single pipeline step',
      security: nonceOnly,
      'x-credential': 'nonce',
      description: 'Authenticated by the `nonce` in the body.',
      requestBody: jsonBody(obj({ nonce: str(), step })),
      responses: {
        '200': jsonResponse(obj({ ok: bool() })),
        ...errors({
          400: ['nonce is required', 'Invalid JSON body', 'step is required', 'step.id is required and must be a string'],
          403: [SESSION_API_MESSAGES.badNonce],
          500: ['Internal server error'],
        }),
      },
    },
  },
  '/api/github/webhook': {
    post: {
      operationId: 'githubWebhook',
      tags: ['Webhooks'],
      summary: 'GitHub notifies the orchestrator of pull-request events',
      description: 'Events that do not match a merged pull request answer 200 `{ ok: true, ignored }`.',
      security: [{ githubSignature: [] }],
      requestBody: jsonBody({ type: 'object', description: 'A GitHub webhook payload (X-GitHub-Event names its kind)' }),
      responses: {
        '200': jsonResponse({ type: 'object', properties: { ok: bool() }, required: ['ok'] }),
        ...errors({
          400: ['Invalid JSON payload', MISSING_PR_FIELDS],
          401: [INVALID_SIGNATURE],
          502: ['(underlying error message)'],
          503: [WEBHOOK_DISABLED_MESSAGE],
        }),
      },
    },
  },
  '/webhooks/linear': {
    post: {
      operationId: 'linearWebhook',
      tags: ['Webhooks'],
      summary: 'Linear webhook receiver: processes issue and comment events (600 a minute)',
      security: [{ linearSignature: [] }],
      requestBody: jsonBody({ type: 'object', description: 'A Linear webhook payload, signed with its webhookTimestamp' }),
      responses: {
        '200': jsonResponse(
          obj({
            ok: bool(),
            reconciling: { oneOf: [arrayOf(str()), { type: 'string', enum: ['all', 'none'] }] },
          }),
        ),
        ...errors({
          400: ['Invalid JSON payload'],
          401: ['Missing webhook signature', '(signature verification message)'],
          429: ['Too many requests'],
          501: ['Linear webhook not configured'],
        }),
      },
    },
  },
};
