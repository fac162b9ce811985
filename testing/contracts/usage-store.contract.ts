import { afterEach, describe, expect, it } from 'vitest';
import type { RunUsageRecord } from '../../ports/usage-store.port.js';
import type { ContractStorage, StorageFeatures, StorageSubject } from './storage.contract.js';

const DAY = '2026-12-06';
const NEXT = '2026-12-07';

function usage(overrides: Partial<RunUsageRecord> & { jobId: string }): RunUsageRecord {
  return {
    issueId: `issue-${overrides.jobId}`,
    identifier: 'ENG-1',
    teamKey: 'ENG',
    phase: 'implementation',
    model: 'claude-sonnet-4-5',
    day: DAY,
    inputTokens: 100,
    outputTokens: 50,
    cacheReadTokens: 10,
    cacheCreationTokens: 5,
    costUsd: 0.25,
    turns: 2,
    reportedAt: 1_000,
    final: false,
    stoppedByBudget: false,
    ...overrides,
  };
}

/**
 * The UsageStore contract (ports/usage-store.port.ts), run against every storage adapter:
 * one record per run that only a later report replaces, "not reported" kept apart from zero,
 * the day's spend per team, and the grouped summaries and pages the usage views read.
 */
export function usageStoreContract(
  name: string,
  make: (now: () => number) => Promise<StorageSubject>,
  features: StorageFeatures = {},
) {
  describe(`${name} satisfies UsageStore`, () => {
    const open: ContractStorage[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    const subject = async () => {
      const s = await make(() => 0);
      open.push(s.storage);
      if (s.cleanup) cleanups.push(s.cleanup);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
      for (const c of cleanups.splice(0)) await c();
    });

    it('has no record for a run never reported: not reported, not zero', async () => {
      const { storage } = await subject();
      expect(await storage.usage.get('nobody')).toBeUndefined();
      expect(await storage.usage.forJobs(['nobody'])).toEqual([]);
      expect(await storage.usage.spendOn(DAY)).toEqual({});
    });

    it('keeps the latest report of a run and ignores an older one that arrives late', async () => {
      const { storage } = await subject();
      expect(await storage.usage.record(usage({ jobId: 'j1', reportedAt: 1_000, costUsd: 0.1 }))).toBe(true);
      expect(await storage.usage.record(usage({ jobId: 'j1', reportedAt: 3_000, costUsd: 0.9, final: true }))).toBe(true);
      expect(await storage.usage.record(usage({ jobId: 'j1', reportedAt: 2_000, costUsd: 0.5 }))).toBe(false);
      expect(await storage.usage.get('j1')).toEqual(usage({ jobId: 'j1', reportedAt: 3_000, costUsd: 0.9, final: true }));
    });

    it('keeps the day of the first report and a budget stop across later reports', async () => {
      const { storage } = await subject();
      await storage.usage.record(usage({ jobId: 'j1', day: DAY, reportedAt: 1 }));
      await storage.usage.markStopped('j1');
      await storage.usage.record(usage({ jobId: 'j1', day: NEXT, reportedAt: 2 }));
      expect(await storage.usage.get('j1')).toMatchObject({ day: DAY, stoppedByBudget: true, reportedAt: 2 });
    });

    it('replaces a record only over the version expected, keeping its day and budget stop', async () => {
      const { storage } = await subject();
      const first = usage({ jobId: 'j1', day: DAY, reportedAt: 1_000, costUsd: 0.1 });
      expect(await storage.usage.replace(first, first)).toBe(false); // nothing stored yet
      expect(await storage.usage.get('j1')).toBeUndefined();
      await storage.usage.record(first);
      await storage.usage.markStopped('j1');
      const second = usage({ jobId: 'j1', day: NEXT, reportedAt: 2_000, costUsd: 0.4, inputTokens: 900, final: true });
      expect(await storage.usage.replace(second, first)).toBe(true);
      expect(await storage.usage.get('j1')).toEqual({ ...second, day: DAY, stoppedByBudget: true });
      // Over a version that is no longer stored (another replica's report came between): nothing changes.
      const third = usage({ jobId: 'j1', reportedAt: 3_000, costUsd: 0.9 });
      expect(await storage.usage.replace(third, first)).toBe(false);
      expect(await storage.usage.replace(third, { ...second, costUsd: 0.41 })).toBe(false);
      expect(await storage.usage.replace(third, { ...second, outputTokens: 51 })).toBe(false);
      expect((await storage.usage.get('j1'))?.costUsd).toBe(0.4);
      expect(await storage.usage.replace(third, second)).toBe(true);
      expect((await storage.usage.get('j1'))?.costUsd).toBe(0.9);
    });

    it('replaces over an unpriced version, and not over a priced one expected unpriced', async () => {
      const { storage } = await subject();
      const { costUsd: _none, ...unpriced } = usage({ jobId: 'j2', reportedAt: 1 });
      await storage.usage.record(unpriced);
      const priced = usage({ jobId: 'j2', reportedAt: 2, costUsd: 0.3 });
      expect(await storage.usage.replace(priced, { ...unpriced, costUsd: 0 })).toBe(false);
      expect(await storage.usage.replace(priced, unpriced)).toBe(true);
      expect(await storage.usage.replace(usage({ jobId: 'j2', reportedAt: 3, costUsd: 0.5 }), unpriced)).toBe(false);
      expect((await storage.usage.get('j2'))?.costUsd).toBe(0.3);
    });

    it('keeps a run without a price apart: no dollars, still its tokens', async () => {
      const { storage } = await subject();
      const { costUsd: _none, model: _model, ...unpriced } = usage({ jobId: 'j2' });
      await storage.usage.record(unpriced);
      const stored = await storage.usage.get('j2');
      expect(stored).toEqual(unpriced);
      expect(stored && 'costUsd' in stored).toBe(false);
    });

    it('sums the day’s known dollars per team', async () => {
      const { storage } = await subject();
      await storage.usage.record(usage({ jobId: 'a', teamKey: 'ENG', costUsd: 1.25 }));
      await storage.usage.record(usage({ jobId: 'b', teamKey: 'ENG', costUsd: 0.5 }));
      await storage.usage.record(usage({ jobId: 'c', teamKey: 'OPS', costUsd: 2 }));
      await storage.usage.record(usage({ jobId: 'd', teamKey: 'OPS', day: NEXT, costUsd: 7 }));
      const { costUsd: _none, ...unpriced } = usage({ jobId: 'e', teamKey: 'WEB' });
      await storage.usage.record(unpriced);
      const spend = await storage.usage.spendOn(DAY);
      expect(Object.keys(spend).sort()).toEqual(['ENG', 'OPS']);
      expect(spend.ENG).toBeCloseTo(1.75, 9);
      expect(spend.OPS).toBeCloseTo(2, 9);
      expect((await storage.usage.spendOn(NEXT)).OPS).toBeCloseTo(7, 9);
      const runs = await storage.usage.runSpendOn(DAY);
      expect(runs.sort((x, y) => (x.jobId < y.jobId ? -1 : 1))).toEqual([
        { jobId: 'a', teamKey: 'ENG', reportedAt: 1_000, costUsd: 1.25 },
        { jobId: 'b', teamKey: 'ENG', reportedAt: 1_000, costUsd: 0.5 },
        { jobId: 'c', teamKey: 'OPS', reportedAt: 1_000, costUsd: 2 },
        { jobId: 'e', teamKey: 'WEB', reportedAt: 1_000 },
      ]);
      expect(await storage.usage.runSpendOn('2026-12-08')).toEqual([]);
    });

    it('summarizes by team, model, day and issue, most dollars first, within the days asked', async () => {
      const { storage } = await subject();
      await storage.usage.record(usage({ jobId: 'a', teamKey: 'ENG', identifier: 'ENG-1', costUsd: 1 }));
      await storage.usage.record(
        usage({ jobId: 'b', teamKey: 'ENG', identifier: 'ENG-2', costUsd: 3, model: 'claude-opus-4-5' }),
      );
      await storage.usage.record(usage({ jobId: 'c', teamKey: 'OPS', identifier: 'OPS-1', costUsd: 2 }));
      await storage.usage.record(usage({ jobId: 'd', teamKey: 'OPS', identifier: 'OPS-1', day: NEXT, costUsd: 50 }));
      const { costUsd: _none, ...unpriced } = usage({ jobId: 'e', teamKey: 'WEB', identifier: 'WEB-1' });
      await storage.usage.record(unpriced);
      const q = { from: DAY, to: DAY };

      const byTeam = await storage.usage.summarize(q, 'team');
      expect(byTeam.map((g) => [g.key, g.runs, g.costUsd, g.unpricedRuns])).toEqual([
        ['ENG', 2, 4, 0],
        ['OPS', 1, 2, 0],
        ['WEB', 1, 0, 1],
      ]);
      expect(byTeam[0]).toMatchObject({ inputTokens: 200, outputTokens: 100, cacheReadTokens: 20, cacheCreationTokens: 10 });
      expect((await storage.usage.summarize(q, 'mapping')).map((g) => g.key)).toEqual(['ENG', 'OPS', 'WEB']);
      expect((await storage.usage.summarize(q, 'model')).map((g) => [g.key, g.costUsd])).toEqual([
        ['claude-opus-4-5', 3],
        ['claude-sonnet-4-5', 3],
      ]);
      expect((await storage.usage.summarize({ from: DAY, to: NEXT }, 'day')).map((g) => [g.key, g.runs])).toEqual([
        [NEXT, 1],
        [DAY, 4],
      ]);
      expect((await storage.usage.summarize({ from: DAY, to: NEXT }, 'issue', 2)).map((g) => [g.key, g.costUsd])).toEqual([
        ['OPS-1', 52],
        ['ENG-2', 3],
      ]);
      expect((await storage.usage.summarize({ ...q, teamKey: 'OPS' }, 'team')).map((g) => g.key)).toEqual(['OPS']);
    });

    it('pages the runs newest report first, and lists the runs a budget stopped', async () => {
      const { storage } = await subject();
      for (const [i, id] of ['a', 'b', 'c'].entries()) await storage.usage.record(usage({ jobId: id, reportedAt: 10 + i }));
      await storage.usage.markStopped('b');
      const q = { from: DAY, to: DAY };
      expect((await storage.usage.list(q, { limit: 2, offset: 0 })).map((u) => u.jobId)).toEqual(['c', 'b']);
      expect((await storage.usage.list(q, { limit: 2, offset: 2 })).map((u) => u.jobId)).toEqual(['a']);
      expect((await storage.usage.list({ ...q, stoppedByBudget: true }, { limit: 10, offset: 0 })).map((u) => u.jobId)).toEqual([
        'b',
      ]);
      await expect(storage.usage.list(q, { limit: -1, offset: 0 })).rejects.toBeInstanceOf(RangeError);
    });

    if (features.durable) {
      it('keeps usage across close and reopen', async () => {
        const s = await subject();
        await s.storage.usage.record(usage({ jobId: 'j1', final: true }));
        await s.storage.close();
        const again = await s.reopen!();
        open.push(again);
        expect(await again.usage.get('j1')).toEqual(usage({ jobId: 'j1', final: true }));
      });
    }

    if (features.shared) {
      it('shares the day’s spend between replicas of one store', async () => {
        const s = await subject();
        const twin = await s.twin!();
        open.push(twin);
        await Promise.all([
          s.storage.usage.record(usage({ jobId: 'a', costUsd: 1 })),
          twin.usage.record(usage({ jobId: 'b', costUsd: 2 })),
        ]);
        expect((await twin.usage.spendOn(DAY)).ENG).toBeCloseTo(3, 9);
        expect((await s.storage.usage.spendOn(DAY)).ENG).toBeCloseTo(3, 9);
      });

      it('lets one replica only replace over a version both knew', async () => {
        const s = await subject();
        const twin = await s.twin!();
        open.push(twin);
        const first = usage({ jobId: 'j1', reportedAt: 1, costUsd: 1 });
        await s.storage.usage.record(first);
        const answers = await Promise.all([
          s.storage.usage.replace(usage({ jobId: 'j1', reportedAt: 2, costUsd: 2 }), first),
          twin.usage.replace(usage({ jobId: 'j1', reportedAt: 2, costUsd: 3 }), first),
        ]);
        expect(answers.filter(Boolean)).toHaveLength(1);
        expect((await twin.usage.get('j1'))?.costUsd).toBe(answers[0] ? 2 : 3);
      });
    }
  });
}
