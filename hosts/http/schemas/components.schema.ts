import { z } from 'zod';
import type { ExecutionMode, Provider, SessionMode, TicketingKind } from '../../../core/domain/model.js';

/**
 * Schemas several routes answer with, each named once (`meta({ id })`): the document lists them
 * under components and the routes `$ref` them. The error bodies are the table's (errors.ts).
 */

/** Epoch milliseconds, as every timestamp of the JSON API. */
export const millis = () => z.number().int().describe('Epoch milliseconds');
export const isoTime = () => z.string().describe('ISO 8601');

/**
 * An object the document does not detail. Typed as any object, so a use case's interface fits
 * it (an interface has no index signature for `looseObject({})`'s input type to accept).
 */
export const someObject = (description?: string): z.ZodType<object> => {
  const schema = z.looseObject({});
  return description ? schema.describe(description) : schema;
};

export const ErrorBody = z
  .object({ error: z.string().describe('The spec’s exact message, or a slug code for /runner/* and /trigger/gap-fill') })
  .meta({ id: 'Error' });

export const ProjectPausedError = z
  .object({ error: z.enum(['project_paused']), teamKey: z.string() })
  .meta({ id: 'ProjectPausedError' });

export const DispatchFailedError = z
  .object({
    error: z.enum(['dispatch_failed']),
    detail: z.string(),
    dispatchStatus: z.enum(['issue_unavailable', 'runner_missing', 'launch_failed']),
  })
  .meta({ id: 'DispatchFailedError' });

export const NotDeleted = z
  .object({ deleted: z.literal(false) })
  .meta({ id: 'NotDeleted', description: 'No such mapping: `{ "deleted": false }`, no error field' });

const TICKETING: readonly TicketingKind[] = ['linear', 'jira', 'github', 'local'];
const EXECUTION: readonly ExecutionMode[] = ['github-actions', 'fly-machines'];
const SESSION: readonly SessionMode[] = ['autonomous', 'interactive', 'hybrid'];
const PROVIDER: readonly Provider[] = ['anthropic', 'bedrock'];

/**
 * A project mapping (core/domain/model.ts `Mapping`). Only teamKey, owner and repo are required:
 * the same shape is the body of `POST /api/mappings`, where the rest default.
 */
export const MappingSchema = z
  .object({
    teamKey: z.string().describe('Linear team key, Jira project key, or local tracker team key'),
    ticketing: z.enum(TICKETING as [TicketingKind, ...TicketingKind[]]).optional(),
    jql: z.string().describe('Jira only').optional(),
    repoFieldValue: z.string().describe('Jira only').optional(),
    issuesRepo: z.string().describe('GitHub Issues only: another repository of the owner that holds the issues').optional(),
    forge: z.string().optional(),
    owner: z.string(),
    repo: z.string(),
    workflowFile: z.string().optional(),
    defaultBranch: z.string().optional(),
    branchPrefix: z.string().optional(),
    maxInProgressAiIssues: z.number().int().min(1).optional(),
    executionMode: z.enum(EXECUTION as [ExecutionMode, ...ExecutionMode[]]).optional(),
    sessionMode: z.enum(SESSION as [SessionMode, ...SessionMode[]]).optional(),
    machineCpus: z.number().int().min(1).optional(),
    machineMemoryMb: z.number().int().min(256).optional(),
    planningEnabled: z.boolean().optional(),
    planningWorkflowFile: z.string().optional(),
    autoApprovePlans: z.boolean().optional(),
    provider: z.enum(PROVIDER as [Provider, ...Provider[]]).optional(),
    awsRegion: z.string().optional(),
    extraEnv: z.record(z.string(), z.string()).optional(),
    promptTemplate: z
      .string()
      .describe(
        'A prompt template id (`/api/v1/templates`): the session’s prompt unless the issue overrides it; null or blank clears it',
      )
      .nullable()
      .optional(),
    paused: z.boolean().optional(),
    maxTurns: z.number().int().optional(),
    maxIterations: z.number().int().optional(),
    maxJobMinutes: z.number().int().optional(),
    maxCostUsd: z.number().positive().nullable().optional().describe('Per run: the agent stops at this many dollars'),
    maxTokens: z.number().int().positive().nullable().optional().describe('Per run: the agent stops at this many tokens'),
    dailyBudgetUsd: z
      .number()
      .positive()
      .nullable()
      .optional()
      .describe('Per team per UTC day: past it the team’s next dispatch waits (blocker `budget`)'),
    createdAt: millis().optional(),
    updatedAt: millis().optional(),
  })
  .meta({ id: 'Mapping' });

/** A run's usage as the views show it (core/app/usage/usage-view.ts); null: not reported. */
export const RunUsageView = z
  .object({
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    cacheReadTokens: z.number().int(),
    cacheCreationTokens: z.number().int(),
    totalTokens: z.number().int(),
    costUsd: z.number().nullable().describe('Dollars; null when the model had no price'),
    model: z.string().nullable(),
    turns: z.number().int().nullable(),
    final: z.boolean().describe('True once the run’s result carried its total'),
    stoppedByBudget: z.boolean(),
  })
  .nullable()
  .describe('Tokens and dollars the run reported; null: not reported (never zero)')
  .meta({ id: 'RunUsageView' });

/** A job as the state views list it (core/app/views/state.service.ts). */
export const JobRow = z
  .object({
    jobId: z.string(),
    issueId: z.string(),
    identifier: z.string(),
    teamKey: z.string(),
    owner: z.string().optional(),
    repo: z.string().optional(),
    phase: z.string().optional(),
    status: z.string(),
    runner: z.string().optional(),
    dispatchNumber: z.number().int().optional(),
    dispatchedAt: millis(),
    durationSeconds: z.number().optional(),
    finishedAt: millis().optional(),
    runUrl: z.string().optional(),
    prUrl: z.string().optional(),
    prNumber: z.number().int().optional(),
    error: z.string().optional(),
    timedOutReason: z.string().optional(),
    note: z.string().optional().describe('A dry run (shadow mode) says so here'),
    usage: RunUsageView.optional(),
  })
  .meta({ id: 'JobRow' });

/** One outside connection as its request governor sees it (ports/connection-health.port.ts). */
export const ConnectionStatusSchema = z
  .object({
    service: z.string(),
    id: z.string().describe('The base URL and a digest of the credential, never the credential'),
    baseUrl: z.string(),
    state: z.enum(['ok', 'limited', 'backoff', 'open']),
    until: millis().optional().describe('limited/backoff: no request before this; open: the next probe'),
    since: millis().optional().describe('open: since when'),
    consecutiveFailures: z.number().int(),
    remaining: z.number().int().optional(),
    resetAt: millis().optional(),
  })
  .meta({ id: 'ConnectionStatus' });

/** Token and dollar totals over several runs; `reported` false: none reported any (the zeros are not estimates). */
export const UsageTotals = z.object({
  input: z.number().int(),
  output: z.number().int(),
  cacheRead: z.number().int(),
  cacheCreation: z.number().int(),
  total: z.number().int(),
  costUsd: z.number(),
  reported: z.boolean(),
});

export const StateView = z
  .object({
    generatedAt: millis(),
    counts: z.object({
      queued: z.number().int(),
      running: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
    }),
    queued: z
      .array(
        z.object({
          issueId: z.string(),
          identifier: z.string(),
          title: z.string(),
          teamKey: z.string(),
          priority: z.number().int(),
          url: z.string(),
          reason: z.string(),
          message: z.string(),
        }),
      )
      .describe('Eligible issues the last reconcile plan held back, with the planner’s reason'),
    running: z.array(JobRow),
    completed: z.array(JobRow),
    failed: z.array(JobRow),
    connections: z
      .array(ConnectionStatusSchema)
      .describe('Every outside connection: ok, limited until T, backing off, or circuit open since T'),
    mappings: z.array(
      z.object({
        teamKey: z.string(),
        ticketing: z.string(),
        paused: z.boolean(),
        inProgress: z.number().int(),
        cap: z.number().int(),
      }),
    ),
    lastReconcile: z
      .object({
        startedAt: millis().optional(),
        finishedAt: millis().optional(),
        durationMs: z.number().int().optional(),
        dispatched: z.number().int().optional(),
        errors: z.record(z.string(), z.string()).optional(),
      })
      .nullable(),
    tokens: UsageTotals.describe('Totals of the jobs listed; reported false: none reported any (the zeros are not estimates)'),
  })
  .meta({ id: 'StateView' });

/** An issue of the embedded tracker (adapters/ticketing/local). */
export const TrackerIssue = z
  .object({
    id: z.string().optional(),
    identifier: z.string(),
    title: z.string(),
    description: z.string().optional(),
    priority: z.number().int().optional(),
    labels: z.array(z.string()).optional(),
    url: z.string().optional(),
    comments: z
      .array(z.object({ id: z.string(), body: z.string(), createdAt: z.number().int().describe('Epoch milliseconds') }))
      .optional()
      .describe('The ticket’s comments, oldest first (the admin’s issue view reads them here)'),
  })
  .meta({ id: 'TrackerIssue' });

/** Every component the document lists even when no route names it (the error table's bodies). */
export const COMPONENTS: readonly z.ZodType[] = [ErrorBody, ProjectPausedError, DispatchFailedError, NotDeleted];
