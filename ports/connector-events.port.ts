import type {
  ConnectorEvent,
  ConnectorEventSummary,
  ConnectorOutcome,
  ConnectorSource,
} from '../core/domain/connector-events.js';

/** Which connector events to list; every field narrows. Newest `receivedAt` first, ties by descending id. */
export interface ConnectorEventQuery {
  source?: ConnectorSource;
  outcome?: ConnectorOutcome;
  direction?: 'inbound' | 'outbound';
  /** Only events received at or after this time. */
  since?: number;
  /** A whole number >= 0 (default 50). */
  limit?: number;
  offset?: number;
}

export interface ConnectorEventPage {
  items: ConnectorEventSummary[];
  /** How many match the filters, over every page. */
  total: number;
}

/**
 * The connector event log (core/domain/connector-events.ts). Contract (checked by
 * testing/contracts/connector-events.contract.ts against every adapter):
 * - `put` inserts or replaces by id; values round-trip (plain JSON); nothing returned is live.
 * - `list` filters and pages in the store (SQL: an index per filter, never the whole table) and
 *   leaves bodies out; `get` returns the body.
 * - `findByDelivery` finds the newest inbound event of a source with that delivery id.
 * - `prune` drops events received before `before`, then the oldest beyond `keep`; resolves how
 *   many went. `keep` and page fields that are not whole numbers >= 0 reject with a RangeError.
 */
export interface ConnectorEventStore {
  put(event: ConnectorEvent): Promise<void>;
  get(id: string): Promise<ConnectorEvent | undefined>;
  list(query?: ConnectorEventQuery): Promise<ConnectorEventPage>;
  findByDelivery(source: ConnectorSource, deliveryId: string): Promise<ConnectorEvent | undefined>;
  prune(before: number, keep: number): Promise<number>;
}
