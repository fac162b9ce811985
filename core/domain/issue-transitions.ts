import { isTerminal } from './job-status.js';
import { AI_LABELS, issueEventForFinishedJob, TRIGGER_LABEL } from './lifecycle.js';
import type { Job, Stage, TicketingKind } from './model.js';

/**
 * The operator's view of the issue lifecycle (core/lifecycle.ts) for `GET /api/v1/transitions`
 * and `POST /api/v1/:id/transition`: from a stage, which moves exist and which of them an
 * operator may make by hand. Pure: everything arrives as arguments.
 */

/** How a move happens: a dispatch, a plan approval, a retry, an abort, or a run's own outcome. */
export type TransitionAction = 'dispatch' | 'approve' | 'retry' | 'abort' | 'run-succeeded' | 'run-failed';

/** `aborted` is not a stage: it names the abort of the run in flight (which then fails the stage). */
export type TransitionTarget = Stage | 'aborted';

export interface TransitionOption {
  to: TransitionTarget;
  action: TransitionAction;
  /** True when `POST /api/v1/:id/transition` accepts it; the others happen when a run ends. */
  manual: boolean;
}

export interface TransitionInput {
  /** The effective stage (`effectiveStage`); null when the issue is outside the lifecycle. */
  stage: Stage | null;
  /** A non-terminal job of the issue exists. */
  inFlight: boolean;
  planningEnabled: boolean;
}

/** Spelled as the spec's example (`{"to": "queued"}`): a retry puts the issue back in the queue. */
export const TARGET_ALIASES: Readonly<Record<string, TransitionTarget>> = { queued: 'triggered' };

export function allowedTransitions({ stage, inFlight, planningEnabled }: TransitionInput): TransitionOption[] {
  if (stage === null) return [];
  if (inFlight) {
    const out: TransitionOption[] = [{ to: 'aborted', action: 'abort', manual: true }];
    if (stage === 'planning') {
      out.push({ to: 'plan_complete', action: 'run-succeeded', manual: false });
      out.push({ to: 'planning_failed', action: 'run-failed', manual: false });
    } else if (stage === 'implementing' || stage === 'plan_complete' || stage === 'triggered') {
      out.push({ to: 'pr_opened', action: 'run-succeeded', manual: false });
      out.push({ to: 'implementation_failed', action: 'run-failed', manual: false });
    }
    return out;
  }
  switch (stage) {
    case 'triggered':
      return [{ to: planningEnabled ? 'planning' : 'implementing', action: 'dispatch', manual: true }];
    case 'plan_complete':
      // With autoApprovePlans the reconcile loop approves on its own; by hand is allowed either way.
      return [{ to: 'implementing', action: 'approve', manual: true }];
    case 'planning_failed':
    case 'implementation_failed':
      return [{ to: 'triggered', action: 'retry', manual: true }];
    // A run stage without a run (its job was lost or pruned): put it back in the queue.
    case 'planning':
    case 'implementing':
      return [{ to: 'triggered', action: 'retry', manual: true }];
    case 'pr_opened':
      return [];
  }
}

const LIFECYCLE_LABELS: ReadonlySet<string> = new Set([TRIGGER_LABEL, ...AI_LABELS]);

/** Newest first: dispatch time, then dispatch number. */
export function newestFirst(jobs: readonly Job[]): Job[] {
  return [...jobs].sort((a, b) => b.dispatchedAt - a.dispatchedAt || b.dispatchNumber - a.dispatchNumber);
}

/**
 * The stage to show. Jira statuses name every stage. Linear and the local tracker mark failed
 * stages by taking every lifecycle label off (their adapters then read `triggered`), so an issue
 * without any lifecycle label is at a failed stage when its latest run failed, and outside the
 * lifecycle (null) otherwise.
 */
export function effectiveStage(
  issue: { stage: Stage; labels: readonly string[] },
  jobs: readonly Job[],
  tracker: TicketingKind | undefined,
): Stage | null {
  if (tracker === 'jira' || issue.labels.some((label) => LIFECYCLE_LABELS.has(label))) return issue.stage;
  return failedStageOf(jobs);
}

/** The failed stage the issue's latest planning or implementation run left it at, if it failed. */
export function failedStageOf(jobs: readonly Job[]): Stage | null {
  const latest = newestFirst(jobs).find((job) => job.phase === 'planning' || job.phase === 'implementation');
  if (!latest || !isTerminal(latest.status)) return null;
  const event = issueEventForFinishedJob(latest, false);
  if (event?.type === 'planning-failed') return 'planning_failed';
  if (event?.type === 'implementation-failed') return 'implementation_failed';
  return null;
}

/** The issue's run in flight, if any (the newest non-terminal job). */
export function inFlightJob(jobs: readonly Job[]): Job | undefined {
  return newestFirst(jobs).find((job) => !isTerminal(job.status));
}
