import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import {
  ACTIVE_SECURITY_STATUSES,
  addSightings,
  fingerprintOf,
  newSecurityEvent,
  type SecurityEvent,
} from '../../../core/domain/security-events.js';
import type { SecurityEventQuery, SecurityEventStore } from '../../../ports/security-events.port.js';
import { assertPage, assertPositive } from '../plain.js';
import { DEFAULT_PAGE, type SqlRun } from './sql-connector-events.js';
import { deleteBeyondNewest } from './sql-keep-newest.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';
import { transact } from './sql-transaction.js';

/** Grouped security events on SQL: a sighting joins its active group in one transaction. */
export function createSqlSecurityEvents(db: Kysely<SqlDatabase>, kind: SqlKind, run: SqlRun): SecurityEventStore {
  const row = (event: SecurityEvent) => ({
    id: event.id,
    fingerprint: event.fingerprint,
    kind: event.kind,
    classification: event.classification ?? null,
    status: event.status,
    source: event.source,
    last_seen: event.lastSeen,
    data: JSON.stringify(event),
  });
  const parse = (r: { data: string }) => JSON.parse(r.data) as SecurityEvent;
  return {
    record: async (signal, count, newId) => {
      assertPositive('count', count, true);
      return run('securityEvents.record', () =>
        transact(db, kind, async (trx) => {
          const fingerprint = fingerprintOf(signal);
          // Replicas recording one fingerprint at once queue here, so only one makes the group.
          if (kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${fingerprint}))`.execute(trx);
          const active = await trx
            .selectFrom('security_events')
            .select('data')
            .where('fingerprint', '=', fingerprint)
            .where('status', 'in', ACTIVE_SECURITY_STATUSES)
            .orderBy('last_seen', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (active) {
            const next = addSightings(parse(active), count, signal.at);
            const { id, ...changes } = row(next);
            await trx.updateTable('security_events').set(changes).where('id', '=', id).execute();
            return next;
          }
          const created = newSecurityEvent(newId, signal, count);
          await trx.insertInto('security_events').values(row(created)).execute();
          return created;
        }),
      );
    },
    get: (id) =>
      run('securityEvents.get', async () => {
        const found = await db.selectFrom('security_events').select('data').where('id', '=', id).executeTakeFirst();
        return found && parse(found);
      }),
    list: (query = {}) =>
      run('securityEvents.list', async () => {
        const limit = assertPage('limit', query.limit ?? DEFAULT_PAGE);
        const offset = assertPage('offset', query.offset ?? 0);
        const rows = await whereSecurityEvents(db.selectFrom('security_events').select('data'), query)
          .orderBy('last_seen', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute();
        const counted = await whereSecurityEvents(
          db.selectFrom('security_events').select((eb) => eb.fn.countAll<number>().as('n')),
          query,
        ).executeTakeFirstOrThrow();
        return { items: rows.map(parse), total: Number(counted.n) };
      }),
    setStatus: (id, from, to, at) =>
      run('securityEvents.setStatus', () =>
        transact(db, kind, async (trx) => {
          const found = await trx.selectFrom('security_events').select('data').where('id', '=', id).executeTakeFirst();
          if (!found) return { kind: 'notFound' as const };
          const current = parse(found);
          if (current.status !== from) return { kind: 'conflict' as const, event: current };
          const next: SecurityEvent = { ...current, status: to, updatedAt: at };
          const { id: _id, ...changes } = row(next);
          const result = await trx
            .updateTable('security_events')
            .set(changes)
            .where('id', '=', id)
            .where('status', '=', from)
            .executeTakeFirstOrThrow();
          return result.numUpdatedRows > 0n
            ? { kind: 'changed' as const, event: next }
            : { kind: 'conflict' as const, event: current };
        }),
      ),
    prune: (before, keep) =>
      run('securityEvents.prune', async () => {
        assertPage('keep', keep);
        const old = await db.deleteFrom('security_events').where('last_seen', '<', before).executeTakeFirstOrThrow();
        const over = await deleteBeyondNewest(db, 'security_events', 'last_seen', keep, 'desc');
        return Number(old.numDeletedRows + over);
      }),
  };
}

function whereSecurityEvents<O>(
  q: SelectQueryBuilder<SqlDatabase, 'security_events', O>,
  query: SecurityEventQuery,
): SelectQueryBuilder<SqlDatabase, 'security_events', O> {
  let out = q;
  if (query.kind !== undefined) out = out.where('kind', '=', query.kind);
  if (query.classification !== undefined) out = out.where('classification', '=', query.classification);
  if (query.status !== undefined) out = out.where('status', '=', query.status);
  if (query.source !== undefined) out = out.where('source', '=', query.source);
  if (query.since !== undefined) out = out.where('last_seen', '>=', query.since);
  return out;
}
