/**
 * What the orchestrator tells its operators about, one kind per event worth a human's attention
 * (issue 18, "Notifications"). Each kind is opted in or out on its own (`NOTIFY_EVENTS`).
 */
export const NOTIFICATION_KINDS = [
  'run.failed',
  'run.timed_out',
  'review.failed',
  'plan.awaiting_approval',
  'credential.refused',
  'circuit.opened',
  'budget.warning',
  'budget.reached',
  'reaper.destroyed',
  'storage.unreachable',
  /** A message an operator sent from the admin (`POST /api/notifications/test`). */
  'test',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_CHANNELS = ['slack', 'webhook', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** A link the message offers (the issue, the run, the pull request, the admin page). */
export interface NotificationLink {
  label: string;
  url: string;
}

/**
 * One message, whatever the channel: plain data, stored in the queue as it is and rendered by
 * each notifier in its own format (Block Kit, signed JSON, a text e-mail). It never carries a
 * secret: the publishers put identifiers, stages and reasons in it, and the reason is redacted
 * before it is queued.
 */
export interface NotificationMessage {
  kind: NotificationKind;
  /** One line: "ENG-12: implementation run failed". */
  title: string;
  /** What happened, in a sentence or two. */
  text: string;
  at: number;
  teamKey?: string;
  /** The issue's identifier (`ENG-12`), when the event is about one. */
  issue?: string;
  /** The issue's lifecycle stage or the run's phase. */
  stage?: string;
  reason?: string;
  links: NotificationLink[];
}

/** Give up on a notification after this many attempts (about 4 hours of backoff in all). */
export const MAX_DELIVERY_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/**
 * Exponential backoff with jitter: 30 s after the first failure, doubling up to an hour, each
 * wait drawn from [50 %, 100 %] of its step so that replicas retrying one receiver spread out.
 * `jitter` in [0, 1) arrives as an argument (the domain draws no random numbers).
 */
export function retryDelayMs(failedAttempts: number, jitter: number): number {
  const step = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(step * (0.5 + 0.5 * Math.min(Math.max(jitter, 0), 1)));
}

/**
 * What a worker does after a failed attempt: try again later, or give up (refused, or out of
 * attempts). A receiver that said how long to wait (`retryAfterMs`, a 429's Retry-After) is not
 * tried again before then, up to the longest step (an hour).
 */
export function afterFailure(
  attemptsSoFar: number,
  retryable: boolean,
  at: number,
  jitter: number,
  retryAfterMs?: number,
): { status: 'pending'; nextAttemptAt: number } | { status: 'failed' } {
  if (!retryable || attemptsSoFar >= MAX_DELIVERY_ATTEMPTS) return { status: 'failed' };
  const told = Math.min(LONGEST_RETRY_MS, Math.max(0, retryAfterMs ?? 0));
  return { status: 'pending', nextAttemptAt: at + Math.max(retryDelayMs(attemptsSoFar, jitter), told) };
}

/** The events a `NOTIFY_EVENTS` list names: `all`, `none`, or kinds separated by commas or spaces. */
export function parseNotifyEvents(value: string | undefined): { kinds: NotificationKind[] } | { unknown: string[] } {
  if (value === undefined || value.trim() === '' || value.trim() === 'all')
    return { kinds: NOTIFICATION_KINDS.filter((k) => k !== 'test') };
  if (value.trim() === 'none') return { kinds: [] };
  const names = value.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !(NOTIFICATION_KINDS as readonly string[]).includes(n) || n === 'test');
  if (unknown.length > 0) return { unknown };
  return { kinds: [...new Set(names)] as NotificationKind[] };
}

interface JobFacts {
  id: string;
  identifier: string;
  teamKey: string;
  phase: string;
  status: string;
  error?: string;
  timedOutReason?: string;
  runUrl?: string;
  prUrl?: string;
  /** A dry run's note: such a run did nothing, so it is nobody's news. */
  note?: string;
}

/** Links an operator follows from a message: the run, the pull request, the issue in the admin. */
function jobLinks(job: JobFacts, issueUrl: string | undefined, adminUrl: string): NotificationLink[] {
  return [
    ...(issueUrl ? [{ label: 'Issue', url: issueUrl }] : []),
    ...(job.runUrl ? [{ label: 'Run', url: job.runUrl }] : []),
    ...(job.prUrl ? [{ label: 'Pull request', url: job.prUrl }] : []),
    { label: 'Admin', url: `${adminUrl}#issues` },
  ];
}

const PHASE_NAMES: Record<string, string> = {
  planning: 'planning',
  implementation: 'implementation',
  'gap-analysis': 'gap-analysis',
};

/**
 * The message for a job that finished badly, or a plan that waits for a human. `undefined`
 * for every other job change (a job completing is news for the ticket, not for an operator).
 */
export function messageForJob(
  job: JobFacts,
  context: { at: number; autoApprovePlans: boolean; issueUrl?: string; adminUrl: string },
): NotificationMessage | undefined {
  if (job.note !== undefined) return undefined;
  const phase = PHASE_NAMES[job.phase] ?? job.phase;
  const base = {
    at: context.at,
    teamKey: job.teamKey,
    issue: job.identifier,
    stage: phase,
    links: jobLinks(job, context.issueUrl, context.adminUrl),
  };
  if (job.status === 'failed') {
    const reason = job.error ?? 'unknown error';
    return {
      ...base,
      kind: 'run.failed',
      title: `${job.identifier}: ${phase} run failed`,
      text: `The ${phase} run of ${job.identifier} failed.`,
      reason,
    };
  }
  if (job.status === 'timed_out') {
    return {
      ...base,
      kind: 'run.timed_out',
      title: `${job.identifier}: ${phase} run timed out`,
      text: `The ${phase} run of ${job.identifier} timed out.`,
      reason: job.timedOutReason ?? 'timed_out',
    };
  }
  if (job.status === 'review_failed') {
    return {
      ...base,
      kind: 'review.failed',
      title: `${job.identifier}: review failed`,
      text: `The post-push review of ${job.identifier} flagged blockers; the pull request needs a human look.`,
      reason: job.error ?? 'the review flagged blockers',
    };
  }
  if (job.status === 'completed' && job.phase === 'planning' && !context.autoApprovePlans) {
    return {
      ...base,
      kind: 'plan.awaiting_approval',
      stage: 'Plan complete',
      title: `${job.identifier}: plan waiting for approval`,
      text: `The plan for ${job.identifier} is ready; implementation starts once it is approved.`,
    };
  }
  return undefined;
}
