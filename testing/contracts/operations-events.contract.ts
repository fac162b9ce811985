import { describe, expect, it } from 'vitest';
import type { ConnectorEvent } from '../../core/domain/connector-events.js';
import type { SecuritySignal } from '../../core/domain/security-events.js';
import type { Storage } from '../../ports/storage.port.js';
import { range, type TestClock, testClock } from './storage-fixtures.js';

/** What the suite needs of a subject: the storage contract's own subjects fit. */
export interface OperationsEventsSubject {
  storage: Storage;
  reopen?: () => Promise<Storage>;
  cleanup?: () => Promise<void>;
}

const T = 1_700_000_000_000;

export function connectorEvent(id: string, extra: Partial<ConnectorEvent> = {}): ConnectorEvent {
  return {
    id,
    direction: 'inbound',
    source: 'github',
    deliveryId: `delivery-${id}`,
    event: 'pull_request',
    action: 'closed',
    receivedAt: T,
    signature: 'verified',
    outcome: 'acted',
    caused: { jobIds: ['job-1'], teams: ['ENG'] },
    latencyMs: 12,
    body: `{"id":"${id}"}`,
    bodyBytes: 12,
    bodyTruncated: false,
    ...extra,
  };
}

export function securitySignal(extra: Partial<SecuritySignal> = {}): SecuritySignal {
  return {
    kind: 'probe',
    classification: 'script',
    source: '203.0.113.9',
    route: 'GET /search',
    sample: '<script>',
    at: T,
    ...extra,
  };
}

/**
 * The contracts of ports/connector-events.port.ts and ports/security-events.port.ts, run against
 * every storage adapter (storage.contract.ts calls it, so an adapter passing the storage
 * contract passes these too).
 */
export function operationsEventsContract(
  name: string,
  make: (now: () => number) => Promise<OperationsEventsSubject>,
  features: { durable?: boolean } = {},
): void {
  const withSubject =
    (body: (subject: OperationsEventsSubject & { clock: TestClock }, opened: Storage[]) => Promise<void>) => async () => {
      const clock = testClock();
      const subject = await make(clock.now);
      const opened: Storage[] = [subject.storage];
      try {
        await body({ ...subject, clock }, opened);
      } finally {
        for (const storage of opened) await storage.close();
        await subject.cleanup?.();
      }
    };

  describe(`${name} satisfies ConnectorEventStore`, () => {
    it(
      'round-trips an event with its body, lists it without the body, and replaces it by id',
      withSubject(async ({ storage }) => {
        const event = connectorEvent('e1');
        await storage.connectorEvents.put(event);
        expect(await storage.connectorEvents.get('e1')).toEqual(event);
        expect(await storage.connectorEvents.get('nope')).toBeUndefined();
        const { body: _body, ...summary } = event;
        expect(await storage.connectorEvents.list()).toEqual({ items: [summary], total: 1 });

        const retried = connectorEvent('e1', {
          direction: 'outbound',
          outcome: 'failed',
          retry: { attempts: 2, state: 'retrying', lastError: 'HTTP 502', lastAttemptAt: T + 5 },
        });
        const { body: _b, ...withoutBody } = retried;
        await storage.connectorEvents.put({ ...withoutBody });
        expect(await storage.connectorEvents.get('e1')).toEqual(withoutBody);
        expect((await storage.connectorEvents.list()).total).toBe(1);

        const got = await storage.connectorEvents.get('e1');
        got!.caused.jobIds.push('mutated');
        expect((await storage.connectorEvents.get('e1'))!.caused.jobIds).toEqual(['job-1']);
      }),
    );

    it(
      'filters by source, outcome, direction and since; pages newest first with a total',
      withSubject(async ({ storage }) => {
        const events = [
          connectorEvent('a', { source: 'linear', receivedAt: T + 1 }),
          connectorEvent('b', { source: 'github', outcome: 'ignored', receivedAt: T + 2 }),
          connectorEvent('c', { source: 'github', outcome: 'rejected', signature: 'invalid', receivedAt: T + 3 }),
          connectorEvent('d', { source: 'linear', outcome: 'duplicate', receivedAt: T + 4 }),
          connectorEvent('e', { source: 'tracker', direction: 'outbound', outcome: 'failed', receivedAt: T + 4 }),
        ];
        for (const e of events) await storage.connectorEvents.put(e);
        const ids = async (q: Parameters<Storage['connectorEvents']['list']>[0]) =>
          (await storage.connectorEvents.list(q)).items.map((e) => e.id);
        expect(await ids({})).toEqual(['e', 'd', 'c', 'b', 'a']);
        expect(await ids({ source: 'linear' })).toEqual(['d', 'a']);
        expect(await ids({ outcome: 'rejected' })).toEqual(['c']);
        expect(await ids({ direction: 'outbound' })).toEqual(['e']);
        expect(await ids({ since: T + 3 })).toEqual(['e', 'd', 'c']);
        expect(await ids({ source: 'github', since: T + 3 })).toEqual(['c']);
        const page = await storage.connectorEvents.list({ limit: 2, offset: 1 });
        expect(page.items.map((e) => e.id)).toEqual(['d', 'c']);
        expect(page.total).toBe(5);
        expect((await storage.connectorEvents.list({ source: 'linear', limit: 1 })).total).toBe(2);
        await expect(storage.connectorEvents.list({ limit: -1 })).rejects.toThrow(RangeError);
      }),
    );

    it(
      'finds the newest inbound event of a source by its delivery id',
      withSubject(async ({ storage }) => {
        await storage.connectorEvents.put(connectorEvent('old', { deliveryId: 'X', receivedAt: T }));
        await storage.connectorEvents.put(connectorEvent('new', { deliveryId: 'X', receivedAt: T + 9 }));
        await storage.connectorEvents.put(connectorEvent('lin', { source: 'linear', deliveryId: 'Y' }));
        expect((await storage.connectorEvents.findByDelivery('github', 'X'))?.id).toBe('new');
        expect(await storage.connectorEvents.findByDelivery('linear', 'X')).toBeUndefined();
        expect((await storage.connectorEvents.findByDelivery('linear', 'Y'))?.body).toBe('{"id":"lin"}');
      }),
    );

    it(
      'prunes what is older than the cutoff, then the oldest beyond keep',
      withSubject(async ({ storage }) => {
        for (const i of range(0, 10)) await storage.connectorEvents.put(connectorEvent(`e${i}`, { receivedAt: T + i }));
        expect(await storage.connectorEvents.prune(T + 3, 100)).toBe(3);
        expect((await storage.connectorEvents.list()).total).toBe(7);
        expect(await storage.connectorEvents.prune(0, 4)).toBe(3);
        expect((await storage.connectorEvents.list()).items.map((e) => e.id)).toEqual(['e9', 'e8', 'e7', 'e6']);
        expect(await storage.connectorEvents.prune(0, 4)).toBe(0);
        await expect(storage.connectorEvents.prune(0, -1)).rejects.toThrow(RangeError);
      }),
    );

    if (features.durable) {
      it(
        'keeps events across close and reopen',
        withSubject(async ({ storage, reopen }, opened) => {
          await storage.connectorEvents.put(connectorEvent('kept'));
          await storage.close();
          opened.splice(0, 1);
          const again = await (reopen as () => Promise<Storage>)();
          opened.push(again);
          expect(await again.connectorEvents.get('kept')).toEqual(connectorEvent('kept'));
        }),
      );
    }
  });

  describe(`${name} satisfies SecurityEventStore`, () => {
    it(
      'groups repeats of one signal into one active group, with duplicate and burst hints',
      withSubject(async ({ storage }) => {
        const first = await storage.securityEvents.record(securitySignal(), 1, 's1');
        expect(first).toMatchObject({ id: 's1', count: 1, status: 'open', hints: [], firstSeen: T, lastSeen: T });
        const again = await storage.securityEvents.record(securitySignal({ at: T + 1000 }), 3, 's2');
        expect(again).toMatchObject({ id: 's1', count: 4, lastSeen: T + 1000, hints: ['duplicate'] });
        const burst = await storage.securityEvents.record(securitySignal({ at: T + 2000 }), 6, 's3');
        expect(burst).toMatchObject({ id: 's1', count: 10, hints: ['duplicate', 'burst'] });
        // Another source, another route or another kind is another group.
        expect((await storage.securityEvents.record(securitySignal({ source: '198.51.100.1' }), 1, 's4')).id).toBe('s4');
        expect((await storage.securityEvents.record(securitySignal({ route: 'GET /other' }), 1, 's5')).id).toBe('s5');
        expect((await storage.securityEvents.record(securitySignal({ kind: 'unknown_route' }), 1, 's6')).id).toBe('s6');
        // …and so is another detail (a run token's refusal code), kept on the group.
        const expired = await storage.securityEvents.record(securitySignal({ detail: 'expired' }), 1, 's7');
        expect(expired).toMatchObject({ id: 's7', detail: 'expired', count: 1 });
        expect(await storage.securityEvents.record(securitySignal({ detail: 'expired' }), 1, 's8')).toMatchObject({
          id: 's7',
          count: 2,
        });
        expect(await storage.securityEvents.get('s7')).toMatchObject({ detail: 'expired', count: 2 });
        expect(await storage.securityEvents.get('s1')).toEqual(burst);
        expect((await storage.securityEvents.list()).total).toBe(5);
      }),
    );

    it(
      'never loses a sighting or splits a group under concurrent records',
      withSubject(async ({ storage }) => {
        await Promise.all(range(0, 20).map((i) => storage.securityEvents.record(securitySignal({ at: T + i }), 1, `c${i}`)));
        const { items } = await storage.securityEvents.list();
        expect(items).toHaveLength(1);
        expect(items[0]!.count).toBe(20);
      }),
    );

    it(
      'changes status by compare-and-set; a done group takes no repeats, which open a new group',
      withSubject(async ({ storage }) => {
        await storage.securityEvents.record(securitySignal(), 1, 's1');
        const changed = await storage.securityEvents.setStatus('s1', 'open', 'triaged', T + 5);
        expect(changed).toMatchObject({ kind: 'changed', event: { status: 'triaged', updatedAt: T + 5 } });
        expect(await storage.securityEvents.setStatus('s1', 'open', 'done', T + 6)).toMatchObject({
          kind: 'conflict',
          event: { status: 'triaged' },
        });
        expect(await storage.securityEvents.setStatus('nope', 'open', 'done', T)).toEqual({ kind: 'notFound' });
        // Triaged is still active: a repeat joins it.
        expect((await storage.securityEvents.record(securitySignal(), 1, 's2')).id).toBe('s1');
        await storage.securityEvents.setStatus('s1', 'triaged', 'done', T + 7);
        const after = await storage.securityEvents.record(securitySignal({ at: T + 8 }), 1, 's3');
        expect(after).toMatchObject({ id: 's3', count: 1, status: 'open' });
        expect((await storage.securityEvents.get('s1'))!.count).toBe(2);
      }),
    );

    it(
      'filters by kind, classification, status, source and since, pages newest sighting first, and prunes',
      withSubject(async ({ storage }) => {
        await storage.securityEvents.record(securitySignal({ at: T + 1 }), 1, 'a');
        await storage.securityEvents.record(securitySignal({ classification: 'SQL', at: T + 2 }), 1, 'b');
        await storage.securityEvents.record(
          { kind: 'sign_in_failed', source: '192.0.2.7', route: 'POST /api/auth', at: T + 3 },
          1,
          'c',
        );
        await storage.securityEvents.setStatus('b', 'open', 'triaged', T + 4);
        const ids = async (q: Parameters<Storage['securityEvents']['list']>[0]) =>
          (await storage.securityEvents.list(q)).items.map((e) => e.id);
        expect(await ids({})).toEqual(['c', 'b', 'a']);
        expect(await ids({ kind: 'probe' })).toEqual(['b', 'a']);
        expect(await ids({ classification: 'SQL' })).toEqual(['b']);
        expect(await ids({ status: 'open' })).toEqual(['c', 'a']);
        expect(await ids({ source: '192.0.2.7' })).toEqual(['c']);
        expect(await ids({ since: T + 2 })).toEqual(['c', 'b']);
        expect(await storage.securityEvents.list({ limit: 1, offset: 1 })).toMatchObject({ items: [{ id: 'b' }], total: 3 });
        expect(await storage.securityEvents.prune(T + 2, 100)).toBe(1);
        expect(await storage.securityEvents.prune(0, 1)).toBe(1);
        expect(await ids({})).toEqual(['c']);
      }),
    );
  });
}
