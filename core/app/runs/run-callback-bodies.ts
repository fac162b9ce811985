import { err, ok, type Result } from 'neverthrow';
import type { StepReport } from '../../../ports/pipeline.port.js';
import { isPlainObject } from '../../domain/mappings.js';
import type { Phase } from '../../domain/model.js';

/**
 * The bodies of the runner callbacks, checked field by field so each problem answers with the
 * spec's exact code (error-codes-…txt, tables for POST /runner/result, /runner/progress,
 * /api/step-report). The spec's tables list codes alphabetically; the checks run in the order
 * a reader would expect: the body, then phase and outcome, then comments, then the PR URL.
 */

/**
 * `POST /runner/result`:
 * ```
 * { phase: 'planning'|'implementation'|'gap-analysis', outcome: 'success'|'failure',
 *   comments: [{ body: string }],           // posted on the ticket, redacted
 *   prUrl?: string, prNumber?: number,      // required (prUrl) on a successful implementation
 *   error?: string,                         // the failure reason ("⚠️ … failed: {reason}")
 *   reviewApproved?: boolean,               // false: the post-push review flagged blockers
 *   plan?: string,                          // planning: the plan for the implementation run
 *   log?: string,                           // the log tail for the excerpt on a failure
 *   timedOut?: boolean }                    // failure: the session stopped itself at maxJobMinutes
 * ```
 * Optional fields of the wrong type are ignored; a `prUrl` that is not an http(s) URL counts
 * as missing.
 */
export interface ResultBody {
  phase: Phase;
  outcome: 'success' | 'failure';
  comments: { body: string }[];
  prUrl?: string;
  prNumber?: number;
  error?: string;
  reviewApproved?: boolean;
  plan?: string;
  log?: string;
  /** A failure because the run passed its time budget: the job ends `timed_out`, not `failed`. */
  timedOut?: boolean;
}

export type ResultBodyCode =
  | 'invalid_body'
  | 'invalid_phase'
  | 'invalid_outcome'
  | 'invalid_comments'
  | 'invalid_comment_shape'
  | 'missing_prUrl';

const PHASES: readonly string[] = ['planning', 'implementation', 'gap-analysis'];
const isHttpUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);
const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function parseResultBody(body: unknown): Result<ResultBody, ResultBodyCode> {
  if (!isPlainObject(body)) return err('invalid_body');
  const { phase, outcome, comments } = body;
  if (typeof phase !== 'string' || !PHASES.includes(phase)) return err('invalid_phase');
  if (outcome !== 'success' && outcome !== 'failure') return err('invalid_outcome');
  if (!Array.isArray(comments)) return err('invalid_comments');
  for (const c of comments) if (!isPlainObject(c) || typeof c.body !== 'string') return err('invalid_comment_shape');
  const parsed: ResultBody = {
    phase: phase as Phase,
    outcome,
    comments: comments.map((c) => ({ body: (c as { body: string }).body })),
  };
  if (isHttpUrl(body.prUrl)) parsed.prUrl = body.prUrl;
  if (phase === 'implementation' && outcome === 'success' && !parsed.prUrl) return err('missing_prUrl');
  if (typeof body.prNumber === 'number' && Number.isSafeInteger(body.prNumber) && body.prNumber > 0)
    parsed.prNumber = body.prNumber;
  if (typeof body.reviewApproved === 'boolean') parsed.reviewApproved = body.reviewApproved;
  if (outcome === 'failure' && body.timedOut === true) parsed.timedOut = true;
  const error = optionalString(body.error);
  const plan = optionalString(body.plan);
  const log = optionalString(body.log);
  if (error) parsed.error = error;
  if (plan) parsed.plan = plan;
  if (log) parsed.log = log;
  return ok(parsed);
}

/** The required string fields of a step, in the order they are checked. */
const STEP_FIELDS = ['id', 'type', 'status', 'started_at'] as const;
type StepField = (typeof STEP_FIELDS)[number];

export type StepProblem = { kind: 'required' } | { kind: 'field'; field: StepField };

/** A step report: `{ id, type, status, started_at }` strings, optional `finished_at` and `output`. */
export function parseStep(step: unknown): Result<StepReport, StepProblem> {
  if (!isPlainObject(step)) return err({ kind: 'required' });
  for (const field of STEP_FIELDS) if (typeof step[field] !== 'string') return err({ kind: 'field', field });
  const report: StepReport = {
    id: step.id as string,
    type: step.type as string,
    status: step.status as string,
    started_at: step.started_at as string,
  };
  if (typeof step.finished_at === 'string') report.finished_at = step.finished_at;
  if (step.output !== undefined) report.output = step.output;
  return ok(report);
}

/** `/runner/progress` codes for a step problem. */
export function progressStepCode(problem: StepProblem): string {
  return problem.kind === 'required' ? 'step_required' : `invalid_step_${problem.field}`;
}

/** `/api/step-report` messages for a step problem. */
export function stepReportMessage(problem: StepProblem): string {
  return problem.kind === 'required' ? 'step is required' : `step.${problem.field} is required and must be a string`;
}
