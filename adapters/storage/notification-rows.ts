import {
  ATTEMPTS_KEPT,
  type NewNotification,
  type NotificationQuery,
  type NotificationSettlement,
  type QueuedNotification,
} from '../../ports/notification-queue.port.js';
import { assertPage, assertPositive } from './plain.js';

/** What every adapter stores for a newly queued notification: pending, due at once. */
export function queuedFrom(n: NewNotification): QueuedNotification {
  return {
    id: n.id,
    channel: n.channel,
    ...(n.route !== undefined ? { route: n.route } : {}),
    message: n.message,
    status: 'pending',
    createdAt: n.createdAt,
    updatedAt: n.createdAt,
    nextAttemptAt: n.createdAt,
    attempts: [],
    attemptCount: 0,
  };
}

/** The notification after a worker's attempt: the attempt appended (the newest kept), the new status. */
export function settled(row: QueuedNotification, outcome: NotificationSettlement, at: number): QueuedNotification {
  return {
    ...row,
    status: outcome.status,
    updatedAt: at,
    nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : at,
    attempts: [...row.attempts, outcome.attempt].slice(-ATTEMPTS_KEPT),
    attemptCount: row.attemptCount + 1,
  };
}

/** Due for a worker: pending and its time has come, or claimed by one whose claim lapsed. */
export function isDue(row: { status: string; nextAttemptAt: number; claimUntil?: number | null }, at: number): boolean {
  if (row.status === 'pending') return row.nextAttemptAt <= at;
  return row.status === 'sending' && (row.claimUntil ?? 0) <= at;
}

/** The listing order of the port: newest `createdAt` first, then id. */
export function newestFirst(a: QueuedNotification, b: QueuedNotification): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function checkClaim(ttlMs: number, limit: number): void {
  assertPositive('ttlMs', ttlMs);
  assertPage('limit', limit);
}

export function checkPage(query: NotificationQuery): { limit: number; offset: number } {
  return { limit: assertPage('limit', query.limit), offset: assertPage('offset', query.offset ?? 0) };
}

export function checkPrune(keep: number): void {
  assertPositive('keep', keep, true);
}

export function checkRecorded(n: QueuedNotification): void {
  if (n.status !== 'delivered' && n.status !== 'failed')
    throw new RangeError(`only a delivered or failed notification can be recorded, got ${n.status}`);
}
