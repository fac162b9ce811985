/**
 * The issue lifecycle — spec "Issue lifecycle": the stages an issue moves through, the Linear
 * label and Jira status of each, and what moves an issue from one stage to the next.
 *
 * Decisions the table leaves open, taken here:
 * - The trigger label `AI-Implement` stays on the issue while work goes on and when the PR is
 *   open: it is what makes the issue a candidate, so an issue in flight keeps counting toward
 *   its mapping's cap, and removing the in-progress label (destroying a session) leaves it
 *   Triggered, ready to be picked up again.
 * - A failed stage removes the AI labels AND the trigger label (other labels stay), plus a
 *   comment. Keeping the trigger would make a failed issue look Triggered and be retried every
 *   24 hours; re-running after a failure is re-adding `AI-Implement`, as Jira's is moving the
 *   issue back to `Ready`.
 */
import { implementationFailedComment, planningFailedComment, prOpenedComment } from './comments.js';
import type { Job, Phase, Stage } from './model.js';

export const TRIGGER_LABEL = 'AI-Implement';
/** The labels AI-Implement itself puts on an issue, in lifecycle order. */
export const AI_LABELS = ['AI-Planning', 'Plan-Complete', 'AI-Working', 'Ready for Review'] as const;

export const STAGES = [
  'triggered',
  'planning',
  'plan_complete',
  'implementing',
  'pr_opened',
  'planning_failed',
  'implementation_failed',
] as const satisfies readonly Stage[];

export interface StageInfo {
  displayName: string;
  /** The AI label that marks the stage on Linear (and the local tracker); none on failed stages. */
  linearLabel?: string;
  jiraStatus: string;
}

/** The spec's lifecycle table. */
export const STAGE_TABLE: Record<Stage, StageInfo> = {
  triggered: { displayName: 'Triggered', linearLabel: TRIGGER_LABEL, jiraStatus: 'Ready' },
  planning: { displayName: 'Planning', linearLabel: 'AI-Planning', jiraStatus: 'Planning' },
  plan_complete: { displayName: 'Plan complete', linearLabel: 'Plan-Complete', jiraStatus: 'Plan Approved' },
  implementing: { displayName: 'Implementing', linearLabel: 'AI-Working', jiraStatus: 'Implementing' },
  pr_opened: { displayName: 'PR opened', linearLabel: 'Ready for Review', jiraStatus: 'PR Ready' },
  planning_failed: { displayName: 'Planning failed', jiraStatus: 'Planning Failed' },
  implementation_failed: { displayName: 'Implementation failed', jiraStatus: 'Implementation Failed' },
};

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** Tracker state types that end an issue (Linear spells it `canceled`, Jira's done category maps to `completed`). */
const CLOSED_STATE_TYPES: ReadonlySet<string> = new Set(['completed', 'cancelled', 'canceled']);

/** A closed issue is outside the lifecycle: never dispatched, never counted as in progress. */
export function isClosedStateType(stateType: string | undefined): boolean {
  return stateType !== undefined && CLOSED_STATE_TYPES.has(stateType.toLowerCase());
}

export function isFailedStage(stage: Stage): boolean {
  return stage === 'planning_failed' || stage === 'implementation_failed';
}

/** Stages in which a run is in flight; they count toward the mapping's concurrency cap. */
export function isInProgressStage(stage: Stage): boolean {
  return stage === 'planning' || stage === 'implementing';
}

const AI_LABEL_SET: ReadonlySet<string> = new Set(AI_LABELS);

/**
 * The labels an issue should carry at `stage`, from the labels it carries now: every label
 * that is not AI-Implement's own is kept in its place; the AI labels are replaced by the
 * stage's one; the trigger is kept (added at Triggered) and removed on a failed stage.
 */
export function linearLabelsForStage(currentLabels: readonly string[], stage: Stage): string[] {
  const failed = isFailedStage(stage);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const label of currentLabels) {
    if (AI_LABEL_SET.has(label) || seen.has(label)) continue;
    if (failed && label === TRIGGER_LABEL) continue;
    seen.add(label);
    out.push(label);
  }
  const wanted = STAGE_TABLE[stage].linearLabel;
  if (wanted && !seen.has(wanted)) out.push(wanted);
  return out;
}

/**
 * The stage the labels show: the latest AI label present wins (a half-applied move never
 * reads as going backwards); the trigger alone is Triggered; neither is outside the lifecycle.
 * Failed stages leave no label, so they read as `undefined` (the failure lives in the comment).
 */
export function stageFromLinearLabels(labels: readonly string[]): Stage | undefined {
  const set = new Set(labels);
  if (set.has('Ready for Review')) return 'pr_opened';
  if (set.has('AI-Working')) return 'implementing';
  if (set.has('Plan-Complete')) return 'plan_complete';
  if (set.has('AI-Planning')) return 'planning';
  if (set.has(TRIGGER_LABEL)) return 'triggered';
  return undefined;
}

export function jiraStatusForStage(stage: Stage): string {
  return STAGE_TABLE[stage].jiraStatus;
}

const STAGE_BY_JIRA_STATUS = new Map(STAGES.map((s) => [STAGE_TABLE[s].jiraStatus.toLowerCase(), s] as const));

/** The stage a Jira status shows; matched without regard to case or surrounding spaces. */
export function stageFromJiraStatus(status: string): Stage | undefined {
  return STAGE_BY_JIRA_STATUS.get(status.trim().toLowerCase());
}

/** What moves an issue between stages. */
export type IssueEvent =
  | { type: 'dispatched'; phase: Phase }
  | { type: 'planning-succeeded'; autoApprovePlans: boolean }
  | { type: 'planning-failed'; reason: string }
  | { type: 'implementation-succeeded'; prUrl: string; prNumber?: number }
  | { type: 'implementation-failed'; reason: string };

/** What the shell does for a lifecycle move: plain data, executed in order. */
export type IssueEffect =
  | { kind: 'move-stage'; stage: Stage }
  | { kind: 'comment'; body: string }
  /** Plan approved automatically: reconcile now so the planner dispatches implementation. */
  | { kind: 'dispatch'; phase: 'implementation' };

export interface IssueTransition {
  stage: Stage;
  effects: IssueEffect[];
  /** True when the event does not apply at this stage (stale or duplicate); nothing changes. */
  ignored: boolean;
}

const stay = (stage: Stage): IssueTransition => ({ stage, effects: [], ignored: true });
const move = (stage: Stage, ...extra: IssueEffect[]): IssueTransition => ({
  stage,
  effects: [{ kind: 'move-stage', stage }, ...extra],
  ignored: false,
});

/**
 * The lifecycle transition. A dispatch moves a Triggered (or re-run) issue to Planning, or to
 * Implementing; a run's outcome moves it on from the stage its phase runs in — or from the
 * stage before, when the move at dispatch did not reach the tracker. An outcome that arrives
 * for a stage already left behind is stale and ignored, so the issue never goes backwards.
 */
export function advanceIssue(stage: Stage, event: IssueEvent): IssueTransition {
  switch (event.type) {
    case 'dispatched':
      if (event.phase === 'planning') {
        return stage === 'triggered' || isFailedStage(stage) ? move('planning') : stay(stage);
      }
      if (event.phase === 'implementation') {
        return stage === 'triggered' || stage === 'plan_complete' || isFailedStage(stage) ? move('implementing') : stay(stage);
      }
      return stay(stage); // gap analysis works on an open PR and leaves the stage alone

    case 'planning-succeeded':
      if (stage !== 'planning' && stage !== 'triggered') return stay(stage);
      return event.autoApprovePlans
        ? move('plan_complete', { kind: 'dispatch', phase: 'implementation' })
        : move('plan_complete');

    case 'planning-failed':
      if (stage !== 'planning' && stage !== 'triggered') return stay(stage);
      return move('planning_failed', { kind: 'comment', body: planningFailedComment(event.reason) });

    case 'implementation-succeeded':
      if (stage !== 'implementing' && stage !== 'plan_complete' && stage !== 'triggered') return stay(stage);
      return move('pr_opened', { kind: 'comment', body: prOpenedComment(event.prUrl, event.prNumber) });

    case 'implementation-failed':
      if (stage !== 'implementing' && stage !== 'plan_complete' && stage !== 'triggered') return stay(stage);
      return move('implementation_failed', { kind: 'comment', body: implementationFailedComment(event.reason) });
  }
}

/**
 * The lifecycle event a finished job produces. A post-push review that flags blockers still
 * leaves an open PR for a human to review, so it counts as the PR being opened (its log
 * excerpt says what the review found). Gap-analysis runs do not move the issue.
 */
export function issueEventForFinishedJob(job: Job, autoApprovePlans: boolean): IssueEvent | undefined {
  const reason = job.error ?? (job.timedOutReason ? `timed out (${job.timedOutReason})` : 'unknown error');
  if (job.phase === 'planning') {
    if (job.status === 'completed') return { type: 'planning-succeeded', autoApprovePlans };
    if (job.status === 'failed' || job.status === 'timed_out' || job.status === 'review_failed') {
      return { type: 'planning-failed', reason };
    }
    return undefined;
  }
  if (job.phase === 'implementation') {
    if ((job.status === 'completed' || job.status === 'review_failed') && job.prUrl) {
      const event: IssueEvent = { type: 'implementation-succeeded', prUrl: job.prUrl };
      if (job.prNumber !== undefined) event.prNumber = job.prNumber;
      return event;
    }
    if (job.status === 'completed' || job.status === 'review_failed' || job.status === 'failed' || job.status === 'timed_out') {
      return { type: 'implementation-failed', reason };
    }
  }
  return undefined;
}
