import { z } from 'zod';
import { isoTime, RunUsageView, UsageTotals } from './components.schema.js';

/**
 * The answers of the v1 issue-management routes (core/app/issues/issue-control.service.ts
 * `AttemptRow`, `EventRow`, `TransitionsRow`, `IssueDetail`, `AttemptDetail`). Stages, phases,
 * statuses and actions are the domain's words, documented as text.
 */

const text = z.string().nullable();

export const AttemptRow = z.object({
  id: z.string(),
  phase: z.string(),
  status: z.string(),
  dispatchNumber: z.number().int(),
  runner: z.string(),
  dispatchedAt: isoTime(),
  updatedAt: isoTime(),
  prUrl: text,
  error: text,
  timedOutReason: text,
  runUrl: text,
  usage: RunUsageView,
});

export const EventRow = z.object({
  type: z.string(),
  at: isoTime(),
  jobId: text,
  message: text,
  data: z.record(z.string(), z.unknown()).nullable(),
});

/** A step as the job's history keeps it (core/app/runs/step-history.service.ts `StepEntry`). */
export const StepEntry = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  started_at: isoTime(),
  finished_at: isoTime().optional(),
  output: z.unknown().optional().describe('Any JSON value the step produced'),
  source: z.enum(['progress', 'step-report']).describe('Which callback reported it'),
  receivedAt: z.number().int().describe('Epoch milliseconds'),
});

const TransitionOption = z.object({
  to: z.string(),
  action: z.string(),
  manual: z.boolean().describe('True when POST /api/v1/{id}/transition accepts it; the others happen when a run ends'),
});

export const TransitionsRow = z.object({
  id: z.string(),
  identifier: z.string(),
  teamKey: z.string(),
  stage: text,
  inFlightJobId: text,
  transitions: z.array(TransitionOption),
});

export const IssueDetail = TransitionsRow.extend({
  title: z.string(),
  url: z.string(),
  stageName: text,
  labels: z.array(z.string()),
  state: text,
  stateType: text,
  overrides: z.object({ model: text, template: text }),
  recentEvents: z.array(EventRow),
  attempts: z.array(AttemptRow),
  usage: UsageTotals.describe('Over the issue’s attempts; reported false: none reported any'),
});

export const AttemptDetail = AttemptRow.extend({
  issueId: z.string(),
  identifier: z.string(),
  teamKey: z.string(),
  owner: z.string(),
  repo: z.string(),
  runId: text,
  machineId: text,
  steps: z.array(StepEntry),
  events: z.array(EventRow),
});

export const TransitionOutcome = z.object({
  ok: z.literal(true),
  identifier: z.string(),
  from: text,
  to: z.string(),
  action: z.string(),
  jobId: text,
});
