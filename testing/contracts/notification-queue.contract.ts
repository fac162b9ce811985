import { describe, expect, it } from 'vitest';
import { ATTEMPTS_KEPT, type NewNotification, type NotificationAttempt } from '../../ports/notification-queue.port.js';
import type { NotificationChannel } from '../../ports/notifier.port.js';
import type { Storage } from '../../ports/storage.port.js';

/** One store under test, fresh for every test. */
export interface NotificationQueueSubject {
  storage: Storage;
  /** Another live instance on the same location, as a second replica would open (shared stores only). */
  twin?: () => Promise<Storage>;
  cleanup?: () => Promise<void>;
}

const TTL = 30_000;

function note(id: string, createdAt: number, channel: NotificationChannel = 'slack'): NewNotification {
  return {
    id,
    channel,
    createdAt,
    message: { kind: 'run.failed', title: `${id} failed`, text: 'the run failed', at: createdAt, links: [] },
  };
}

const attempt = (at: number, ok: boolean): NotificationAttempt => ({ at, ok, durationMs: 5, detail: ok ? '200 ok' : 'HTTP 500' });

/**
 * The NotificationQueueStore contract (ports/notification-queue.port.ts), run against every
 * storage adapter. The claim test across two instances is registered only for shared stores.
 */
export function notificationQueueContract(
  name: string,
  make: () => Promise<NotificationQueueSubject>,
  features: { shared?: boolean } = {},
): void {
  const withSubject = (body: (s: NotificationQueueSubject, opened: Storage[]) => Promise<void>) => async () => {
    const subject = await make();
    const opened = [subject.storage];
    try {
      await body(subject, opened);
    } finally {
      for (const storage of opened) await storage.close();
      await subject.cleanup?.();
    }
  };

  describe(`${name} satisfies NotificationQueueStore`, () => {
    it(
      'queues a notification pending and due at once, and an id seen twice once',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        await q.enqueue(note('n1', 1000));
        await q.enqueue({ ...note('n1', 5000), channel: 'email' });
        const stored = await q.get('n1');
        expect(stored).toMatchObject({ id: 'n1', channel: 'slack', status: 'pending', createdAt: 1000, nextAttemptAt: 1000 });
        expect(stored?.attempts).toEqual([]);
        expect(stored?.attemptCount).toBe(0);
        expect(await q.get('missing')).toBeUndefined();
        expect(await q.count()).toBe(1);
      }),
    );

    it(
      'claims due notifications oldest first, each once until its claim lapses',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        for (const [id, at] of [
          ['c', 3000],
          ['a', 1000],
          ['b', 2000],
        ] as const)
          await q.enqueue(note(id, at));
        const first = await q.claimDue('w1', 5000, TTL, 2);
        expect(first.map((n) => n.id)).toEqual(['a', 'b']);
        expect(first.every((n) => n.status === 'sending')).toBe(true);
        expect((await q.claimDue('w2', 5000, TTL, 10)).map((n) => n.id)).toEqual(['c']);
        expect(await q.claimDue('w3', 5000 + TTL - 1, TTL, 10)).toEqual([]);
        // The claims lapse: another worker takes them over, and the first cannot settle any more.
        const retaken = await q.claimDue('w3', 5000 + TTL, TTL, 10);
        expect(retaken.map((n) => n.id).sort()).toEqual(['a', 'b', 'c']);
        expect(await q.settle('a', 'w1', { status: 'delivered', attempt: attempt(5001, true) }, 5001)).toBe(false);
        expect(await q.settle('a', 'w3', { status: 'delivered', attempt: attempt(5001, true) }, 5001)).toBe(true);
        expect(await q.claimDue('w4', 10_000_000, TTL, 0)).toEqual([]);
      }),
    );

    it(
      'settles: delivered and failed are final, pending waits for its next attempt',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        await q.enqueue(note('r', 1000));
        await q.enqueue(note('d', 1000));
        await q.claimDue('w', 1000, TTL, 10);
        expect(await q.settle('r', 'other', { status: 'delivered', attempt: attempt(1100, true) }, 1100)).toBe(false);
        expect(await q.settle('r', 'w', { status: 'pending', attempt: attempt(1100, false), nextAttemptAt: 9000 }, 1100)).toBe(
          true,
        );
        expect(await q.settle('r', 'w', { status: 'delivered', attempt: attempt(1100, true) }, 1100)).toBe(false);
        expect(await q.settle('d', 'w', { status: 'delivered', attempt: attempt(1200, true) }, 1200)).toBe(true);
        expect(await q.get('r')).toMatchObject({ status: 'pending', nextAttemptAt: 9000, attemptCount: 1, updatedAt: 1100 });
        expect((await q.get('r'))?.attempts).toEqual([attempt(1100, false)]);
        expect(await q.get('d')).toMatchObject({ status: 'delivered', attemptCount: 1 });
        expect(await q.claimDue('w', 8999, TTL, 10)).toEqual([]);
        expect((await q.claimDue('w', 9000, TTL, 10)).map((n) => n.id)).toEqual(['r']);
        expect(await q.settle('r', 'w', { status: 'failed', attempt: attempt(9100, false) }, 9100)).toBe(true);
        expect(await q.claimDue('w', 1e12, TTL, 10)).toEqual([]);
        expect(await q.get('r')).toMatchObject({ status: 'failed', attemptCount: 2 });
      }),
    );

    it(
      `keeps the newest ${ATTEMPTS_KEPT} attempts and counts them all`,
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        await q.enqueue(note('x', 0));
        const total = ATTEMPTS_KEPT + 3;
        for (let i = 1; i <= total; i++) {
          await q.claimDue('w', i * 10, TTL, 1);
          await q.settle('x', 'w', { status: 'pending', attempt: attempt(i * 10, false), nextAttemptAt: i * 10 }, i * 10);
        }
        const stored = await q.get('x');
        expect(stored?.attemptCount).toBe(total);
        expect(stored?.attempts).toHaveLength(ATTEMPTS_KEPT);
        expect(stored?.attempts.at(-1)?.at).toBe(total * 10);
        expect(stored?.attempts[0]?.at).toBe((total - ATTEMPTS_KEPT + 1) * 10);
      }),
    );

    it(
      'lists newest first, filtered and paged, and counts with the same filters',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        await q.enqueue(note('a', 1000, 'slack'));
        await q.enqueue(note('b', 2000, 'email'));
        await q.enqueue(note('c', 2000, 'slack'));
        await q.enqueue(note('d', 3000, 'webhook'));
        await q.claimDue('w', 5000, TTL, 1);
        await q.settle('a', 'w', { status: 'delivered', attempt: attempt(5000, true) }, 5000);
        expect((await q.list({ limit: 10 })).map((n) => n.id)).toEqual(['d', 'b', 'c', 'a']);
        expect((await q.list({ limit: 2, offset: 1 })).map((n) => n.id)).toEqual(['b', 'c']);
        expect((await q.list({ limit: 10, channel: 'slack' })).map((n) => n.id)).toEqual(['c', 'a']);
        expect((await q.list({ limit: 10, status: 'pending' })).map((n) => n.id)).toEqual(['d', 'b', 'c']);
        expect((await q.list({ limit: 10, status: 'delivered', channel: 'slack' })).map((n) => n.id)).toEqual(['a']);
        expect(await q.count({ status: 'pending' })).toBe(3);
        expect(await q.count({ channel: 'email' })).toBe(1);
        expect(await q.count()).toBe(4);
        expect(await q.list({ limit: 0 })).toEqual([]);
        // Nothing returned is a live reference.
        const [first] = await q.list({ limit: 1 });
        if (first) first.message.title = 'changed';
        expect((await q.get('d'))?.message.title).toBe('d failed');
      }),
    );

    it(
      'prunes finished notifications older than the cutoff, then everything beyond the newest `keep`',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        for (let i = 1; i <= 6; i++) await q.enqueue(note(`n${i}`, i * 1000));
        await q.claimDue('w', 10_000, TTL, 3);
        await q.settle('n1', 'w', { status: 'delivered', attempt: attempt(10_000, true) }, 10_000);
        await q.settle('n2', 'w', { status: 'failed', attempt: attempt(20_000, false) }, 20_000);
        await q.settle('n3', 'w', { status: 'delivered', attempt: attempt(30_000, true) }, 30_000);
        // n1 and n2 finished before the cutoff; n3 finished after it; n4–n6 are pending.
        expect(await q.prune(25_000, 100)).toBe(2);
        expect((await q.list({ limit: 10 })).map((n) => n.id)).toEqual(['n6', 'n5', 'n4', 'n3']);
        expect(await q.prune(0, 2)).toBe(2);
        expect((await q.list({ limit: 10 })).map((n) => n.id)).toEqual(['n6', 'n5']);
        expect(await q.prune(0, 2)).toBe(0);
      }),
    );

    it(
      'records a notification attempted outside the queue as given, and never hands it to a worker',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        const sent = {
          ...note('t1', 1000, 'email'),
          route: 'ENG',
          status: 'delivered' as const,
          updatedAt: 1200,
          nextAttemptAt: 1200,
          attempts: [attempt(1100, true)],
          attemptCount: 1,
        };
        await q.record(sent);
        await q.record({ ...sent, status: 'failed' });
        expect(await q.get('t1')).toEqual(sent);
        expect(await q.claimDue('w', 1e12, TTL, 10)).toEqual([]);
        await expect(q.record({ ...sent, id: 't2', status: 'pending' })).rejects.toBeInstanceOf(RangeError);
      }),
    );

    it(
      'refuses nonsense arguments with a RangeError',
      withSubject(async ({ storage }) => {
        const q = storage.notifications;
        await expect(q.claimDue('w', 0, 0, 1)).rejects.toBeInstanceOf(RangeError);
        await expect(q.claimDue('w', 0, TTL, -1)).rejects.toBeInstanceOf(RangeError);
        await expect(q.list({ limit: -1 })).rejects.toBeInstanceOf(RangeError);
        await expect(q.prune(0, 0)).rejects.toBeInstanceOf(RangeError);
      }),
    );

    if (features.shared) {
      it(
        'gives each due notification to exactly one of several replicas claiming at once',
        withSubject(async (subject, opened) => {
          const others = await Promise.all([1, 2, 3].map(() => (subject.twin as () => Promise<Storage>)()));
          opened.push(...others);
          const stores = [subject.storage, ...others];
          for (let i = 0; i < 40; i++) await subject.storage.notifications.enqueue(note(`n${String(i).padStart(2, '0')}`, i));
          const claims = await Promise.all(
            stores.flatMap((s, r) => [0, 1].map((k) => s.notifications.claimDue(`w${r}-${k}`, 1000, TTL, 15))),
          );
          const ids = claims.flat().map((n) => n.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBe(40);
        }),
      );
    }
  });
}
