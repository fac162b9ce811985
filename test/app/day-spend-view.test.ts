/**
 * The day's spend as one replica sees it (core/app/usage/day-spend-view.ts): each run counted
 * once at its newest known record, this replica's records at once, the store's read at most
 * every `refreshMs` — also when records arrive while a read is in flight, and under generated
 * interleavings of two replicas whose reads resolve in any order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDaySpendView } from '../../core/app/usage/day-spend-view.js';
import type { RunSpend } from '../../ports/usage-store.port.js';

const DAY = '2026-12-06';
const RUNS = Number(process.env.CORE_PROP_RUNS ?? 200);

/** A store of the day's runs whose reads answer when the test says, with the rows of when they began. */
function store() {
  const runs = new Map<string, RunSpend>();
  const pending: (() => void)[] = [];
  let reads = 0;
  return {
    runs,
    commit(run: RunSpend) {
      const before = runs.get(run.jobId);
      if (!before || before.reportedAt <= run.reportedAt) runs.set(run.jobId, run);
    },
    total: () => [...runs.values()].reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
    snapshot: () => [...runs.values()].map((r) => ({ ...r })),
    read: (_day: string) => {
      reads++;
      const rows = [...runs.values()].map((r) => ({ ...r }));
      return new Promise<RunSpend[]>((resolve) => pending.push(() => resolve(rows)));
    },
    answer: async () => {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
    reads: () => reads,
  };
}

function viewOver(db: ReturnType<typeof store>, refreshMs = 2000) {
  const clock = { at: 0, now: () => clock.at };
  return { clock, view: createDaySpendView({ read: db.read, clock, refreshMs }) };
}

const spend = (jobId: string, reportedAt: number, costUsd?: number, teamKey = 'ENG'): RunSpend => ({
  jobId,
  teamKey,
  reportedAt,
  ...(costUsd !== undefined ? { costUsd } : {}),
});

describe('day spend view', () => {
  it('reads the day on its first check, then counts its own records without reading', async () => {
    const db = store();
    const { clock, view } = viewOver(db);
    db.commit(spend('a', 1, 3));
    db.commit(spend('x', 1, 4, 'OPS'));
    const first = view.stored(DAY, spend('a', 1, 3), { delta: 3 });
    await db.answer();
    expect(await first).toEqual({ before: { team: 0, total: 4 }, after: { team: 3, total: 7 } });
    clock.at = 1999;
    db.commit(spend('a', 2, 5));
    expect(await view.stored(DAY, spend('a', 2, 5), { delta: 2 })).toEqual({
      before: { team: 3, total: 7 },
      after: { team: 5, total: 9 },
    });
    expect(db.reads()).toBe(1);
    // Without a check nothing is read and nothing answered, but the record still counts.
    db.commit(spend('b', 3, 1));
    expect(await view.stored(DAY, spend('b', 3, 1), undefined)).toBeUndefined();
    db.commit(spend('b', 4, 2));
    expect(await view.stored(DAY, spend('b', 4, 2), { delta: 1 })).toMatchObject({ after: { team: 7, total: 11 } });
    expect(db.reads()).toBe(1);
  });

  it('sees another replica’s records on the first check past refreshMs, each run once', async () => {
    const db = store();
    const { clock, view } = viewOver(db);
    db.commit(spend('a', 1, 1));
    const first = view.stored(DAY, spend('a', 1, 1), { delta: 1 });
    await db.answer();
    await first;
    db.commit(spend('a', 2, 6)); // another replica's newer record of the same run
    db.commit(spend('z', 2, 2)); // and a run of its own
    clock.at = 1999;
    db.commit(spend('b', 3, 1));
    expect(await view.stored(DAY, spend('b', 3, 1), { delta: 1 })).toMatchObject({ after: { total: 2 } });
    clock.at = 2000;
    db.commit(spend('b', 4, 2));
    const late = view.stored(DAY, spend('b', 4, 2), { delta: 1 });
    await db.answer();
    expect(await late).toEqual({ before: { team: 2, total: 2 }, after: { team: 10, total: 10 } });
  });

  it('keeps a record learnt while a read is in flight once, whether or not the read has it', async () => {
    const db = store();
    const { clock, view } = viewOver(db);
    db.commit(spend('a', 1, 1));
    const first = view.stored(DAY, spend('a', 1, 1), { delta: 1 });
    // Committed before the read's rows were taken: in them, and learnt again — counted once.
    db.commit(spend('a', 2, 4));
    void view.stored(DAY, spend('a', 2, 4), undefined);
    await db.answer();
    expect(await first).toMatchObject({ after: { total: 4 } });

    clock.at = 5000;
    db.commit(spend('c', 5, 1));
    const second = view.stored(DAY, spend('c', 5, 1), { delta: 1 });
    // Committed after the read began: not in its rows, kept from what was learnt.
    db.commit(spend('d', 6, 10));
    void view.stored(DAY, spend('d', 6, 10), undefined);
    await db.answer();
    expect(await second).toMatchObject({ after: { total: 15 } });
    expect(db.total()).toBe(15);
  });

  it('drops what it learnt before a read when the store no longer has it', async () => {
    const db = store();
    const { clock, view } = viewOver(db);
    db.commit(spend('a', 1, 5));
    const first = view.stored(DAY, spend('a', 1, 5), { delta: 5 });
    await db.answer();
    await first;
    db.runs.delete('a');
    clock.at = 2000;
    db.commit(spend('b', 2, 1));
    const next = view.stored(DAY, spend('b', 2, 1), { delta: 1 });
    await db.answer();
    expect(await next).toEqual({ before: { team: 5, total: 5 }, after: { team: 1, total: 1 } });
  });

  it('reads again on the next check after a read failed', async () => {
    let fail = true;
    const clock = { now: () => 0 };
    const view = createDaySpendView({
      read: () => {
        if (fail) throw new Error('database away');
        return Promise.resolve([spend('a', 1, 2)]);
      },
      clock,
      refreshMs: 2000,
    });
    await expect(view.stored(DAY, spend('a', 1, 2), { delta: 2 })).rejects.toThrow('database away');
    fail = false;
    expect(await view.stored(DAY, spend('a', 1, 2), { delta: 2 })).toEqual({
      before: { team: 0, total: 0 },
      after: { team: 2, total: 2 },
    });
  });

  type Step =
    | { kind: 'report'; replica: 0 | 1; run: number; add: number; check: boolean }
    | { kind: 'advance'; ms: number }
    | { kind: 'answer'; replica: 0 | 1 };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('report' as const),
      replica: fc.constantFrom(0 as const, 1 as const),
      run: fc.nat(5),
      add: fc.nat(20),
      check: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 1500 }) }),
    fc.record({ kind: fc.constant('answer' as const), replica: fc.constantFrom(0 as const, 1 as const) }),
  );

  it('never counts a run twice nor misses its own records, and matches the store once read (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 60 }), async (steps) => {
        const db = store();
        const clock = { at: 0, now: () => clock.at };
        // Each replica's reads wait for an `answer` step of that replica, in order.
        const replicas = ([0, 1] as const).map(() => {
          const queue: (() => void)[] = [];
          const view = createDaySpendView({
            read: () => {
              const rows = db.snapshot();
              return new Promise<RunSpend[]>((resolve) => queue.push(() => resolve(rows)));
            },
            clock,
            refreshMs: 2000,
          });
          return { view, queue, learnt: new Map<string, number>(), answers: [] as Promise<unknown>[] };
        });
        let reportedAt = 0;
        const failures: string[] = [];
        for (const step of steps) {
          if (step.kind === 'advance') clock.at += step.ms;
          else if (step.kind === 'answer') {
            replicas[step.replica]!.queue.shift()?.();
            await new Promise((resolve) => setImmediate(resolve));
          } else {
            const r = replicas[step.replica]!;
            const jobId = `run-${step.run}`;
            const costUsd = (db.runs.get(jobId)?.costUsd ?? 0) + step.add;
            const run = spend(jobId, ++reportedAt, costUsd);
            db.commit(run);
            // What the view has learnt: at once without a check, when its answer comes with one.
            const learn = () => r.learnt.set(jobId, Math.max(r.learnt.get(jobId) ?? 0, costUsd));
            const check = step.check && step.add > 0;
            if (!check) learn();
            // An answer holds at least what was learnt before the call, and this record.
            const own =
              [...r.learnt].reduce((sum, [id, usd]) => sum + (id === jobId ? 0 : usd), 0) +
              Math.max(r.learnt.get(jobId) ?? 0, costUsd);
            r.answers.push(
              r.view.stored(DAY, run, check ? { delta: step.add } : undefined).then((answer) => {
                if (!answer) return;
                learn();
                if (answer.after.total > db.total()) failures.push(`counted twice: ${answer.after.total} > ${db.total()}`);
                if (answer.after.total < own) failures.push(`own spend missed: ${answer.after.total} < ${own}`);
              }),
            );
          }
        }
        // Every read answered: past refreshMs, each replica's next check sees exactly the store.
        const drain = async () => {
          while (replicas.some((r) => r.queue.length > 0)) {
            for (const r of replicas) r.queue.shift()?.();
            await db.answer();
          }
        };
        await drain();
        for (const r of replicas) await Promise.all(r.answers);
        clock.at += 2000;
        for (const [i, r] of replicas.entries()) {
          const jobId = `run-extra-${i}`;
          const run = spend(jobId, ++reportedAt, 1);
          db.commit(run);
          const last = r.view.stored(DAY, run, { delta: 1 });
          await new Promise((resolve) => setImmediate(resolve));
          await drain();
          const answer = await last;
          expect(answer?.after.total).toBe(db.total());
        }
        expect(failures).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
