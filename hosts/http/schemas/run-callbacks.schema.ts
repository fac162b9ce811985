import { z } from 'zod';
import type { ResultBodyCode, StepProblem } from '../../../core/app/runs/run-callback-bodies.js';
import { PROGRESS_EVENT_TYPES } from '../../../core/domain/comments.js';

/**
 * The bodies runners and sessions send (error-codes-…txt, tables for POST /runner/result,
 * /runner/progress, /api/step-report, /api/status). Each required field carries the spec's code
 * or message as its zod error, and zod reports fields in the order declared here, so the first
 * issue is the answer: the body, then phase and outcome, then comments, then the PR URL. Optional
 * fields of the wrong type are ignored (`.catch`), so a report never fails on a detail.
 */

const code = (c: ResultBodyCode) => ({ error: c });

const tokens = z.number().int().nonnegative().default(0);
/**
 * A run's usage so far (issue 17), cumulative, with Claude Code's token kinds; `costUsd` when
 * the agent said it (else the orchestrator prices the tokens by model). Optional everywhere: a
 * session that predates it, or an agent that reports nothing, sends none, and a malformed one is
 * dropped rather than failing the report.
 */
export const UsageBodySchema = z
  .object({
    inputTokens: tokens,
    outputTokens: tokens,
    cacheReadTokens: tokens,
    cacheCreationTokens: tokens,
    costUsd: z.number().nonnegative().optional(),
    turns: z.number().int().nonnegative().optional(),
    model: z.string().min(1).max(200).optional(),
  })
  .meta({ id: 'RunUsage' });

const optionalUsage = UsageBodySchema.optional().catch(undefined).describe('The run’s usage so far (tokens, dollars)');
const httpUrl = z.string().regex(/^https?:\/\/\S+$/);
/** Text with something in it, else nothing. */
const someText = z.string().min(1).optional().catch(undefined);

export const ResultBodySchema = z
  .object(
    {
      phase: z.enum(['planning', 'implementation', 'gap-analysis'], code('invalid_phase')),
      outcome: z.enum(['success', 'failure'], code('invalid_outcome')),
      comments: z.array(
        z.object({ body: z.string(code('invalid_comment_shape')) }, code('invalid_comment_shape')),
        code('invalid_comments'),
      ),
      prUrl: httpUrl.optional().catch(undefined).describe('Required for a successful implementation'),
      prNumber: z.number().int().min(1).optional().catch(undefined),
      reviewApproved: z.boolean().optional().catch(undefined).describe('false: the post-push review flagged blockers'),
      timedOut: z.boolean().optional().catch(undefined).describe('Only with outcome failure'),
      error: someText.describe('Failure context'),
      plan: someText,
      log: someText,
      usage: optionalUsage,
    },
    code('invalid_body'),
  )
  .refine((b) => !(b.phase === 'implementation' && b.outcome === 'success' && !b.prUrl), code('missing_prUrl'))
  // A run that passed its time budget ends `timed_out`; only a failure can say so.
  .transform(({ timedOut, ...body }) => (body.outcome === 'failure' && timedOut === true ? { ...body, timedOut } : body));

/**
 * `POST /runner/progress`: `{ step, usage? }`. A report of usage alone (`{ usage }`, sent while
 * one step's agent is spending) records no step; a body with neither is `step_required`.
 */
export function progressBodySchema(message: (problem: StepProblem) => string) {
  return z
    .object({ step: stepSchema(message).optional(), usage: optionalUsage })
    .refine((b) => b.step !== undefined || b.usage !== undefined, { error: message({ kind: 'required' }) });
}

/** A step report `{ id, type, status, started_at }`, each problem worded by `message`. */
export function stepSchema(message: (problem: StepProblem) => string) {
  const field = (name: 'id' | 'type' | 'status' | 'started_at') => z.string({ error: message({ kind: 'field', field: name }) });
  return z.object(
    {
      id: field('id'),
      type: field('type'),
      status: field('status'),
      started_at: field('started_at').describe('ISO 8601'),
      finished_at: z.string().optional().catch(undefined).describe('ISO 8601'),
      output: z.unknown().optional().describe('Any JSON value the step produced'),
    },
    { error: message({ kind: 'required' }) },
  );
}

/** A count a session may send as a number or digits; anything else reads as 0 later. */
const count = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+$/).transform(Number)])
  .optional()
  .catch(undefined);

/**
 * `POST /api/status`: `{ nonce, event, … }` and the fields each event uses: `pr_opened`
 * `prNumber`, `prUrl`; `verification_failed` `detail`; `session_cleaned_up` `durationMs`;
 * `session_failed` and `session_timed_out` `reason`.
 */
export const StatusBodySchema = z.object(
  {
    nonce: z.string({ error: 'nonce is required' }),
    event: z.enum(PROGRESS_EVENT_TYPES, {
      error: (issue) => (typeof issue.input === 'string' ? `Unknown event type: ${issue.input}` : 'event is required'),
    }),
    prNumber: count,
    prUrl: someText,
    detail: someText,
    durationMs: count,
    reason: someText,
    logsUrl: httpUrl.optional().catch(undefined).describe('http(s) link to the machine logs'),
  },
  { error: 'nonce is required' },
);
