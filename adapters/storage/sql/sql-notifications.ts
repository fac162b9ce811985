import type { ExpressionBuilder, Kysely } from 'kysely';
import type {
  NotificationQuery,
  NotificationQueueStore,
  NotificationStatus,
  QueuedNotification,
} from '../../../ports/notification-queue.port.js';
import { checkClaim, checkPage, checkPrune, checkRecorded, queuedFrom, settled } from '../notification-rows.js';
import { deleteBeyondNewest } from './sql-keep-newest.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';
import { transact } from './sql-transaction.js';

type Row = SqlDatabase['notifications'];
type Run = <T>(what: string, task: () => Promise<T>) => Promise<T>;

/** The part of a notification kept whole in `data`; the rest lives in columns. */
type Data = Pick<QueuedNotification, 'channel' | 'route' | 'message' | 'attempts' | 'attemptCount'>;

function toRow(n: QueuedNotification, claim: { by: string | null; until: number | null }): Row {
  const data: Data = {
    channel: n.channel,
    ...(n.route !== undefined ? { route: n.route } : {}),
    message: n.message,
    attempts: n.attempts,
    attemptCount: n.attemptCount,
  };
  return {
    id: n.id,
    status: n.status,
    channel: n.channel,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    next_attempt_at: n.nextAttemptAt,
    claimed_by: claim.by,
    claim_until: claim.until,
    data: JSON.stringify(data),
  };
}

function fromRow(row: Row): QueuedNotification {
  const data = JSON.parse(row.data) as Data;
  return {
    id: row.id,
    ...data,
    status: row.status as NotificationStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    nextAttemptAt: Number(row.next_attempt_at),
  };
}

/** Pending and due, or claimed by a worker whose claim lapsed. */
const due = (at: number) => (eb: ExpressionBuilder<SqlDatabase, 'notifications'>) =>
  eb.or([
    eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
    eb.and([eb('status', '=', 'sending'), eb('claim_until', '<=', at)]),
  ]);

/**
 * The queue on SQL. A claim is one conditional UPDATE per candidate row (the same due
 * condition the candidates were read with), so of two workers that read the same candidates,
 * the database gives each row to exactly one — on SQLite and PostgreSQL alike, no row locks.
 */
export function createSqlNotificationQueue(db: Kysely<SqlDatabase>, kind: SqlKind, run: Run): NotificationQueueStore {
  const matching =
    (query: Omit<NotificationQuery, 'limit' | 'offset'>) => (eb: ExpressionBuilder<SqlDatabase, 'notifications'>) =>
      eb.and([
        ...(query.status ? [eb('status', '=', query.status)] : []),
        ...(query.channel ? [eb('channel', '=', query.channel)] : []),
      ]);

  return {
    enqueue: (n) =>
      run('notifications.enqueue', async () => {
        await db
          .insertInto('notifications')
          .values(toRow(queuedFrom(n), { by: null, until: null }))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }),

    record: async (n) => {
      checkRecorded(n);
      await run('notifications.record', async () => {
        await db
          .insertInto('notifications')
          .values(toRow(n, { by: null, until: null }))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      });
    },

    claimDue: async (owner, at, ttlMs, limit) => {
      checkClaim(ttlMs, limit);
      if (limit === 0) return [];
      return run('notifications.claimDue', async () => {
        const claimed: QueuedNotification[] = [];
        // Rows another worker took between the read and the update are no longer due, so the
        // next read skips them: the loop ends with `limit` rows or with nothing left to claim.
        while (claimed.length < limit) {
          const candidates = await db
            .selectFrom('notifications')
            .select('id')
            .where(due(at))
            .orderBy('next_attempt_at')
            .orderBy('id')
            .limit(limit - claimed.length)
            .execute();
          if (candidates.length === 0) break;
          for (const { id } of candidates) {
            const row = await db
              .updateTable('notifications')
              .set({ status: 'sending', claimed_by: owner, claim_until: at + ttlMs, updated_at: at })
              .where('id', '=', id)
              .where(due(at))
              .returningAll()
              .executeTakeFirst();
            if (row) claimed.push(fromRow(row));
          }
        }
        return claimed;
      });
    },

    settle: (id, owner, outcome, at) =>
      run('notifications.settle', () =>
        transact(db, kind, async (trx) => {
          const row = await trx
            .selectFrom('notifications')
            .selectAll()
            .where('id', '=', id)
            .where('status', '=', 'sending')
            .where('claimed_by', '=', owner)
            .executeTakeFirst();
          if (!row) return false;
          const next = toRow(settled(fromRow(row), outcome, at), { by: null, until: null });
          const result = await trx
            .updateTable('notifications')
            .set(next)
            .where('id', '=', id)
            .where('claimed_by', '=', owner)
            .executeTakeFirstOrThrow();
          return result.numUpdatedRows > 0n;
        }),
      ),

    get: (id) =>
      run('notifications.get', async () => {
        const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
        return row && fromRow(row);
      }),

    list: async (query) => {
      const { limit, offset } = checkPage(query);
      return run('notifications.list', async () => {
        const rows = await db
          .selectFrom('notifications')
          .selectAll()
          .where(matching(query))
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .limit(limit)
          .offset(offset)
          .execute();
        return rows.map(fromRow);
      });
    },

    count: (query = {}) =>
      run('notifications.count', async () => {
        const row = await db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(matching(query))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      }),

    prune: async (finishedBefore, keep) => {
      checkPrune(keep);
      return run('notifications.prune', async () => {
        const old = await db
          .deleteFrom('notifications')
          .where('status', 'in', ['delivered', 'failed'])
          .where('updated_at', '<', finishedBefore)
          .executeTakeFirstOrThrow();
        const beyond = await deleteBeyondNewest(db, 'notifications', 'created_at', keep, 'asc');
        return Number(old.numDeletedRows + beyond);
      });
    },
  };
}
