/**
 * The connector event log (issue 18, "Connector event log"; platform-admin-operations.txt,
 * "Connector event operations"): one record per inbound delivery (Linear, GitHub, the gap-fill
 * trigger, the embedded tracker) and per failed outbound call (a ticket comment, a label or
 * status move, a workflow dispatch) with its retry state. Pure: times and ids arrive as values.
 */

export const CONNECTOR_SOURCES = ['linear', 'github', 'gap-fill', 'tracker', 'jira', 'runner'] as const;
export type ConnectorSource = (typeof CONNECTOR_SOURCES)[number];

/** `failed` is an outbound call that did not go through (its `retry` says what happens next). */
export const CONNECTOR_OUTCOMES = ['acted', 'ignored', 'duplicate', 'rejected', 'failed'] as const;
export type ConnectorOutcome = (typeof CONNECTOR_OUTCOMES)[number];

/**
 * How the delivery proved who sent it: `verified` (signature or bearer held), `invalid`,
 * `missing` (no signature sent), `not_configured` (no secret set: the endpoint is off),
 * `not_applicable` (the embedded tracker's own changes, an outbound call, a replay).
 */
export type SignatureVerdict = 'verified' | 'invalid' | 'missing' | 'not_configured' | 'not_applicable';

export type RetryState = 'retrying' | 'gave_up' | 'recovered';

export interface OutboundRetry {
  /** Failed attempts so far. */
  attempts: number;
  state: RetryState;
  lastError: string;
  lastAttemptAt: number;
}

export interface ConnectorEvent {
  id: string;
  direction: 'inbound' | 'outbound';
  source: ConnectorSource;
  /** The vendor's delivery id (`X-GitHub-Delivery`, Linear's `webhookId@webhookTimestamp`). */
  deliveryId?: string;
  /** `pull_request`, `Issue`, `comment`, `workflow_dispatch`, … */
  event?: string;
  action?: string;
  receivedAt: number;
  signature: SignatureVerdict;
  outcome: ConnectorOutcome;
  /** Why it was ignored, rejected or failed. */
  reason?: string;
  /** What it caused: jobs started and teams reconciled. */
  caused: { jobIds: string[]; teams: string[] };
  latencyMs: number;
  /** The body, secrets redacted, cut at CONNECTOR_BODY_LIMIT characters. */
  body?: string;
  /** The body's size as received, in bytes. */
  bodyBytes: number;
  bodyTruncated: boolean;
  /** A replay names the event it re-processed. */
  replayOf?: string;
  /** An outbound call: what it was for (an issue identifier, a job id). */
  target?: string;
  retry?: OutboundRetry;
}

/** A listed event leaves its body out: a page of them stays small. */
export type ConnectorEventSummary = Omit<ConnectorEvent, 'body'>;

/** Bodies are kept up to this many characters (about 16 KB): enough for a webhook, not for a flood. */
export const CONNECTOR_BODY_LIMIT = 16_384;

/** The body as kept: cut at `limit` characters, and whether it was cut. */
export function capBody(text: string, limit = CONNECTOR_BODY_LIMIT): { body: string; truncated: boolean } {
  return text.length <= limit ? { body: text, truncated: false } : { body: text.slice(0, limit), truncated: true };
}

/**
 * A stored delivery may be replayed when it verified when it came, was kept whole (a cut body is
 * not the payload that was signed) and came from a source whose payloads can be acted on again.
 * The reason is the answer's `error` otherwise.
 */
export function replayRefusal(event: ConnectorEvent): string | undefined {
  if (event.direction !== 'inbound') return 'Only inbound deliveries can be replayed';
  if (event.source !== 'linear' && event.source !== 'github') return `Deliveries from ${event.source} cannot be replayed`;
  if (event.signature !== 'verified') return 'Only verified deliveries can be replayed';
  if (event.bodyTruncated || event.body === undefined) return 'The delivery body was not kept whole';
  return undefined;
}

/**
 * The next retry state of an outbound call after one more attempt: a failure keeps it
 * `retrying` until `maxAttempts` failures, then `gave_up`; a success after failures is `recovered`.
 */
export function nextRetry(
  previous: OutboundRetry | undefined,
  attempt: { ok: true; at: number } | { ok: false; at: number; error: string },
  maxAttempts: number,
): OutboundRetry {
  if (attempt.ok) {
    return {
      attempts: previous?.attempts ?? 0,
      state: 'recovered',
      lastError: previous?.lastError ?? '',
      lastAttemptAt: attempt.at,
    };
  }
  const attempts = (previous && previous.state !== 'recovered' ? previous.attempts : 0) + 1;
  return {
    attempts,
    state: attempts >= maxAttempts ? 'gave_up' : 'retrying',
    lastError: attempt.error,
    lastAttemptAt: attempt.at,
  };
}
