import type { Clock } from '../../../ports/clock.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { NotificationAttempt, QueuedNotification } from '../../../ports/notification-queue.port.js';
import type { DeliveryResult, NotifierDirectory } from '../../../ports/notifier.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { afterFailure, type NotificationChannel, type NotificationKind } from '../../domain/notifications.js';

/** Notifications one worker round claims at most; they are sent concurrently. */
export const DELIVERY_BATCH = 20;
/** A claim outlives the slowest send (every notifier gives up within its timeout, 10 s by default). */
export const CLAIM_TTL_MS = 60_000;
/** Finished notifications are kept this long (7 days)… */
export const NOTIFICATION_RETENTION_MS = 7 * 24 * 60 * 60_000;
/** …and the queue never holds more than this many, whatever their age. */
export const NOTIFICATION_KEEP = 10_000;
/** Retention runs at most this often (it is one indexed DELETE, but not worth every round). */
const PRUNE_EVERY_MS = 10 * 60_000;

export interface DeliveryRound {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  pruned: number;
}

/**
 * What one delivery attempt came to: `sent`; `failed` with a retry scheduled; `dropped`, given
 * up for good (attempts exhausted, or a failure no retry can mend).
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'dropped';

export interface DeliveryAttemptSeen {
  channel: NotificationChannel;
  kind: NotificationKind;
  outcome: DeliveryOutcome;
}

export interface NotificationDeliveryDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  notifierDirectory: NotifierDirectory;
  /** This process's lease owner id; each round claims under it plus a fresh suffix. */
  leaseOwner: string;
  /** A number in [0, 1) for the backoff's jitter. */
  jitter: () => number;
  /** Told of every attempt once its outcome is known, before it is settled (the /metrics counters). */
  onAttempt?: (attempt: DeliveryAttemptSeen) => void;
}

const OUTCOME = { delivered: 'sent', pending: 'failed', failed: 'dropped' } as const satisfies Record<string, DeliveryOutcome>;

/** An attempt as the queue lists it, from a notifier's result. */
export function attemptOf(result: DeliveryResult, at: number, durationMs: number): NotificationAttempt {
  return result.ok
    ? { at, ok: true, durationMs, ...(result.status !== undefined ? { status: result.status } : {}), detail: result.detail }
    : { at, ok: false, durationMs, ...(result.status !== undefined ? { status: result.status } : {}), detail: result.error };
}

/**
 * One round of the delivery worker: claim what is due, send it through its channel's notifier
 * (each bounded by the notifier's timeout, all at once), and settle each with its attempt —
 * delivered, retried later with exponential backoff, or failed for good. Safe on every replica
 * at once: the store gives each due notification to one claimant.
 */
export function createNotificationDelivery(deps: NotificationDeliveryDeps): () => Promise<DeliveryRound> {
  const { storage, clock, ids, logger, notifierDirectory, leaseOwner, jitter } = deps;
  let lastPruneAt = Number.NEGATIVE_INFINITY;

  async function deliverOne(row: QueuedNotification, owner: string): Promise<'delivered' | 'pending' | 'failed' | 'lost'> {
    const started = clock.now();
    const notifier = await notifierDirectory.notifier(row.channel, row.route);
    const result: DeliveryResult = notifier
      ? await notifier.send(row.message, row.id)
      : { ok: false, retryable: false, error: `the ${row.channel} channel is not configured any more` };
    const at = clock.now();
    const attempt = attemptOf(result, started, at - started);
    const next = result.ok
      ? { status: 'delivered' as const }
      : afterFailure(row.attemptCount + 1, result.retryable, at, jitter(), result.retryAfterMs);
    deps.onAttempt?.({ channel: row.channel, kind: row.message.kind, outcome: OUTCOME[next.status] });
    const settledOk = await storage.notifications.settle(row.id, owner, { ...next, attempt }, at);
    if (!result.ok)
      logger.warn('notification attempt failed', {
        notification: row.id,
        channel: row.channel,
        kind: row.message.kind,
        attempt: row.attemptCount + 1,
        error: result.error,
        ...(next.status === 'pending' ? { nextAttemptAt: new Date(next.nextAttemptAt).toISOString() } : { gaveUp: true }),
      });
    return settledOk ? next.status : 'lost';
  }

  return async () => {
    const round: DeliveryRound = { claimed: 0, delivered: 0, retrying: 0, failed: 0, pruned: 0 };
    const at = clock.now();
    if (at - lastPruneAt >= PRUNE_EVERY_MS) {
      lastPruneAt = at;
      round.pruned = await storage.notifications.prune(at - NOTIFICATION_RETENTION_MS, NOTIFICATION_KEEP);
    }
    const owner = `${leaseOwner}/${ids.newId()}`;
    const claimed = await storage.notifications.claimDue(owner, at, CLAIM_TTL_MS, DELIVERY_BATCH);
    round.claimed = claimed.length;
    const outcomes = await Promise.allSettled(claimed.map((row) => deliverOne(row, owner)));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        // The store failed the settle: the claim lapses and another round tries again.
        logger.warn('a notification could not be settled', { error: outcome.reason });
        continue;
      }
      if (outcome.value === 'delivered') round.delivered++;
      else if (outcome.value === 'pending') round.retrying++;
      else if (outcome.value === 'failed') round.failed++;
    }
    return round;
  };
}
