import type { H3Event } from 'h3';
import type { DeliveryVerdict } from '../../core/app/operations/connector-deliveries.js';
import type { ConnectorEventsService } from '../../core/app/operations/connector-events.service.js';
import type { SecurityEventsService } from '../../core/app/operations/security-events.service.js';
import type { ConnectorSource } from '../../core/domain/connector-events.js';
import { clientOf } from './client-address.js';
import type { TrustedProxies } from './trusted-proxies.js';

export interface ConnectorRecordingDeps {
  connectorEvents: ConnectorEventsService;
  securityEvents: SecurityEventsService;
  /** Which proxies' X-Forwarded-For to believe for the source address (TRUST_PROXY). */
  trustedProxies: TrustedProxies;
}

/** What the receiving route knows of a delivery besides its verdict. */
export interface DeliveryFacts {
  source: ConnectorSource;
  receivedAt: number;
  body?: Uint8Array | string;
  deliveryId?: string;
  event?: string | null;
  action?: unknown;
}

/** Deliveries that did not verify, recorded per source address per minute; beyond, only the security event counts them. */
export const UNVERIFIED_RECORDS_PER_MINUTE = 20;
const ADDRESSES_TRACKED = 1_000;

/**
 * Per address, how many unverified deliveries were recorded in its current minute: a flood of
 * unsigned posts cannot push real deliveries out of the log (its retention keeps the newest).
 * Per connector service (a WeakMap key), so two apps in one process count apart.
 */
const unverified = new WeakMap<object, Map<string, { since: number; count: number }>>();
function mayRecordUnverified(owner: object, client: string, at: number): boolean {
  let windows = unverified.get(owner);
  if (!windows) {
    windows = new Map();
    unverified.set(owner, windows);
  }
  const current = windows.get(client);
  if (!current || at - current.since >= 60_000) {
    if (!current && windows.size >= ADDRESSES_TRACKED) windows.delete(windows.keys().next().value as string);
    windows.set(client, { since: at, count: 1 });
    return true;
  }
  current.count++;
  return current.count <= UNVERIFIED_RECORDS_PER_MINUTE;
}

/**
 * Records a delivery in the connector event log and, when its signature or bearer did not
 * hold, a security event for its source address. Both are queued: the answer never waits.
 */
export function recordDelivery(deps: ConnectorRecordingDeps, event: H3Event, facts: DeliveryFacts, verdict: DeliveryVerdict) {
  const failed = verdict.signature === 'invalid' || verdict.signature === 'missing';
  if (failed) {
    deps.securityEvents.signal({
      kind: 'bad_webhook_signature',
      source: clientOf(event, deps.trustedProxies),
      route: `${event.req.method} ${event.url.pathname}`,
    });
    if (!mayRecordUnverified(deps.connectorEvents, clientOf(event, deps.trustedProxies), facts.receivedAt)) return;
  }
  deps.connectorEvents.recordInbound({
    source: facts.source,
    ...(facts.deliveryId ? { deliveryId: facts.deliveryId } : {}),
    ...(facts.event ? { event: facts.event } : {}),
    ...(typeof facts.action === 'string' ? { action: facts.action } : {}),
    receivedAt: facts.receivedAt,
    signature: verdict.signature,
    outcome: verdict.outcome,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
    caused: verdict.caused,
    // A delivery that did not verify is kept without its body: anyone can send one.
    ...(facts.body !== undefined && verdict.signature === 'verified' ? { body: facts.body } : {}),
  });
}

/** A duplicate: a verified redelivery of an id already seen; acted on once, recorded each time. */
export function recordDuplicate(deps: ConnectorRecordingDeps, facts: DeliveryFacts & { deliveryId: string }) {
  deps.connectorEvents.recordInbound({
    source: facts.source,
    deliveryId: facts.deliveryId,
    ...(facts.event ? { event: facts.event } : {}),
    ...(typeof facts.action === 'string' ? { action: facts.action } : {}),
    receivedAt: facts.receivedAt,
    signature: 'verified',
    outcome: 'duplicate',
    reason: `delivery ${facts.deliveryId} was received before`,
    ...(facts.body !== undefined ? { body: facts.body } : {}),
  });
}
