import type { NotificationChannel, NotificationKind, NotificationMessage } from '../core/domain/notifications.js';

export {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  type NotificationChannel,
  type NotificationKind,
  type NotificationLink,
  type NotificationMessage,
} from '../core/domain/notifications.js';

/**
 * What one delivery attempt came to. `retryable` is false when trying again cannot help (the
 * receiver refused the message itself: 4xx other than 408/429); a timeout, a refused
 * connection and a 5xx are retryable.
 */
export type DeliveryResult =
  | { ok: true; status?: number; detail: string }
  /** `retryAfterMs`: the receiver said how long to wait (a 429's or 503's Retry-After). */
  | { ok: false; retryable: boolean; status?: number; error: string; retryAfterMs?: number };

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
  /** `deliveryId` is the same on every retry of one notification (a receiver may drop a repeat). */
  send(message: NotificationMessage, deliveryId: string): Promise<DeliveryResult>;
}

/** Where notifications of one channel go for one team: its mapping's override (`route` = team key) or the global target. */
export interface NotificationRoute {
  channel: NotificationChannel;
  /** The team key whose override applies; absent for the global configuration. */
  route?: string;
  /** The kinds this route is opted in to. */
  kinds: readonly NotificationKind[];
}

/**
 * NotifierDirectory — which channels are configured, globally and per mapping, and the
 * notifier for each. Targets and secrets are read when a notifier is asked for (just before a
 * send), so the queue stores only the channel and the route, never a URL or a secret, and a
 * rotated secret takes effect on the next attempt.
 */
export interface NotifierDirectory {
  /** The routes an event of `teamKey` (or of no team) goes to, with the kinds each is opted in to. */
  routes(teamKey: string | undefined): Promise<NotificationRoute[]>;
  /** The notifier of a route, or undefined when it is not (or no longer) configured. */
  notifier(channel: NotificationChannel, route?: string): Promise<Notifier | undefined>;
  /** Which channels have a global configuration. */
  configured(): Record<NotificationChannel, boolean>;
}
