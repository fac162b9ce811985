/**
 * The one dispatch decision — every way work starts passes through `decideDispatch`: an issue
 * the planner chose (planner.ts already applied caps, dedup, blockers and pause), an operator's
 * transition (an explicit act: it bypasses the cap and a pause, never the in-flight rule), a
 * review asking for changes (spec "changes_requested re-dispatch up to maxIterations"), and a
 * gap-fill trigger. It owns:
 * - the dispatch number: one more than the dispatches of the issue's phase on record (the
 *   highest recorded number counts too, so pruned history never hands a number out twice; a
 *   review re-run also counts the pull request's own iteration);
 * - the iteration limit of review re-runs (`maxIterations`, caps.ts);
 * - one run in flight per issue and phase: while a job of that issue and phase has not
 *   finished, no second one starts, whatever the entry point.
 *
 * The decision names the claim key the dispatch must win, so that two processes deciding the
 * same dispatch from the same history collide on one key and exactly one records it.
 * Pure: the issue's jobs, the new job's id, the runner and the time arrive as arguments.
 */
import { resolveRunCaps } from './caps.js';
import { isTerminal, nextDispatchNumber } from './job-status.js';
import type { DedupEntry, Job, Mapping, Phase, RunnerKind, TicketIssue } from './model.js';

export interface PullRequestRef {
  number: number;
  url: string;
}

export type DispatchIntent =
  | { kind: 'planned'; issue: TicketIssue; mapping: Mapping; phase: 'planning' | 'implementation' }
  | { kind: 'operator'; issue: TicketIssue; mapping: Mapping; phase: 'planning' | 'implementation' }
  | { kind: 'review'; issue: TicketIssue; mapping: Mapping; pullRequest: PullRequestRef; pullIteration: number }
  | { kind: 'gap-fill'; issue: TicketIssue; mapping: Mapping; pullRequest: PullRequestRef };

/** What the decision needs to know besides the intent. */
export interface DispatchContext {
  /** Every job on record for the intent's issue (other issues' jobs are ignored). */
  jobs: readonly Job[];
  jobId: string;
  runner: RunnerKind;
  now: number;
}

export type DispatchRefusal =
  | { reason: 'in-flight'; message: string }
  | { reason: 'iteration-limit'; message: string; maxIterations: number; iteration: number };

export type DispatchDecision =
  | {
      kind: 'dispatch';
      /** The job to record, status `unknown` until its runner confirms the launch. */
      job: Job;
      claimKey: string;
      dedup: DedupEntry;
    }
  | ({ kind: 'refused' } & DispatchRefusal);

export function phaseOf(intent: DispatchIntent): Phase {
  if (intent.kind === 'review') return 'implementation';
  if (intent.kind === 'gap-fill') return 'gap-analysis';
  return intent.phase;
}

export function inFlightMessage(identifier: string, phase: Phase): string {
  return `${identifier} already has a ${phase} run in flight`;
}

/** The claim every dispatch of one issue's phase and number must win. */
export function dispatchClaimKey(issueId: string, phase: Phase, dispatchNumber: number): string {
  return `dispatch:${issueId}:${phase}:${dispatchNumber}`;
}

export function decideDispatch(intent: DispatchIntent, context: DispatchContext): DispatchDecision {
  const { issue, mapping } = intent;
  const phase = phaseOf(intent);
  const jobs = context.jobs.filter((job) => job.issueId === issue.id);

  // A review re-run waits for every run of the issue, not only its own phase: the re-run
  // works on the branch the previous run pushes to.
  const blocking = intent.kind === 'review' ? jobs : jobs.filter((job) => job.phase === phase);
  if (blocking.some((job) => !isTerminal(job.status)))
    return { kind: 'refused', reason: 'in-flight', message: inFlightMessage(issue.identifier, phase) };

  let dispatchNumber = nextDispatchNumber(jobs, issue.id, phase);
  if (intent.kind === 'review') {
    dispatchNumber = Math.max(dispatchNumber, intent.pullIteration + 1);
    const { maxIterations } = resolveRunCaps(mapping);
    if (dispatchNumber > maxIterations)
      return {
        kind: 'refused',
        reason: 'iteration-limit',
        message: `${issue.identifier} reached the limit of ${maxIterations} iterations`,
        maxIterations,
        iteration: dispatchNumber,
      };
  }

  const pullRequest = intent.kind === 'review' || intent.kind === 'gap-fill' ? intent.pullRequest : undefined;
  const job: Job = {
    id: context.jobId,
    issueId: issue.id,
    identifier: issue.identifier,
    teamKey: mapping.teamKey,
    owner: mapping.owner,
    repo: mapping.repo,
    phase,
    status: 'unknown',
    dispatchNumber,
    runner: context.runner,
    dispatchedAt: context.now,
    updatedAt: context.now,
    ...(pullRequest ? { prNumber: pullRequest.number, prUrl: pullRequest.url } : {}),
  };
  return {
    kind: 'dispatch',
    job,
    claimKey: dispatchClaimKey(issue.id, phase, dispatchNumber),
    dedup: {
      issueId: issue.id,
      identifier: issue.identifier,
      title: issue.title,
      teamKey: mapping.teamKey,
      phase,
      dispatchedAt: context.now,
    },
  };
}
