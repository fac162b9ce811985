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

/**
 * What one delivery attempt came to. `retryable` is false when trying again cannot help (the
 * receiver refused the message itself: 4xx other than 408/429); a timeout, a refused
 * connection and a 5xx are retryable.
 */
export type DeliveryResult =
  | { ok: true; status?: number; detail: string }
  | { ok: false; retryable: boolean; status?: number; error: string };

/**
 * Notifier — one configured channel (a Slack incoming webhook, a signed JSON webhook, an SMTP
 * relay with its recipients).
 *
 * Contract:
 * - `send` never throws and never rejects: every failure is a `DeliveryResult` with `ok: false`.
 * - `send` settles within the notifier's timeout (a receiver that hangs is a retryable failure),
 *   so a worker holding a claim never outlives it waiting on one.
 * - Nothing in a result (`detail`, `error`) contains the channel's secrets: not the Slack URL's
 *   token path, not the signing secret, not SMTP credentials.
 */
export interface Notifier {
  readonly channel: NotificationChannel;
  send(message: NotificationMessage): Promise<DeliveryResult>;
}
