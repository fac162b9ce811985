/**
 * The reaper's rules — spec "Reaper": the reconciliation sweep that destroys runner sessions
 * nothing needs any more, under four rules: `orphan`, `stale-terminal-job`,
 * `max-age-exceeded`, `issue-terminal`.
 *
 * One decision per session; when several rules match, the most specific cause is reported:
 *   orphan > stale-terminal-job > issue-terminal > max-age-exceeded
 * (no job at all; the job is over; the issue was closed under a live job; and the age limit
 * as the backstop for everything else).
 */
import { isTerminal } from './job-status.js';
import { isClosedStateType } from './lifecycle.js';
import type { Job } from './model.js';

export const REAPER_RULES = ['orphan', 'stale-terminal-job', 'max-age-exceeded', 'issue-terminal'] as const;
export type ReaperRule = (typeof REAPER_RULES)[number];

export interface SessionSnapshot {
  id: string;
  name?: string;
  startedAt: number;
  jobId?: string;
  issueId?: string;
  /** The issue's human key, when the runner knows only that (Fly machine metadata). */
  issueIdentifier?: string;
}

export interface ReapDecision {
  sessionId: string;
  rule: ReaperRule;
  jobId?: string;
  issueId?: string;
  ageSeconds: number;
}

export interface ReapInput {
  sessions: readonly SessionSnapshot[];
  jobs: readonly Job[];
  issues: readonly { id: string; identifier: string; stateType?: string }[];
  now: number;
  /** A session older than this is destroyed whatever it is doing. */
  maxAgeMs: number;
  /**
   * How long a session may outlive its job's final status (time to post logs and clean up),
   * and how long a new session may go without a matching job (the job is written before the
   * launch, but a store may lag) before it counts as an orphan.
   */
  staleGraceMs: number;
}

/** The destroy decisions of one sweep, ordered by session id. Sessions not listed are kept. */
export function planReaping(input: ReapInput): ReapDecision[] {
  const jobsById = new Map<string, Job>();
  const latestJobByIssue = new Map<string, Job>();
  for (const job of input.jobs) {
    jobsById.set(job.id, job);
    const current = latestJobByIssue.get(job.issueId);
    if (!current || isLater(job, current)) latestJobByIssue.set(job.issueId, job);
  }
  const issuesById = new Map<string, { stateType?: string }>();
  const issuesByIdentifier = new Map<string, { stateType?: string }>();
  for (const issue of input.issues) {
    issuesById.set(issue.id, issue);
    issuesByIdentifier.set(issue.identifier, issue);
  }

  const decisions = new Map<string, ReapDecision>();
  for (const session of input.sessions) {
    if (decisions.has(session.id)) continue;
    const age = input.now - session.startedAt;
    const job =
      session.jobId !== undefined
        ? jobsById.get(session.jobId)
        : session.issueId
          ? latestJobByIssue.get(session.issueId)
          : undefined;
    const issueId = session.issueId ?? job?.issueId;
    const issue =
      (issueId !== undefined ? issuesById.get(issueId) : undefined) ??
      (session.issueIdentifier !== undefined ? issuesByIdentifier.get(session.issueIdentifier) : undefined) ??
      (job ? issuesByIdentifier.get(job.identifier) : undefined);

    let rule: ReaperRule | undefined;
    if (!job && age > input.staleGraceMs) rule = 'orphan';
    else if (job && isTerminal(job.status) && input.now - job.updatedAt > input.staleGraceMs) rule = 'stale-terminal-job';
    else if (isClosedStateType(issue?.stateType)) rule = 'issue-terminal';
    else if (age > input.maxAgeMs) rule = 'max-age-exceeded';
    if (!rule) continue;

    const decision: ReapDecision = { sessionId: session.id, rule, ageSeconds: Math.max(0, Math.floor(age / 1000)) };
    if (job) decision.jobId = job.id;
    if (issueId !== undefined) decision.issueId = issueId;
    decisions.set(session.id, decision);
  }
  return [...decisions.values()].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
}

function isLater(a: Job, b: Job): boolean {
  return a.dispatchedAt > b.dispatchedAt || (a.dispatchedAt === b.dispatchedAt && a.id > b.id);
}
