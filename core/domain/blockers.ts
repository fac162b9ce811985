/**
 * Blocker reasons — spec "Blocker reasons": why an eligible issue was not dispatched, with the
 * message the Blockers view shows. `paused` and `blocked-by-issue` are the spec's separate
 * eligibility checks ("paused mappings", "open blocking issues"), reported the same way so the
 * Blockers view can say why every waiting issue waits.
 */
import type { BlockingRelation } from './model.js';

/** `budget` (issue 17): the team's or the global daily budget is spent; the next dispatch waits for 00:00 UTC. */
export const SKIP_REASONS = ['no-mapping', 'paused', 'blocked-by-issue', 'dedup', 'budget', 'concurrency'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export function noMappingMessage(teamKey: string): string {
  return `No mapping for team ${teamKey}. Add one in Projects.`;
}

export function pausedMessage(teamKey: string): string {
  return `Project ${teamKey} is paused.`;
}

export function blockedByIssueMessage(openBlockers: readonly string[]): string {
  return `Blocked by open issue${openBlockers.length === 1 ? '' : 's'} ${openBlockers.join(', ')}. Waiting for ${
    openBlockers.length === 1 ? 'it' : 'them'
  } to close.`;
}

export const DEDUP_MESSAGE = 'Already dispatched recently. Waiting for the in-flight job.';

export function concurrencyMessage(inProgress: number, cap: number): string {
  return `at concurrency cap (${inProgress}/${cap}). Waiting for a slot.`;
}

/** The identifiers of the blockers still open, in natural order. */
export function openBlockers(blockedBy: readonly BlockingRelation[]): string[] {
  const open = new Set<string>();
  for (const b of blockedBy) if (b.open) open.add(b.identifier);
  return [...open].sort(compareNatural);
}

/**
 * Natural string order: runs of digits compare by value, so `ENG-2` < `ENG-10`; equal values
 * with different zero padding fall back to plain order, keeping the order total.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      // Compare digit runs by value without parsing: strip leading zeros, then length, then text.
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const la = ei - si;
      const lb = ej - sj;
      if (la !== lb) return la - lb;
      for (let k = 0; k < la; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  if (a.length - i !== b.length - j) return a.length - i - (b.length - j);
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
