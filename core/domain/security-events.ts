/**
 * Security events (issue 18, "Security events"; platform-admin-operations.txt, "Admin feedback
 * and triage"): signals of someone trying the doors, grouped so that a repeated probe is one
 * row to triage, with the seed's workflow `open → triaged → in_progress → done`, then
 * `archived`. Pure: times arrive as values.
 */
import type { ProbeClass } from './probe-classification.js';

export const SECURITY_KINDS = [
  'sign_in_failed',
  'sign_in_lockout',
  'bad_webhook_signature',
  'bad_run_token',
  'replayed_run_token',
  'bad_nonce',
  'probe',
  'unknown_route',
] as const;
export type SecurityKind = (typeof SECURITY_KINDS)[number];

export const SECURITY_STATUSES = ['open', 'triaged', 'in_progress', 'done', 'archived'] as const;
export type SecurityStatus = (typeof SECURITY_STATUSES)[number];

/** A group still being worked on takes in repeats; one that is done or archived does not. */
export const ACTIVE_SECURITY_STATUSES: readonly SecurityStatus[] = ['open', 'triaged', 'in_progress'];

export type GroupHint = 'duplicate' | 'burst';

/** One observation, before grouping. */
export interface SecuritySignal {
  kind: SecurityKind;
  classification?: ProbeClass;
  /** The client's address key (hosts/http/client-address.ts). */
  source: string;
  /** `METHOD /route/pattern`, or the path for a route that does not exist (cut short). */
  route: string;
  /** A short, redacted sample of what was sent (a probe's text); never rendered as HTML. */
  sample?: string;
  /**
   * Why the request was refused, from a fixed vocabulary (a run token's `bad_signature`,
   * `expired`, `already_consumed`, …): part of the fingerprint, so each reason is its own group.
   * Never the credential or any part of it.
   */
  detail?: string;
  at: number;
}

/** A group of the same signal from the same source on the same route. */
export interface SecurityEvent {
  id: string;
  fingerprint: string;
  kind: SecurityKind;
  classification?: ProbeClass;
  source: string;
  route: string;
  sample?: string;
  detail?: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  hints: GroupHint[];
  status: SecurityStatus;
  updatedAt: number;
}

/** Repeats within this window of the group's first sighting, this many or more, make a burst. */
export const BURST_WINDOW_MS = 60_000;
export const BURST_COUNT = 10;
/** Routes and samples are cut to these lengths: an attacker chooses them. */
export const ROUTE_LIMIT = 200;
export const SAMPLE_LIMIT = 200;
export const DETAIL_LIMIT = 100;

/** What makes two signals the same group (a signal without a detail keeps the fingerprint it had before details). */
export function fingerprintOf(signal: Pick<SecuritySignal, 'kind' | 'classification' | 'source' | 'route' | 'detail'>): string {
  const parts = [signal.kind, signal.classification ?? '', signal.source, signal.route];
  if (signal.detail !== undefined) parts.push(signal.detail);
  return parts.join('|');
}

/** The hints of a group of `count` sightings between `firstSeen` and `lastSeen` (once a burst, always a burst). */
export function groupHints(count: number, firstSeen: number, lastSeen: number, previous: readonly GroupHint[] = []): GroupHint[] {
  const hints: GroupHint[] = [];
  if (count > 1) hints.push('duplicate');
  if (previous.includes('burst') || (count >= BURST_COUNT && lastSeen - firstSeen <= BURST_WINDOW_MS)) hints.push('burst');
  return hints;
}

/** A new group from `count` sightings of one signal. */
export function newSecurityEvent(id: string, signal: SecuritySignal, count: number): SecurityEvent {
  return {
    id,
    fingerprint: fingerprintOf(signal),
    kind: signal.kind,
    ...(signal.classification ? { classification: signal.classification } : {}),
    source: signal.source,
    route: signal.route.slice(0, ROUTE_LIMIT),
    ...(signal.sample !== undefined ? { sample: signal.sample.slice(0, SAMPLE_LIMIT) } : {}),
    ...(signal.detail !== undefined ? { detail: signal.detail.slice(0, DETAIL_LIMIT) } : {}),
    count,
    firstSeen: signal.at,
    lastSeen: signal.at,
    hints: groupHints(count, signal.at, signal.at),
    status: 'open',
    updatedAt: signal.at,
  };
}

/** The group after `count` more sightings, the last at `at`. */
export function addSightings(event: SecurityEvent, count: number, at: number): SecurityEvent {
  const total = event.count + count;
  const lastSeen = Math.max(event.lastSeen, at);
  return { ...event, count: total, lastSeen, hints: groupHints(total, event.firstSeen, lastSeen, event.hints), updatedAt: at };
}

/**
 * The seed's workflow: open → triaged → in_progress → done, each step forward or straight to
 * done (a false alarm), then archived once resolved. Reopening sends a triaged, in-progress or
 * done group back to open. Anything else is refused with the reason.
 */
const ALLOWED: Readonly<Record<SecurityStatus, readonly SecurityStatus[]>> = {
  open: ['triaged', 'in_progress', 'done'],
  triaged: ['in_progress', 'done', 'open'],
  in_progress: ['done', 'open'],
  done: ['archived', 'open'],
  archived: [],
};

export function transitionRefusal(from: SecurityStatus, to: SecurityStatus): string | undefined {
  if (from === to) return `The security event is already ${to}`;
  if (ALLOWED[from].includes(to)) return undefined;
  if (from === 'archived') return 'An archived security event cannot change status';
  return `Cannot move a security event from ${from} to ${to} (allowed: ${ALLOWED[from].join(', ')})`;
}
