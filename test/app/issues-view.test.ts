import { describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.js';
import type { CycleReport, MappingSnapshot, ReconcileService } from '../../core/app/dispatch/reconcile.service.js';
import { createIssuesViewService } from '../../core/app/issues/issues-view.service.js';
import type { Mapping, TicketIssue } from '../../core/domain/model.js';

const SECRET = 'lin_api_secret_value_0123456789';
const REPORT: CycleReport = {
  startedAt: 0,
  finishedAt: 1,
  teamKeys: [],
  dispatched: [],
  skipped: [],
  inProgress: {},
  errors: {},
};
const ISSUE = {
  id: 'i-1',
  identifier: 'ENG-1',
  title: 'Add a widget',
  url: 'https://tracker.example/ENG-1',
  stage: 'triggered',
  labels: ['AI-Implement'],
  priority: 2,
  createdAt: 0,
} as unknown as TicketIssue;

/**
 * A reconcile loop whose snapshots a test sets, and whose `request` either fills the snapshots
 * it is given or never settles (a cycle held by a hung tracker).
 */
function fakeReconcile(options: { hung?: boolean; fill?: MappingSnapshot[]; last?: boolean } = {}) {
  const mappings = new Map<string, MappingSnapshot>();
  let last: CycleReport | undefined = options.last === false ? undefined : REPORT;
  const requests: (string[] | undefined)[] = [];
  const reconcile: ReconcileService = {
    request(teamKeys) {
      requests.push(teamKeys);
      if (options.hung) return new Promise<never>(() => {});
      for (const snap of options.fill ?? []) mappings.set(snap.teamKey, snap);
      last = REPORT;
      return Promise.resolve(REPORT);
    },
    snapshot: () => ({ mappings, ...(last ? { last } : {}) }),
    start() {},
    stop: async () => undefined,
  };
  return { reconcile, mappings, requests };
}

async function storageWith(...teamKeys: string[]) {
  const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:', now: () => 0 });
  for (const teamKey of teamKeys) await storage.mappings.put({ teamKey, ticketing: 'linear' } as Mapping);
  return storage;
}

describe('the Issues view with a failing tracker', () => {
  it('names a mapping whose tracker failed in `errors`, redacted, beside the other mapping’s issues', async () => {
    const storage = await storageWith('ENG', 'OPS');
    const { reconcile, mappings } = fakeReconcile();
    mappings.set('ENG', { teamKey: 'ENG', fetchedAt: 1, issues: [ISSUE] });
    mappings.set('OPS', { teamKey: 'OPS', fetchedAt: 1, issues: [], error: `Linear refused key ${SECRET}` });
    const view = createIssuesViewService({ storage, reconcile, secretValues: () => [SECRET] });
    const answer = (await view.issues())._unsafeUnwrap();
    expect(answer.issues.map((i) => i.identifier)).toEqual(['ENG-1']);
    expect(answer.errors).toEqual([{ teamKey: 'OPS', error: 'Linear refused key [REDACTED]' }]);
    expect(JSON.stringify(answer)).not.toContain(SECRET);
  });

  it('answers an empty `errors` when every tracker answered', async () => {
    const storage = await storageWith('ENG');
    const { reconcile, mappings } = fakeReconcile();
    mappings.set('ENG', { teamKey: 'ENG', fetchedAt: 1, issues: [ISSUE] });
    const answer = (await createIssuesViewService({ storage, reconcile }).issues())._unsafeUnwrap();
    expect(answer.errors).toEqual([]);
  });

  it('does not wait past its deadline on a cycle held by a hung tracker: the unfetched mapping is an error', async () => {
    const storage = await storageWith('ENG', 'NEW');
    const { reconcile, mappings, requests } = fakeReconcile({ hung: true });
    mappings.set('ENG', { teamKey: 'ENG', fetchedAt: 1, issues: [ISSUE] });
    const view = createIssuesViewService({ storage, reconcile, waitMs: 200 });
    const started = performance.now();
    const answer = (await view.issues())._unsafeUnwrap();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(requests).toEqual([['NEW']]);
    expect(answer.issues.map((i) => i.identifier)).toEqual(['ENG-1']);
    expect(answer.errors).toEqual([{ teamKey: 'NEW', error: 'Linear: no answer within 200 ms' }]);
    const blockers = (await view.blockers())._unsafeUnwrap();
    expect(blockers.mappings).toEqual([
      { mapping: 'NEW', teamKey: 'NEW', reason: 'tracker-unavailable', message: 'Linear: no answer within 200 ms' },
    ]);
  });

  it('answers the upstream error (502) when no mapping could be fetched in time', async () => {
    const storage = await storageWith('ENG');
    const { reconcile } = fakeReconcile({ hung: true, last: false });
    const view = createIssuesViewService({ storage, reconcile, waitMs: 100 });
    expect((await view.issues())._unsafeUnwrapErr()).toEqual({ kind: 'upstream', message: 'Linear: no answer within 100 ms' });
  });
});
