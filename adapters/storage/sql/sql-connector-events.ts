import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ConnectorEvent, ConnectorEventSummary } from '../../../core/domain/connector-events.js';
import type { ConnectorEventQuery, ConnectorEventStore } from '../../../ports/connector-events.port.js';
import { assertPage } from '../plain.js';
import { deleteBeyondNewest } from './sql-keep-newest.js';
import type { SqlDatabase } from './sql-schema.js';

export type SqlRun = <T>(what: string, task: () => Promise<T>) => Promise<T>;

/** Listing pages are this long unless asked otherwise. */
export const DEFAULT_PAGE = 50;

/** The connector event log on SQL: the body in its own column, read only by `get`. */
export function createSqlConnectorEvents(db: Kysely<SqlDatabase>, run: SqlRun): ConnectorEventStore {
  const base = () => db.selectFrom('connector_events');
  return {
    put: (event) =>
      run('connectorEvents.put', async () => {
        const { body, ...summary } = event;
        const row = {
          id: event.id,
          direction: event.direction,
          source: event.source,
          outcome: event.outcome,
          delivery_id: event.deliveryId ?? null,
          received_at: event.receivedAt,
          data: JSON.stringify(summary),
          body: body ?? null,
        };
        const { id: _id, ...changes } = row;
        await db
          .insertInto('connector_events')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(changes))
          .execute();
      }),
    get: (id) =>
      run('connectorEvents.get', async () => {
        const row = await base().select(['data', 'body']).where('id', '=', id).executeTakeFirst();
        return row && withBody(row);
      }),
    list: (query = {}) =>
      run('connectorEvents.list', async () => {
        const limit = assertPage('limit', query.limit ?? DEFAULT_PAGE);
        const offset = assertPage('offset', query.offset ?? 0);
        const rows = await whereConnectorEvents(base().select('data'), query)
          .orderBy('received_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute();
        const counted = await whereConnectorEvents(
          base().select((eb) => eb.fn.countAll<number>().as('n')),
          query,
        ).executeTakeFirstOrThrow();
        return { items: rows.map((r) => JSON.parse(r.data) as ConnectorEventSummary), total: Number(counted.n) };
      }),
    findByDelivery: (source, deliveryId) =>
      run('connectorEvents.findByDelivery', async () => {
        const row = await base()
          .select(['data', 'body'])
          .where('source', '=', source)
          .where('delivery_id', '=', deliveryId)
          .where('direction', '=', 'inbound')
          .orderBy('received_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row && withBody(row);
      }),
    prune: (before, keep) =>
      run('connectorEvents.prune', async () => {
        assertPage('keep', keep);
        const old = await db.deleteFrom('connector_events').where('received_at', '<', before).executeTakeFirstOrThrow();
        const over = await deleteBeyondNewest(db, 'connector_events', 'received_at', keep, 'desc');
        return Number(old.numDeletedRows + over);
      }),
  };
}

function withBody(row: { data: string; body: string | null }): ConnectorEvent {
  const summary = JSON.parse(row.data) as ConnectorEventSummary;
  return row.body === null ? summary : { ...summary, body: row.body };
}

function whereConnectorEvents<O>(
  q: SelectQueryBuilder<SqlDatabase, 'connector_events', O>,
  query: ConnectorEventQuery,
): SelectQueryBuilder<SqlDatabase, 'connector_events', O> {
  let out = q;
  if (query.source !== undefined) out = out.where('source', '=', query.source);
  if (query.outcome !== undefined) out = out.where('outcome', '=', query.outcome);
  if (query.direction !== undefined) out = out.where('direction', '=', query.direction);
  if (query.since !== undefined) out = out.where('received_at', '>=', query.since);
  return out;
}
