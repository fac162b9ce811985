import type { NotificationQuery, NotificationQueueStore, QueuedNotification } from '../../../ports/notification-queue.port.js';
import {
  checkClaim,
  checkPage,
  checkPrune,
  checkRecorded,
  isDue,
  newestFirst,
  queuedFrom,
  settled,
} from '../notification-rows.js';
import { plain } from '../plain.js';
import type { DocumentBackend } from './document-backend.js';

type Run = <T>(what: string, task: () => Promise<T>) => Promise<T>;

/** A stored notification with its claim, which the port never shows. */
type Stored = QueuedNotification & { claimedBy?: string; claimUntil?: number };

const TABLE = 'notifications';

function shown({ claimedBy: _by, claimUntil: _until, ...notification }: Stored): QueuedNotification {
  return plain(notification);
}

/**
 * The queue over a key-value backend. Every call runs under the document store's one mutex
 * (`run`), so a claim is atomic within the process — the only one these stores serve. Listing
 * reads the whole table: the queue is bounded by `prune`, which the worker runs every round.
 */
export function createDocumentNotificationQueue(backend: DocumentBackend, run: Run): NotificationQueueStore {
  const all = async () => (await backend.entries(TABLE)).map(([, value]) => value as Stored);
  const matching = async (query: Omit<NotificationQuery, 'limit' | 'offset'>) =>
    (await all())
      .filter((n) => (!query.status || n.status === query.status) && (!query.channel || n.channel === query.channel))
      .sort(newestFirst);
  const write = (rows: Stored[]) => backend.write(rows.map((row) => ({ table: TABLE, id: row.id, value: plain(row) })));

  return {
    enqueue: (n) =>
      run('notifications.enqueue', async () => {
        if ((await backend.get(TABLE, n.id)) !== undefined) return;
        await write([queuedFrom(plain(n))]);
      }),
    record: async (n) => {
      checkRecorded(n);
      await run('notifications.record', async () => {
        if ((await backend.get(TABLE, n.id)) !== undefined) return;
        await write([plain(n)]);
      });
    },
    claimDue: async (owner, at, ttlMs, limit) => {
      checkClaim(ttlMs, limit);
      return run('notifications.claimDue', async () => {
        const due = (await all())
          .filter((n) => isDue(n, at))
          .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1))
          .slice(0, limit)
          .map((n): Stored => ({ ...n, status: 'sending', claimedBy: owner, claimUntil: at + ttlMs, updatedAt: at }));
        if (due.length > 0) await write(due);
        return due.map(shown);
      });
    },
    settle: (id, owner, outcome, at) =>
      run('notifications.settle', async () => {
        const row = (await backend.get(TABLE, id)) as Stored | undefined;
        if (row?.status !== 'sending' || row.claimedBy !== owner) return false;
        await write([settled(shown(row), outcome, at)]);
        return true;
      }),
    get: (id) =>
      run('notifications.get', async () => {
        const row = (await backend.get(TABLE, id)) as Stored | undefined;
        return row && shown(row);
      }),
    list: async (query) => {
      const { limit, offset } = checkPage(query);
      return run('notifications.list', async () => (await matching(query)).slice(offset, offset + limit).map(shown));
    },
    count: (query = {}) => run('notifications.count', async () => (await matching(query)).length),
    prune: async (finishedBefore, keep) => {
      checkPrune(keep);
      return run('notifications.prune', async () => {
        const rows = (await all()).sort(newestFirst);
        const gone = rows.filter(
          (n, index) => index >= keep || ((n.status === 'delivered' || n.status === 'failed') && n.updatedAt < finishedBefore),
        );
        if (gone.length > 0) await backend.write(gone.map((n) => ({ table: TABLE, id: n.id, value: undefined })));
        return gone.length;
      });
    },
  };
}
