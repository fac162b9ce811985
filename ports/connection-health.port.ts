/**
 * ConnectionHealth — what the request governors know about each outside connection (a
 * service's base URL with one credential), for the operator's views. Read-only and cheap: a
 * snapshot of in-memory state, no request is made to answer it.
 *
 * - `ok`: requests go out.
 * - `limited`: the service asked us to wait; no request leaves before `until` (epoch ms).
 * - `backoff`: recent 5xx or timeouts; the next request waits until `until`.
 * - `open`: the circuit opened at `since` after repeated failures; one probe goes at `until`.
 * `remaining`/`resetAt` are the service's own budget figures from its last answer, when it
 * sends them (Linear's and GitHub's rate-limit headers).
 */
export type ConnectionStateKind = 'ok' | 'limited' | 'backoff' | 'open';

export interface ConnectionStatus {
  /** The service: `linear`, `jira`, `github` or `fly`. */
  service: string;
  /** A stable id of the connection: the base URL and a digest of the credential, never the credential. */
  id: string;
  baseUrl: string;
  state: ConnectionStateKind;
  /** limited/backoff: no request before this; open: the next probe. */
  until?: number;
  /** open: since when. */
  since?: number;
  consecutiveFailures: number;
  remaining?: number;
  resetAt?: number;
}

export interface ConnectionHealth {
  /** Every connection that has been used or configured, in a stable order. */
  list(now: number): ConnectionStatus[];
}
