import type { NotificationChannel, NotificationMessage } from './notifier.port.js';

/** `sending` while a worker holds the claim; `delivered` and `failed` are final. */
export type NotificationStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/** One delivery attempt as the worker saw it. */
export interface NotificationAttempt {
  at: number;
  ok: boolean;
  durationMs: number;
  status?: number;
  /** What the receiver answered, or why it failed (never a secret). */
  detail: string;
}

/** The queue keeps at most this many attempts per notification (the newest). */
export const ATTEMPTS_KEPT = 20;

export interface QueuedNotification {
  id: string;
  channel: NotificationChannel;
  /** The mapping whose routing chose the channel's target; absent for the global one. */
  route?: string;
  message: NotificationMessage;
  status: NotificationStatus;
  createdAt: number;
  updatedAt: number;
  /** When the next attempt may start (pending); when the last one ended otherwise. */
  nextAttemptAt: number;
  attempts: NotificationAttempt[];
  /** How many attempts were made (may exceed the kept `attempts`). */
  attemptCount: number;
}

export interface NewNotification {
  id: string;
  channel: NotificationChannel;
  route?: string;
  message: NotificationMessage;
  createdAt: number;
}

/** What a worker did with a claimed notification: delivered, try again at `nextAttemptAt`, or give up. */
export type NotificationSettlement =
  | { status: 'delivered'; attempt: NotificationAttempt }
  | { status: 'pending'; attempt: NotificationAttempt; nextAttemptAt: number }
  | { status: 'failed'; attempt: NotificationAttempt };

export interface NotificationQuery {
  status?: NotificationStatus;
  channel?: NotificationChannel;
  /** 1–1000. */
  limit: number;
  offset?: number;
}

/**
 * NotificationQueueStore — the delivery queue of notifications, shared by every replica.
 *
 * Contract (testing/contracts/notification-queue.contract.ts, run against every adapter):
 * - `enqueue` writes a `pending` notification due at once; an id already queued is left as it
 *   is (an event seen twice is queued once). `record` writes a finished one as given.
 * - `claimDue(owner, at, ttlMs, limit)` hands each due notification (`pending` with
 *   `nextAttemptAt <= at`, or `sending` whose claim lapsed) to exactly one caller, even across
 *   processes sharing the store: of concurrent claims, each row goes to one. A claimed row is
 *   `sending` until `at + ttlMs`; oldest due first; at most `limit`.
 * - `settle(id, owner, outcome)` records the attempt and the new status only while `owner` still
 *   holds the claim; false when the claim was lost (it lapsed and another worker took it).
 * - `list` is newest first (`createdAt`, then id), filtered and paged in the store; `count`
 *   counts with the same filters.
 * - `prune(finishedBefore, keep)` drops delivered and failed notifications last changed before
 *   `finishedBefore`, then the oldest of every status beyond the newest `keep`; resolves how many.
 */
export interface NotificationQueueStore {
  enqueue(notification: NewNotification): Promise<void>;
  /**
   * Writes a notification already attempted outside the queue (a test message sent at once)
   * as it is given, so that its attempt is listed with the others; an id already queued is
   * left as it is. A `pending` or `sending` one is refused with a RangeError: only the queue's
   * own workers make those.
   */
  record(notification: QueuedNotification): Promise<void>;
  claimDue(owner: string, at: number, ttlMs: number, limit: number): Promise<QueuedNotification[]>;
  settle(id: string, owner: string, outcome: NotificationSettlement, at: number): Promise<boolean>;
  get(id: string): Promise<QueuedNotification | undefined>;
  list(query: NotificationQuery): Promise<QueuedNotification[]>;
  count(query?: Omit<NotificationQuery, 'limit' | 'offset'>): Promise<number>;
  prune(finishedBefore: number, keep: number): Promise<number>;
}
