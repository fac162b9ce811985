import { describe, expect, it } from 'vitest';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { createManualClock } from '../../../adapters/system/system-clock.adapter.js';
import { createConnectorEventsService } from '../../../core/app/operations/connector-events.service.js';
import { createSecurityEventsService, SECURITY_PENDING_GROUPS } from '../../../core/app/operations/security-events.service.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';

const SECRET = 'super-secret-webhook-value';

function world(storage: Storage) {
  const warnings: unknown[] = [];
  const logger: Logger = { info: () => {}, warn: (m, f) => warnings.push([m, f]), error: () => {} };
  let n = 0;
  const deps = {
    storage,
    clock: createManualClock(1_000),
    ids: { newId: () => `id-${String(++n).padStart(6, '0')}`, randomToken: () => 'x' },
    logger,
    secretValues: () => [SECRET],
  };
  return { deps, warnings };
}

describe('the recorders', () => {
  it('redact secrets from kept bodies and cut them, counting the bytes received', async () => {
    const storage = await createUnstorageStorage({ driver: 'memory' });
    const { deps } = world(storage);
    const events = createConnectorEventsService(deps);
    events.recordInbound({
      source: 'github',
      receivedAt: 1_000,
      signature: 'verified',
      outcome: 'acted',
      body: `{"token":"${SECRET}","pad":"${'x'.repeat(40_000)}"}`,
    });
    await events.flush();
    const [summary] = (await events.list({})).items;
    const stored = (await events.get(summary!.id))._unsafeUnwrap();
    expect(stored.body).not.toContain(SECRET);
    expect(stored.body).toContain('[REDACTED]');
    expect(stored.bodyTruncated).toBe(true);
    expect(stored.body!.length).toBeLessThanOrEqual(16_384);
    expect(stored.bodyBytes).toBeGreaterThan(40_000);
    await storage.close();
  });

  it('never throw into the request path when the store fails, and log the failure', async () => {
    const storage = await createUnstorageStorage({ driver: 'memory' });
    await storage.close();
    const { deps, warnings } = world(storage);
    const events = createConnectorEventsService(deps);
    const security = createSecurityEventsService(deps);
    expect(() =>
      events.recordInbound({ source: 'linear', receivedAt: 1, signature: 'verified', outcome: 'acted' }),
    ).not.toThrow();
    expect(() => security.signal({ kind: 'probe', source: 'a', route: 'GET /' })).not.toThrow();
    await events.flush();
    await security.flush();
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('bound a flood: repeats of one signal are one write with a count; distinct groups beyond the cap are dropped and counted', async () => {
    const storage = await createUnstorageStorage({ driver: 'memory' });
    const { deps } = world(storage);
    let counted = 0;
    let dropped = 0;
    const security = createSecurityEventsService({
      ...deps,
      onSignal: (_s, recorded) => {
        counted++;
        if (!recorded) dropped++;
      },
    });
    for (let i = 0; i < 1_000; i++)
      security.signal({ kind: 'unknown_route', source: '203.0.113.1', route: 'GET (unknown route)' });
    for (let i = 0; i < SECURITY_PENDING_GROUPS + 100; i++)
      security.signal({ kind: 'probe', source: `198.51.100.${i}`, route: 'GET /' });
    expect(security.backlog().dropped).toBe(101);
    await security.flush();
    const page = await security.list({ limit: 1, kind: 'unknown_route' });
    expect(page.items[0]!.count).toBe(1_000);
    expect((await security.list({})).total).toBe(SECURITY_PENDING_GROUPS);
    expect(counted).toBe(1_000 + SECURITY_PENDING_GROUPS + 100);
    expect(dropped).toBe(101);
    await storage.close();
  });

  it('records a failing outbound call once with its retry state, then its recovery', async () => {
    const storage = await createUnstorageStorage({ driver: 'memory' });
    const { deps } = world(storage);
    const events = createConnectorEventsService(deps);
    events.recordOutbound({ source: 'linear', event: 'comment', target: 'ENG-1', ok: true });
    events.recordOutbound({ source: 'linear', event: 'comment', target: 'ENG-1', ok: false, error: 'HTTP 502' });
    events.recordOutbound({ source: 'linear', event: 'comment', target: 'ENG-1', ok: false, error: 'HTTP 503' });
    await events.flush();
    let page = await events.list({ direction: 'outbound' });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      outcome: 'failed',
      target: 'ENG-1',
      retry: { attempts: 2, state: 'retrying', lastError: 'HTTP 503' },
    });
    events.recordOutbound({ source: 'linear', event: 'comment', target: 'ENG-1', ok: true });
    await events.flush();
    page = await events.list({ direction: 'outbound' });
    expect(page.items).toEqual([
      expect.objectContaining({ outcome: 'acted', retry: expect.objectContaining({ state: 'recovered' }) }),
    ]);
    await storage.close();
  });
});
