import type { Phase } from '../../domain/model.js';
import type { UsageReport } from '../../domain/usage.js';

/**
 * The bodies of the runner callbacks as the use cases receive them, and the spec's exact code or
 * message for each problem (error-codes-…txt, tables for POST /runner/result, /runner/progress,
 * /api/step-report). The routes' zod schemas (hosts/http/schemas/run-callbacks.schema.ts) check
 * the bodies with these codes, in the order a reader would expect: the body, then phase and
 * outcome, then comments, then the PR URL.
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
 *   timedOut?: boolean,                     // failure: the session stopped itself at maxJobMinutes
 *   usage?: RunUsageBody }                  // the run's total usage, when its agent reported any
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
  /** The run's total usage (issue 17); absent when the agent reported none. */
  usage?: UsageReport;
}

export type ResultBodyCode =
  | 'invalid_body'
  | 'invalid_phase'
  | 'invalid_outcome'
  | 'invalid_comments'
  | 'invalid_comment_shape'
  | 'missing_prUrl';

/** The required string fields of a step, in the order they are checked. */
type StepField = 'id' | 'type' | 'status' | 'started_at';

export type StepProblem = { kind: 'required' } | { kind: 'field'; field: StepField };

/** `/runner/progress` codes for a step problem. */
export function progressStepCode(problem: StepProblem): string {
  return problem.kind === 'required' ? 'step_required' : `invalid_step_${problem.field}`;
}

/** `/api/step-report` messages for a step problem. */
export function stepReportMessage(problem: StepProblem): string {
  return problem.kind === 'required' ? 'step is required' : `step.${problem.field} is required and must be a string`;
}
