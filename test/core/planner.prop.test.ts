/**
 * The planner is a function of its inputs' contents, not their order: any permutation of the
 * mappings, issues, jobs and dedup entries gives a deep-equal plan — including worlds with
 * ties on priority and age, an issue listed twice, and blockers in any order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DedupEntry, Job, Mapping, Phase, Stage, TicketIssue } from '../../core/domain/model.js';
import { planDispatches } from '../../core/domain/planner.js';
import { HOUR, mapping, T0 } from './fixtures.js';

/** CORE_PROP_RUNS=5000 for a longer soak; the default keeps the file fast. */
const RUNS = Number(process.env.CORE_PROP_RUNS ?? 400);

const teams = ['A', 'B', 'C', 'Z'];
const stages: Stage[] = ['triggered', 'triggered', 'planning', 'plan_complete', 'implementing', 'pr_opened', 'planning_failed'];

const mappingsArb = fc
  .uniqueArray(
    fc.record({
      teamKey: fc.constantFrom('A', 'B', 'C'),
      cap: fc.integer({ min: 1, max: 4 }),
      paused: fc.boolean(),
      planningEnabled: fc.boolean(),
      autoApprovePlans: fc.boolean(),
    }),
    { selector: (m) => m.teamKey, maxLength: 3 },
  )
  .map((ms) =>
    ms.map(
      (m): Mapping =>
        mapping({
          teamKey: m.teamKey,
          maxInProgressAiIssues: m.cap,
          paused: m.paused,
          planningEnabled: m.planningEnabled,
          autoApprovePlans: m.autoApprovePlans,
        }),
    ),
  );

const issueArb = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    team: fc.constantFrom(...teams),
    priority: fc.integer({ min: 0, max: 4 }),
    age: fc.integer({ min: 0, max: 3 }), // few values: many ties on age
    stage: fc.constantFrom(...stages),
    planApproved: fc.boolean(),
    blockers: fc.array(fc.record({ n: fc.integer({ min: 1, max: 9 }), open: fc.boolean() }), { maxLength: 3 }),
  })
  .map(
    (i): TicketIssue => ({
      id: `i${i.n}`,
      identifier: `${i.team}-${i.n}`,
      teamKey: i.team,
      title: `t${i.n}`,
      url: `https://t/${i.n}`,
      priority: i.priority,
      createdAt: T0 - i.age * HOUR,
      stage: i.stage,
      planApproved: i.planApproved,
      labels: [],
      blockedBy: i.blockers.map((b) => ({ identifier: `X-${b.n}`, open: b.open })),
    }),
  );

const jobArb = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    k: fc.nat(1000),
    team: fc.constantFrom(...teams),
    phase: fc.constantFrom<Phase>('planning', 'implementation'),
    status: fc.constantFrom<Job['status']>('dispatched', 'running', 'completed', 'failed', 'timed_out'),
  })
  .map(
    (j): Job => ({
      id: `j${j.n}-${j.k}`,
      issueId: `i${j.n}`,
      identifier: `${j.team}-${j.n}`,
      teamKey: j.team,
      owner: 'o',
      repo: 'r',
      phase: j.phase,
      status: j.status,
      dispatchNumber: 1,
      runner: 'github-actions',
      dispatchedAt: T0,
      updatedAt: T0,
    }),
  );

const dedupArb = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    phase: fc.constantFrom<Phase>('planning', 'implementation'),
    ago: fc.integer({ min: 0, max: 30 }),
  })
  .map(
    (d): DedupEntry => ({
      issueId: `i${d.n}`,
      identifier: `X-${d.n}`,
      title: 't',
      teamKey: 'A',
      phase: d.phase,
      dispatchedAt: T0 - d.ago * HOUR,
    }),
  );

const worldArb = fc.record({
  mappings: mappingsArb,
  // Some issues listed twice, the copy differing only in its blockers or labels: the worst
  // case for order independence, since every sort key ties.
  issues: fc.array(issueArb, { maxLength: 40 }).chain((issues) =>
    fc
      .array(fc.record({ pick: fc.nat(), open: fc.boolean(), label: fc.boolean() }), { maxLength: issues.length ? 4 : 0 })
      .map((copies) => [
        ...issues,
        ...copies.map(({ pick, open, label }) => {
          const original = issues[pick % issues.length]!;
          return label ? { ...original, labels: ['copy'] } : { ...original, blockedBy: [{ identifier: 'X-1', open }] };
        }),
      ]),
  ),
  jobs: fc.uniqueArray(jobArb, { selector: (j) => j.id, maxLength: 20 }),
  dedup: fc.uniqueArray(dedupArb, { selector: (d) => d.issueId, maxLength: 10 }),
});

const permutation = <T>(xs: T[]) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });

describe('planDispatches is deterministic', () => {
  it('gives a deep-equal plan for any order of its inputs', () => {
    const arb = worldArb.chain((w) =>
      fc.record({
        world: fc.constant(w),
        mappings: permutation(w.mappings),
        issues: permutation(w.issues),
        jobs: permutation(w.jobs),
        dedup: permutation(w.dedup),
        blockerSeed: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ world, mappings, issues, jobs, dedup, blockerSeed }) => {
        // Reverse some issues' own blocker lists too: nested order must not matter either.
        const reordered = issues.map((i, n) => ((n + blockerSeed) % 2 ? { ...i, blockedBy: [...i.blockedBy].reverse() } : i));
        const a = planDispatches({ ...world, now: T0 });
        const b = planDispatches({ mappings, issues: reordered, jobs, dedup, now: T0 });
        expect(b.dispatch).toEqual(
          a.dispatch.map((d) => ({ ...d, issue: expect.objectContaining({ id: d.issue.id, stage: d.issue.stage }) })),
        );
        expect(b.skipped.map((s) => [s.issue.id, s.reason, s.message])).toEqual(
          a.skipped.map((s) => [s.issue.id, s.reason, s.message]),
        );
        expect(b.inProgress).toEqual(a.inProgress);
        // With the issues' own blocker lists untouched, the whole plan is deep-equal.
        expect(planDispatches({ mappings, issues, jobs, dedup, now: T0 })).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
