/**
 * The dispatch dedup window — spec "Deduplication" and blocker reason `dedup`: an issue is not
 * dispatched again within 24 hours of a dispatch of the same phase, unless an operator removes
 * it from the window (`DELETE /api/dedup/:issueId`, or destroying its session).
 *
 * The ledger holds one entry per issue, tagged with the phase of its latest dispatch, so the
 * implementation run that follows a plan is not blocked by the plan's own entry.
 */
import type { DedupEntry, Phase } from './model.js';

export const DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** True while the entry is inside the window at `now` (an entry from the future counts too). */
export function isInWindow(entry: DedupEntry, now: number): boolean {
  return now - entry.dispatchedAt < DEDUP_WINDOW_MS;
}

/** True when the ledger holds an entry of this issue and phase inside the window. */
export function isDeduped(entries: readonly DedupEntry[], issueId: string, phase: Phase, now: number): boolean {
  return entries.some((e) => e.issueId === issueId && e.phase === phase && isInWindow(e, now));
}

/** The entries still inside the window, newest first (ties by identifier, for a stable list). */
export function activeDedup(entries: readonly DedupEntry[], now: number): DedupEntry[] {
  return entries
    .filter((e) => isInWindow(e, now))
    .sort((a, b) => b.dispatchedAt - a.dispatchedAt || (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
}

/** The ledger after a dispatch: the entry replaces any earlier one of the same issue. */
export function recordDispatch(entries: readonly DedupEntry[], entry: DedupEntry): DedupEntry[] {
  return [...entries.filter((e) => e.issueId !== entry.issueId), entry];
}

/** The ledger without the issue, whatever its phase. */
export function removeFromDedup(entries: readonly DedupEntry[], issueId: string): DedupEntry[] {
  return entries.filter((e) => e.issueId !== issueId);
}

/** The entries that have left the window: what a storage sweep may drop. */
export function expiredDedup(entries: readonly DedupEntry[], now: number): DedupEntry[] {
  return entries.filter((e) => !isInWindow(e, now));
}
