import { z } from 'zod';
import { FLY_NOT_CONFIGURED } from '../../../core/app/operations/fly-sessions.js';
import { JIRA_NOT_CONFIGURED } from '../../../adapters/ticketing/jira/jira-admin.service.js';
import { LoginBody } from '../routes/auth.routes.js';
import {
  arrayOf,
  bool,
  errors,
  int,
  jsonBody,
  jsonResponse,
  millis,
  obj,
  type Paths,
  pathParam,
  queryParam,
  ref,
  str,
} from './openapi-builders.js';

/**
 * The admin API behind the admin UI (error tables "Admin API"). The admin guard's 401
 * `Unauthorized` and its 404 while the admin is disabled are added to each of these by
 * openapi-document.ts from the guard's own path classes, not repeated here.
 */

const teamKey = pathParam('teamKey', 'The mapping’s team key (Linear team, Jira project or local team)');

const MAPPING_SAVE_ERRORS = [
  'defaultBranch is required',
  'Invalid request body',
  'teamKey, owner, and repo are required',
  "awsRegion is required when provider is 'bedrock'",
  "provider 'bedrock' is not supported with executionMode 'fly-machines'",
  "provider must be 'anthropic' or 'bedrock'",
  "executionMode must be 'github-actions' or 'fly-machines'",
  'machineCpus must be a positive integer',
  'machineMemoryMb must be an integer >= 256',
  "sessionMode must be 'autonomous', 'interactive', or 'hybrid'",
  'branchPrefix invalid: {detail}',
  'extraEnv must be a plain object',
  'extraEnv values must all be strings',
  'maxInProgressAiIssues must be a positive integer',
  'planningWorkflowFile is required when planningEnabled is true',
  '(ticketing validation message)',
];

const settingView = obj({
  runtime: { type: 'string', nullable: true },
  stored: { type: 'string', nullable: true },
  source: str(),
  envOverride: bool(),
  envVar: str(),
});
const runnerModeView = obj({
  mode: str(),
  stored: { type: 'string', nullable: true },
  effective: str(),
  source: { type: 'string', enum: ['env', 'stored', 'default'] },
  envLocked: bool(),
  env: { type: 'string', nullable: true },
});
const entries = obj({ entries: arrayOf({ type: 'object' }) });
const nullableStr = { type: 'string', nullable: true };
const issueRow = obj(
  {
    id: str(),
    identifier: str(),
    title: str(),
    teamKey: str(),
    url: str(),
    stage: str(),
    stageName: str(),
    state: nullableStr,
    stateName: nullableStr,
    labels: arrayOf(str()),
    priority: int(),
    createdAt: str('ISO 8601'),
    planningPending: bool(),
    readyForImplementation: bool(),
    activeJob: { ...obj({ id: str(), phase: str(), status: str() }), nullable: true },
  },
  ['id', 'identifier', 'title', 'teamKey', 'labels', 'activeJob'],
);
const blockerRow = obj({
  issueId: str(),
  identifier: str(),
  title: str(),
  teamKey: str(),
  mapping: str(),
  reason: { type: 'string', enum: ['concurrency', 'dedup', 'no-mapping'] },
  message: str(),
  url: str(),
});

export const adminPaths: Paths = {
  '/api/auth': {
    post: {
      operationId: 'login',
      tags: ['Admin auth'],
      summary: 'Exchange the admin access code for a bearer token valid 24 hours',
      description: 'The only admin endpoint without a bearer token. `accessCode` is accepted for earlier clients.',
      requestBody: jsonBody(z.toJSONSchema(LoginBody, { io: 'input', target: 'openapi-3.0' }) as Record<string, unknown>),
      responses: {
        '200': jsonResponse(obj({ token: str(), expiresAt: str('ISO 8601') })),
        ...errors({ 400: ['Invalid request body'], 403: ['Invalid access code'] }),
      },
    },
  },
  '/api/mappings': {
    get: {
      operationId: 'listMappings',
      tags: ['Projects'],
      summary: 'List project mappings',
      responses: { '200': jsonResponse(obj({ mappings: arrayOf(ref('Mapping')) })) },
    },
    post: {
      operationId: 'saveMapping',
      tags: ['Projects'],
      summary: 'Create or update a project mapping',
      requestBody: jsonBody({ ...ref('Mapping'), description: 'teamKey, owner and repo are required; the rest default' }),
      responses: {
        '200': jsonResponse(obj({ mapping: ref('Mapping') })),
        ...errors({ 400: MAPPING_SAVE_ERRORS }),
      },
    },
  },
  '/api/mappings/{teamKey}': {
    patch: {
      operationId: 'patchMapping',
      tags: ['Projects'],
      summary: 'Change a mapping’s concurrency cap or paused state (one of them)',
      parameters: [teamKey],
      requestBody: jsonBody(obj({ paused: bool(), maxInProgressAiIssues: { type: 'integer', minimum: 1 } }, [])),
      responses: {
        '200': jsonResponse(obj({ mapping: ref('Mapping') })),
        ...errors({
          400: [
            'Invalid request body',
            'maxInProgressAiIssues must be a positive integer',
            'Specify either paused or maxInProgressAiIssues, not both',
            'Specify either paused or maxInProgressAiIssues',
          ],
          404: ['Team not found'],
        }),
      },
    },
    delete: {
      operationId: 'deleteMapping',
      tags: ['Projects'],
      summary: 'Remove a mapping',
      parameters: [teamKey],
      responses: {
        '200': jsonResponse(obj({ deleted: { type: 'boolean', enum: [true] } })),
        '404': jsonResponse(
          obj({ deleted: { type: 'boolean', enum: [false] } }),
          'No such mapping: `{ "deleted": false }`, no error field',
        ),
      },
    },
  },
  '/api/mappings/{teamKey}/sync-workflows': {
    post: {
      operationId: 'syncWorkflows',
      tags: ['Projects'],
      summary: 'Re-sync workflow templates into the mapping’s repository',
      parameters: [teamKey],
      responses: {
        '200': jsonResponse({ type: 'object', properties: { synced: bool() }, required: ['synced'] }),
        ...errors({ 404: ['Team not found'], 500: ['(underlying error message)'] }),
      },
    },
  },
  '/api/issues': {
    get: {
      operationId: 'listIssues',
      tags: ['Issues'],
      summary: 'List tracked issues',
      responses: {
        '200': jsonResponse(
          obj({ issues: arrayOf(issueRow), inProgress: arrayOf(obj({ teamKey: str(), count: int(), cap: int() })) }),
        ),
        ...errors({ 502: ['(underlying error message)'] }),
      },
    },
  },
  '/api/blockers': {
    get: {
      operationId: 'listBlockers',
      tags: ['Issues'],
      summary: 'List issues currently blocked from dispatch, with the reason',
      responses: {
        '200': jsonResponse(
          obj({
            kpis: obj({ totalBlocked: int(), teamsAffected: int(), blockedByConcurrency: int(), blockedByDedup: int() }),
            blockers: arrayOf(blockerRow),
          }),
        ),
        ...errors({ 502: ['(underlying error message)'] }),
      },
    },
  },
  '/api/jobs/{jobId}/steps': {
    get: {
      operationId: 'jobSteps',
      tags: ['Issues'],
      summary: 'A job’s step history',
      parameters: [pathParam('jobId', 'The job id')],
      responses: {
        '200': jsonResponse(
          obj({ jobId: str(), steps: arrayOf({ type: 'object', description: 'A step report as the runner sent it' }) }),
        ),
        ...errors({ 404: ['job not found'] }),
      },
    },
  },
  '/api/log': {
    get: {
      operationId: 'dispatchLog',
      tags: ['Dispatch log'],
      summary: 'The dispatch log (audit of every dispatch)',
      responses: { '200': jsonResponse(entries) },
    },
  },
  '/api/dedup': {
    get: {
      operationId: 'dedupEntries',
      tags: ['Dispatch log'],
      summary: 'Issues inside the 24-hour dedup window',
      responses: { '200': jsonResponse(entries) },
    },
  },
  '/api/dedup/{issueId}': {
    delete: {
      operationId: 'removeDedup',
      tags: ['Dispatch log'],
      summary: 'Take an issue out of the dedup window so the next poll may dispatch it',
      parameters: [pathParam('issueId', 'The issue id')],
      responses: { '200': jsonResponse(obj({ removed: bool() })), ...errors({ 404: ['Not found'] }) },
    },
  },
  '/api/runner-mode': {
    get: {
      operationId: 'getRunnerMode',
      tags: ['Runners'],
      summary: 'The runner-mode override and the mode in force',
      responses: { '200': jsonResponse(runnerModeView) },
    },
    post: {
      operationId: 'setRunnerMode',
      tags: ['Runners'],
      summary: 'Override the global runner execution mode',
      requestBody: jsonBody(obj({ mode: { type: 'string', enum: ['default', 'gha', 'fly', 'local', 'shadow'] } })),
      responses: {
        '200': jsonResponse(runnerModeView),
        ...errors({
          400: ['Invalid request body', 'mode must be one of: default, gha, fly, local, shadow'],
          409: ['RUNNER_MODE env var is set; persisted to DB but has no effect at runtime until the env var is unset'],
        }),
      },
    },
  },
  '/api/sessions': {
    get: {
      operationId: 'listSessions',
      tags: ['Runners'],
      summary: 'Active Fly sessions (an empty list when Fly sessions are not configured)',
      responses: {
        '200': jsonResponse(
          obj({
            sessions: arrayOf(
              obj({
                machineId: str(),
                name: str(),
                state: str(),
                region: nullableStr,
                startedAt: { ...millis(), nullable: true },
                uptimeSeconds: { type: 'number', nullable: true },
                issueIdentifier: nullableStr,
                repo: { ...str('owner/repo'), nullable: true },
                jobId: nullableStr,
              }),
            ),
          }),
        ),
        ...errors({ 500: ['(underlying error message)'] }),
      },
    },
  },
  '/api/sessions/{machineId}': {
    delete: {
      operationId: 'destroySession',
      tags: ['Runners'],
      summary: 'Destroy a session and reset its issue',
      parameters: [pathParam('machineId', 'The Fly machine id')],
      responses: {
        '200': jsonResponse(
          obj({
            destroyed: bool(),
            machineId: str(),
            jobId: nullableStr,
            issueIdentifier: nullableStr,
            issueReset: bool('The issue went back to Triggered'),
            dedupCleared: bool('The issue left the dedup window'),
          }),
        ),
        ...errors({ 500: ['(underlying error message)'], 503: [FLY_NOT_CONFIGURED] }),
      },
    },
  },
  '/api/settings': {
    get: {
      operationId: 'getSettings',
      tags: ['Settings'],
      summary: 'flySessionsApp and flySessionsRegion, each with its environment override',
      responses: { '200': jsonResponse(obj({ settings: { type: 'object', additionalProperties: settingView } })) },
    },
    post: {
      operationId: 'updateSettings',
      tags: ['Settings'],
      summary: 'Save the settings named in the body (null or "" clears one)',
      requestBody: jsonBody(
        obj({ flySessionsApp: { type: 'string', nullable: true }, flySessionsRegion: { type: 'string', nullable: true } }, []),
      ),
      responses: {
        '200': jsonResponse(obj({ settings: { type: 'object', additionalProperties: settingView } })),
        ...errors({
          400: [
            'Invalid request body',
            'Specify flySessionsApp or flySessionsRegion',
            'flySessionsApp must be a Fly app name (lowercase letters, digits and dashes)',
            'flySessionsRegion must be a Fly region code (three lowercase letters, e.g. ord)',
          ],
        }),
      },
    },
  },
  '/api/admin/template-status': {
    get: {
      operationId: 'templateStatus',
      tags: ['Overview'],
      summary: 'Whether each mapped repository’s workflow templates are current',
      responses: { '200': jsonResponse({ type: 'object' }) },
    },
  },
  '/api/admin/config-status': {
    get: {
      operationId: 'configStatus',
      tags: ['Overview'],
      summary: 'Which connections are configured (ticketing, runner callback, gap-fill, webhook, GitHub)',
      responses: {
        '200': jsonResponse(
          obj({
            ok: bool(),
            checks: arrayOf(obj({ key: str(), name: str(), ok: bool(), detail: str('What is set or missing; never a value') })),
            ticketing: { type: 'object', additionalProperties: obj({ configured: bool(), mappings: int() }) },
          }),
        ),
      },
    },
  },
  '/api/pipelines-steps': {
    get: {
      operationId: 'pipelinesSteps',
      tags: ['Pipelines'],
      summary: 'Every pipeline with its steps, and every step module with its status',
      responses: { '200': jsonResponse(obj({ pipelines: arrayOf({ type: 'object' }), steps: arrayOf({ type: 'object' }) })) },
    },
  },
  '/api/customizations': {
    get: {
      operationId: 'customizations',
      tags: ['Pipelines'],
      summary: 'Every file under custom/ as it is now',
      responses: { '200': jsonResponse(obj({ customizations: arrayOf({ type: 'object' }) })) },
    },
  },
  '/api/pulls': {
    get: {
      operationId: 'listPulls',
      tags: ['Pull requests'],
      summary: 'Pull requests opened by runs',
      responses: {
        '200': jsonResponse(
          obj({
            pulls: arrayOf(
              obj(
                {
                  owner: str(),
                  repo: str(),
                  repository: str(),
                  number: int(),
                  url: str(),
                  branch: nullableStr,
                  issue: obj({ id: str(), identifier: str(), url: nullableStr }),
                  teamKey: str(),
                  job: obj({ id: str(), phase: str(), status: nullableStr, runUrl: nullableStr }),
                  status: { type: 'string', enum: ['running', 'completed', 'failed', 'review_failed', 'unknown'] },
                  iteration: int(),
                  lastDispatchAt: str('ISO 8601'),
                  secondsSinceLastDispatch: { type: 'number' },
                  merged: bool(),
                  mergedAt: nullableStr,
                  links: { type: 'object' },
                },
                ['number', 'url', 'issue', 'status', 'merged'],
              ),
            ),
          }),
        ),
      },
    },
  },
  '/api/reaper/summary': {
    get: {
      operationId: 'reaperSummary',
      tags: ['Reaper'],
      summary: 'The reaper’s 24-hour counts by rule',
      responses: {
        '200': jsonResponse(
          obj({
            windowHours: int(),
            since: millis(),
            total: int(),
            destroyed: int(),
            dryRun: int(),
            byRule: { type: 'object', additionalProperties: int() },
          }),
        ),
      },
    },
  },
  '/api/reaper/recent': {
    get: {
      operationId: 'reaperRecent',
      tags: ['Reaper'],
      summary: 'The reaper’s latest actions',
      parameters: [queryParam('limit', 'How many (1–1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 })],
      responses: {
        '200': jsonResponse(
          obj({
            actions: arrayOf(
              obj(
                {
                  at: millis(),
                  rule: str(),
                  runner: str(),
                  machineId: str(),
                  tenant: { type: 'string', nullable: true },
                  issue: { type: 'string', nullable: true },
                  jobId: { type: 'string', nullable: true },
                  ageSeconds: { type: 'number' },
                  action: { type: 'string', enum: ['dry-run', 'destroyed'] },
                },
                ['at', 'rule', 'machineId', 'action'],
              ),
            ),
          }),
        ),
      },
    },
  },
  '/api/jira/validate-jql': {
    post: {
      operationId: 'validateJql',
      tags: ['Jira'],
      summary: 'Validate a JQL clause',
      requestBody: jsonBody(obj({ jql: str() })),
      responses: {
        '200': jsonResponse({ type: 'object' }),
        ...errors({
          400: ['Invalid JSON body', 'jql field required', '(validation message)'],
          500: ['(underlying error message)'],
          501: [JIRA_NOT_CONFIGURED],
        }),
      },
    },
  },
  '/api/jira/fields': {
    get: {
      operationId: 'jiraFields',
      tags: ['Jira'],
      summary: 'List Jira fields',
      responses: {
        '200': jsonResponse(obj({ fields: arrayOf({ type: 'object' }) })),
        ...errors({ 500: ['(underlying error message)'], 501: [JIRA_NOT_CONFIGURED] }),
      },
    },
  },
  '/api/jira/field-options': {
    get: {
      operationId: 'jiraFieldOptions',
      tags: ['Jira'],
      summary: 'The options of a Jira field (an empty list when it has none)',
      parameters: [queryParam('fieldId', 'The Jira field id', { type: 'string' }, true)],
      responses: {
        '200': jsonResponse(obj({ options: arrayOf({ type: 'object' }) })),
        ...errors({
          400: ['fieldId query param required'],
          500: ['(underlying error message)'],
          501: [JIRA_NOT_CONFIGURED],
        }),
      },
    },
  },
};
