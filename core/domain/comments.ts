/**
 * Ticket comments — spec "Ticket comments": the progress comments of a session run, the
 * outcome comments (PR link, `⚠️ Planning failed: {reason}`, `⚠️ Implementation failed: {reason}`),
 * and the labelled log excerpt posted on a terminal failure or timeout.
 *
 * Builders are pure: the time arrives as an ISO string, and secret values arrive as a list so
 * that every excerpt is redacted before it can reach a ticket.
 */
import { redactSecrets } from './redaction.js';

/** The labels a log excerpt carries (spec table "Log label"). */
export const LOG_LABELS = [
  'container_failed',
  'container_timeout',
  'machine_timeout',
  'post_push_review_not_approved',
  'pr_not_found',
  'session_failed',
] as const;
export type LogLabel = (typeof LOG_LABELS)[number];

export const LOG_LABEL_MEANINGS: Record<LogLabel, string> = {
  container_failed: 'The local Docker container exited with an error',
  container_timeout: 'The local Docker session exceeded its lifetime',
  machine_timeout: 'The session machine exceeded its lifetime',
  post_push_review_not_approved: 'A PR was opened, but the post-push review flagged blockers',
  pr_not_found: 'The run finished but did not open a PR',
  session_failed: 'The session run failed',
};

/**
 * The stages of a session run that get a progress comment. These names are also the event
 * types a session may post to `POST /api/status`.
 */
export type ProgressEvent =
  | { type: 'session_created' }
  | { type: 'environment_ready' }
  | { type: 'pr_opened'; prNumber: number; prUrl: string }
  | { type: 'verification_started' }
  | { type: 'verification_passed' }
  | { type: 'verification_failed'; detail: string }
  | { type: 'session_cleaned_up'; durationMs: number }
  | { type: 'session_failed'; reason: string }
  | { type: 'session_timed_out'; reason: string };

export const PROGRESS_EVENT_TYPES = [
  'session_created',
  'environment_ready',
  'pr_opened',
  'verification_started',
  'verification_passed',
  'verification_failed',
  'session_cleaned_up',
  'session_failed',
  'session_timed_out',
] as const satisfies readonly ProgressEvent['type'][];

export function isProgressEventType(value: unknown): value is ProgressEvent['type'] {
  return typeof value === 'string' && (PROGRESS_EVENT_TYPES as readonly string[]).includes(value);
}

/** The headline of a progress comment, exactly as the spec words it. */
export function progressHeadline(event: ProgressEvent): string {
  switch (event.type) {
    case 'session_created':
      return '🚀 Session machine created. Cloning repo and running setup…';
    case 'environment_ready':
      return '✅ Environment ready. Claude is implementing…';
    case 'pr_opened':
      return `📝 Claude finished. PR #${event.prNumber} opened: ${event.prUrl}`;
    case 'verification_started':
      return '🧪 Running verification script…';
    case 'verification_passed':
      return '✅ Verification passed';
    case 'verification_failed':
      return `❌ Verification failed: ${event.detail}`;
    case 'session_cleaned_up':
      return `🧹 Session machine cleaned up. Duration: ${formatDuration(event.durationMs)}`;
    case 'session_failed':
      return `⚠️ Session failed: ${event.reason}. Machine will be cleaned up.`;
    case 'session_timed_out':
      return `⚠️ Session timed out: ${event.reason}. Machine will be cleaned up.`;
  }
}

export interface CommentContext {
  /** When it happened, as an ISO-8601 string (the shell formats its clock). */
  at: string;
  /** The machine or run logs, when the runner has a page for them. */
  logsUrl?: string;
  /** Values to redact from free text (reasons, details) before posting. */
  secretValues?: readonly string[];
}

/** A progress comment: the headline, then a line with the timestamp and the logs link if any. */
export function progressComment(event: ProgressEvent, ctx: CommentContext): string {
  const secrets = ctx.secretValues ?? [];
  const headline = redactSecrets(progressHeadline(event), secrets);
  // The logs link may be the session's own (`logsUrl` of POST /api/status): as free as its text.
  const meta = ctx.logsUrl ? `🕒 ${ctx.at} · [Machine logs](${redactSecrets(ctx.logsUrl, secrets)})` : `🕒 ${ctx.at}`;
  return `${headline}\n\n${meta}`;
}

/** `1h 2m 3s`, `4m 0s`, `12s`: whole seconds, largest unit first. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** The outcome comment posted when a run opens a pull request. */
export function prOpenedComment(prUrl: string, prNumber?: number): string {
  return prNumber === undefined ? `🔗 Pull request opened: ${prUrl}` : `🔗 Pull request #${prNumber} opened: ${prUrl}`;
}

export function planningFailedComment(reason: string, secretValues: readonly string[] = []): string {
  return `⚠️ Planning failed: ${redactSecrets(reason, secretValues)}`;
}

export function implementationFailedComment(reason: string, secretValues: readonly string[] = []): string {
  return `⚠️ Implementation failed: ${redactSecrets(reason, secretValues)}`;
}

/** How much of a log a ticket comment shows: its tail, which is where a failure explains itself. */
export const LOG_EXCERPT_MAX_CHARS = 4000;

/**
 * A log excerpt comment: the label and its meaning, then the redacted tail of the log in a
 * code fence longer than any backtick run inside it (so the log cannot close the fence).
 */
export function logExcerptComment(input: {
  label: LogLabel;
  log: string;
  secretValues: readonly string[];
  at?: string;
  maxChars?: number;
}): string {
  const max = input.maxChars ?? LOG_EXCERPT_MAX_CHARS;
  // Redact before cutting, so a cut can never leave half a secret behind.
  const redacted = redactSecrets(input.log, input.secretValues).trimEnd();
  const excerpt = redacted.length > max ? `…${redacted.slice(redacted.length - max)}` : redacted;
  const longestTicks = Math.max(0, ...[...excerpt.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestTicks + 1));
  const head = `📋 Log excerpt (${input.label}): ${LOG_LABEL_MEANINGS[input.label]}`;
  const time = input.at ? `\n🕒 ${input.at}` : '';
  return `${head}${time}\n\n${fence}\n${excerpt}\n${fence}`;
}

// One redaction for every outlet, in every encoding (core/domain/redaction.ts).
export { MIN_REDACTED_LENGTH, REDACTED, redactSecrets } from './redaction.js';
