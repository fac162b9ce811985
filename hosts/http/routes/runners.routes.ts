import { ok } from 'neverthrow';
import { z } from 'zod';
import { FLY_NOT_CONFIGURED } from '../../../core/app/operations/fly-sessions.js';
import type { RunnerModeService } from '../../../core/app/operations/runner-mode.service.js';
import type { SessionsService } from '../../../core/app/runs/sessions.service.js';
import { INVALID_RUNNER_MODE_MESSAGE, RUNNER_MODE_ENV_LOCKED_MESSAGE, RUNNER_MODES } from '../../../core/domain/runner-mode.js';
import { routesFor } from '../route.js';
import { millis } from '../schemas/components.schema.js';
import { pathParam } from '../schemas/params.schema.js';

export interface RunnersRoutesDeps {
  runnerMode: RunnerModeService;
  sessions: SessionsService;
}

const nullableText = z.string().nullable();
const RunnerModeView = z.object({
  mode: z.string(),
  stored: nullableText,
  effective: z.string(),
  source: z.enum(['env', 'stored', 'default']),
  envLocked: z.boolean(),
  env: nullableText,
});
/** A `SessionRow` of core/app/runs/sessions.service.ts. */
const SessionRow = z.object({
  machineId: z.string(),
  name: z.string(),
  state: z.string(),
  region: nullableText,
  startedAt: millis().nullable(),
  uptimeSeconds: z.number().nullable(),
  issueIdentifier: nullableText,
  repo: nullableText.describe('owner/repo'),
  jobId: nullableText,
});
const FAILED = { kind: 'requestFailed', message: '(underlying error message)' } as const;

const route = routesFor<RunnersRoutesDeps>();

/** Admin "Runners" and "Sessions": the runner-mode override and the live Fly sessions. */
export const runnersRoutes = [
  route({
    method: 'get',
    path: '/api/runner-mode',
    operationId: 'getRunnerMode',
    tag: 'Runners',
    summary: 'The runner-mode override and the mode in force',
    responses: { 200: RunnerModeView },
    handler: async (_input, { runnerMode }) => ok(await runnerMode.get()),
  }),
  route({
    method: 'post',
    path: '/api/runner-mode',
    operationId: 'setRunnerMode',
    tag: 'Runners',
    summary: 'Override the global runner execution mode',
    body: {
      schema: z.object({ mode: z.enum(RUNNER_MODES, { error: INVALID_RUNNER_MODE_MESSAGE }) }, { error: 'Invalid request body' }),
    },
    responses: { 200: RunnerModeView },
    errors: [
      { kind: 'invalidBody' },
      { kind: 'invalid', message: INVALID_RUNNER_MODE_MESSAGE },
      { kind: 'conflict', message: RUNNER_MODE_ENV_LOCKED_MESSAGE },
    ],
    handler: async ({ body }, { runnerMode }) => runnerMode.set(body),
  }),
  route({
    method: 'get',
    path: '/api/sessions',
    operationId: 'listSessions',
    tag: 'Runners',
    summary: 'Active Fly sessions (an empty list when Fly sessions are not configured)',
    responses: { 200: z.object({ sessions: z.array(SessionRow) }) },
    errors: [FAILED],
    handler: async (_input, { sessions }) => (await sessions.list()).map((rows) => ({ sessions: rows })),
  }),
  route({
    method: 'delete',
    path: '/api/sessions/:machineId',
    operationId: 'destroySession',
    tag: 'Runners',
    summary: 'Destroy a session and reset its issue',
    params: z.object({ machineId: pathParam('The Fly machine id') }),
    responses: {
      200: z.object({
        destroyed: z.boolean(),
        machineId: z.string(),
        jobId: nullableText,
        issueIdentifier: nullableText,
        issueReset: z.boolean().describe('The issue went back to Triggered'),
        dedupCleared: z.boolean().describe('The issue left the dedup window'),
      }),
    },
    errors: [FAILED, { kind: 'sessionNotFound' }, { kind: 'unavailable', message: FLY_NOT_CONFIGURED }],
    handler: ({ params }, { sessions }) => sessions.destroy(params.machineId),
  }),
];
