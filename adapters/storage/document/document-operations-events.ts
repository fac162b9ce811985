import type { ConnectorEvent, ConnectorEventSummary } from '../../../core/domain/connector-events.js';
import {
  ACTIVE_SECURITY_STATUSES,
  addSightings,
  fingerprintOf,
  newSecurityEvent,
  type SecurityEvent,
} from '../../../core/domain/security-events.js';
import type { ConnectorEventQuery, ConnectorEventStore } from '../../../ports/connector-events.port.js';
import type { SecurityEventQuery, SecurityEventStore } from '../../../ports/security-events.port.js';
import { assertPage, assertPositive, plain } from '../plain.js';
import { type DocumentBackend, documentsTable } from './document-backend.js';

type Run = <T>(what: string, task: () => Promise<T>) => Promise<T>;

/** The document collections of the two logs (`records` of a lowdb file); an import leaves them out. */
export const OPERATIONS_LOG_COLLECTIONS = ['connector-events', 'security-events'] as const;

const CONNECTOR_TABLE = documentsTable(OPERATIONS_LOG_COLLECTIONS[0]);
const SECURITY_TABLE = documentsTable(OPERATIONS_LOG_COLLECTIONS[1]);
const DEFAULT_PAGE = 50;

/**
 * The connector event log and security events over a key-value backend: each a document
 * collection, filtered and paged by reading the collection (these stores are for small
 * installs: the retention caps in core/domain/retention.ts bound what a read costs).
 */
export function createDocumentOperationsEvents(
  backend: DocumentBackend,
  run: Run,
): { connectorEvents: ConnectorEventStore; securityEvents: SecurityEventStore } {
  const all = async <T>(table: typeof CONNECTOR_TABLE): Promise<T[]> => (await backend.entries(table)).map(([, v]) => v as T);
  const page = <T>(items: T[], query: { limit?: number; offset?: number }) => {
    const limit = assertPage('limit', query.limit ?? DEFAULT_PAGE);
    const offset = assertPage('offset', query.offset ?? 0);
    return { items: plain(items.slice(offset, offset + limit)), total: items.length };
  };
  const connectorsNewestFirst = async () =>
    (await all<ConnectorEvent>(CONNECTOR_TABLE)).sort((a, b) => b.receivedAt - a.receivedAt || byId(b.id, a.id));
  const securityNewestFirst = async () =>
    (await all<SecurityEvent>(SECURITY_TABLE)).sort((a, b) => b.lastSeen - a.lastSeen || byId(b.id, a.id));
  const dropAll = async (table: typeof CONNECTOR_TABLE, ids: string[]) => {
    if (ids.length > 0) await backend.write(ids.map((id) => ({ table, id, value: undefined })));
    return ids.length;
  };

  const connectorEvents: ConnectorEventStore = {
    put: (event) =>
      run('connectorEvents.put', () => backend.write([{ table: CONNECTOR_TABLE, id: event.id, value: plain(event) }])),
    get: (id) =>
      run('connectorEvents.get', async () => plain((await backend.get(CONNECTOR_TABLE, id)) as ConnectorEvent | undefined)),
    list: (query = {}) =>
      run('connectorEvents.list', async () => {
        const found = (await connectorsNewestFirst()).filter((e) => matchesConnector(e, query));
        const paged = page(found, query);
        return { items: paged.items.map(summaryOf), total: paged.total };
      }),
    findByDelivery: (source, deliveryId) =>
      run('connectorEvents.findByDelivery', async () =>
        plain(
          (await connectorsNewestFirst()).find(
            (e) => e.source === source && e.deliveryId === deliveryId && e.direction === 'inbound',
          ),
        ),
      ),
    prune: (before, keep) =>
      run('connectorEvents.prune', async () => {
        assertPage('keep', keep);
        const sorted = await connectorsNewestFirst();
        const gone = sorted.filter((e, i) => e.receivedAt < before || i >= keep).map((e) => e.id);
        return dropAll(CONNECTOR_TABLE, gone);
      }),
  };

  const securityEvents: SecurityEventStore = {
    record: async (signal, count, newId) => {
      assertPositive('count', count, true);
      return run('securityEvents.record', async () => {
        const fingerprint = fingerprintOf(signal);
        const active = (await securityNewestFirst()).find(
          (e) => e.fingerprint === fingerprint && ACTIVE_SECURITY_STATUSES.includes(e.status),
        );
        const next = active ? addSightings(active, count, signal.at) : newSecurityEvent(newId, signal, count);
        await backend.write([{ table: SECURITY_TABLE, id: next.id, value: plain(next) }]);
        return plain(next);
      });
    },
    get: (id) =>
      run('securityEvents.get', async () => plain((await backend.get(SECURITY_TABLE, id)) as SecurityEvent | undefined)),
    list: (query = {}) =>
      run('securityEvents.list', async () =>
        page(
          (await securityNewestFirst()).filter((e) => matchesSecurity(e, query)),
          query,
        ),
      ),
    setStatus: (id, from, to, at) =>
      run('securityEvents.setStatus', async () => {
        const current = plain((await backend.get(SECURITY_TABLE, id)) as SecurityEvent | undefined);
        if (!current) return { kind: 'notFound' as const };
        if (current.status !== from) return { kind: 'conflict' as const, event: current };
        const next: SecurityEvent = { ...current, status: to, updatedAt: at };
        await backend.write([{ table: SECURITY_TABLE, id, value: plain(next) }]);
        return { kind: 'changed' as const, event: next };
      }),
    prune: (before, keep) =>
      run('securityEvents.prune', async () => {
        assertPage('keep', keep);
        const sorted = await securityNewestFirst();
        const gone = sorted.filter((e, i) => e.lastSeen < before || i >= keep).map((e) => e.id);
        return dropAll(SECURITY_TABLE, gone);
      }),
  };
  return { connectorEvents, securityEvents };
}

function summaryOf(event: ConnectorEvent): ConnectorEventSummary {
  const { body: _body, ...summary } = event;
  return summary;
}

function matchesConnector(e: ConnectorEvent, q: ConnectorEventQuery): boolean {
  return (
    (q.source === undefined || e.source === q.source) &&
    (q.outcome === undefined || e.outcome === q.outcome) &&
    (q.direction === undefined || e.direction === q.direction) &&
    (q.since === undefined || e.receivedAt >= q.since)
  );
}

function matchesSecurity(e: SecurityEvent, q: SecurityEventQuery): boolean {
  return (
    (q.kind === undefined || e.kind === q.kind) &&
    (q.classification === undefined || e.classification === q.classification) &&
    (q.status === undefined || e.status === q.status) &&
    (q.source === undefined || e.source === q.source) &&
    (q.since === undefined || e.lastSeen >= q.since)
  );
}

/** SQL's id order (binary collation): code points. */
function byId(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
