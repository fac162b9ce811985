import type { ProbeClass } from '../core/domain/probe-classification.js';
import type { SecurityEvent, SecurityKind, SecuritySignal, SecurityStatus } from '../core/domain/security-events.js';

/** Which security events to list; every field narrows. Newest `lastSeen` first, ties by descending id. */
export interface SecurityEventQuery {
  kind?: SecurityKind;
  classification?: ProbeClass;
  status?: SecurityStatus;
  source?: string;
  /** Only groups last seen at or after this time. */
  since?: number;
  limit?: number;
  offset?: number;
}

export interface SecurityEventPage {
  items: SecurityEvent[];
  total: number;
}

export type SecurityStatusChange =
  | { kind: 'changed'; event: SecurityEvent }
  | { kind: 'notFound' }
  /** Another writer moved it first: the status is no longer `from`. */
  | { kind: 'conflict'; event: SecurityEvent };

/**
 * Security events, grouped (core/domain/security-events.ts). Contract (checked by
 * testing/contracts/security-events.contract.ts against every adapter):
 * - `record` adds `count` sightings of a signal: to the active group (open, triaged,
 *   in_progress) of the same fingerprint when there is one, else as a new group with `newId`.
 *   One call is atomic: concurrent records of one fingerprint never make two active groups
 *   within one process, and never lose a sighting.
 * - `setStatus` is a compare-and-set on the status read (`from`).
 * - `list` filters and pages in the store; `prune` drops groups last seen before `before`,
 *   then the oldest beyond `keep`.
 */
export interface SecurityEventStore {
  record(signal: SecuritySignal, count: number, newId: string): Promise<SecurityEvent>;
  get(id: string): Promise<SecurityEvent | undefined>;
  list(query?: SecurityEventQuery): Promise<SecurityEventPage>;
  setStatus(id: string, from: SecurityStatus, to: SecurityStatus, at: number): Promise<SecurityStatusChange>;
  prune(before: number, keep: number): Promise<number>;
}
