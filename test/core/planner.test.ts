import { describe, expect, it } from 'vitest';
import type { DedupEntry, Job, Mapping, TicketIssue } from '../../core/domain/model.js';
import { planDispatches } from '../../core/domain/planner.js';
import { dedupEntry, HOUR, issue, job, mapping, T0 } from './fixtures.js';

const NOW = T0 + 2 * HOUR;
const plan = (input: { mappings?: Mapping[]; issues: TicketIssue[]; jobs?: Job[]; dedup?: DedupEntry[]; now?: number }) =>
  planDispatches({
    mappings: input.mappings ?? [mapping()],
    issues: input.issues,
    jobs: input.jobs ?? [],
    dedup: input.dedup ?? [],
    now: input.now ?? NOW,
  });
const ids = (xs: { issue: TicketIssue }[]) => xs.map((x) => x.issue.id);

describe('planDispatches: eligibility and phase', () => {
  it('dispatches a triggered issue to planning, as its first dispatch', () => {
    const m = mapping();
    const i = issue({ id: 'i1' });
    expect(plan({ mappings: [m], issues: [i] })).toEqual({
      dispatch: [{ issue: i, mapping: m, phase: 'planning', dispatchNumber: 1 }],
      skipped: [],
      inProgress: { ENG: { count: 1, cap: 3 } },
    });
  });

  it('goes straight to implementation when the mapping has planning off', () => {
    const r = plan({ mappings: [mapping({ planningEnabled: false })], issues: [issue({ id: 'i1' })] });
    expect(r.dispatch.map((d) => d.phase)).toEqual(['implementation']);
  });

  it('implements a plan once approved, by a human or by the mapping', () => {
    const approved = issue({ id: 'a', stage: 'plan_complete', planApproved: true });
    const waiting = issue({ id: 'w', stage: 'plan_complete' });
    const manual = plan({ mappings: [mapping({ autoApprovePlans: false })], issues: [approved, waiting] });
    expect(manual.dispatch.map((d) => [d.issue.id, d.phase])).toEqual([['a', 'implementation']]);
    expect(manual.skipped).toEqual([]);
    const auto = plan({ mappings: [mapping({ autoApprovePlans: true })], issues: [waiting] });
    expect(auto.dispatch.map((d) => [d.issue.id, d.phase])).toEqual([['w', 'implementation']]);
  });

  it('neither dispatches nor skips issues at other stages', () => {
    const stages = ['planning', 'implementing', 'pr_opened', 'planning_failed', 'implementation_failed'] as const;
    const r = plan({ issues: stages.map((stage, n) => issue({ id: `i${n}`, stage })) });
    expect(r.dispatch).toEqual([]);
    expect(r.skipped).toEqual([]);
  });

  it('numbers a re-dispatch after the earlier ones', () => {
    const jobs = [
      job({ id: 'j1', issueId: 'i1', status: 'failed', dispatchNumber: 1 }),
      job({ id: 'j2', issueId: 'i1', status: 'timed_out', dispatchNumber: 2 }),
    ];
    expect(plan({ issues: [issue({ id: 'i1' })], jobs }).dispatch[0]?.dispatchNumber).toBe(3);
  });
});

describe('planDispatches: reasons', () => {
  it('skips an issue of a team without a mapping', () => {
    const r = plan({ issues: [issue({ id: 'i1', teamKey: 'OPS', identifier: 'OPS-1' })] });
    expect(r.skipped).toEqual([
      {
        issue: expect.objectContaining({ id: 'i1' }),
        teamKey: 'OPS',
        reason: 'no-mapping',
        message: 'No mapping for team OPS. Add one in Projects.',
      },
    ]);
  });

  it('skips issues of a paused mapping', () => {
    const r = plan({ mappings: [mapping({ paused: true })], issues: [issue({ id: 'i1' })] });
    expect(r.skipped.map((s) => s.reason)).toEqual(['paused']);
    expect(r.dispatch).toEqual([]);
  });

  it('skips an issue with an open blocking issue, but not one whose blockers are closed', () => {
    const blocked = issue({
      id: 'b',
      blockedBy: [
        { identifier: 'ENG-9', open: true },
        { identifier: 'ENG-8', open: false },
      ],
    });
    const free = issue({ id: 'f', blockedBy: [{ identifier: 'ENG-8', open: false }] });
    const r = plan({ issues: [blocked, free] });
    expect(ids(r.dispatch)).toEqual(['f']);
    expect(r.skipped).toMatchObject([
      { reason: 'blocked-by-issue', message: 'Blocked by open issue ENG-9. Waiting for it to close.' },
    ]);
  });

  it('skips an issue dispatched in the same phase within 24 hours, not after, and not for another phase', () => {
    const i = issue({ id: 'i1' });
    const inWindow = plan({
      issues: [i],
      dedup: [dedupEntry({ issueId: 'i1', phase: 'planning', dispatchedAt: NOW - 23 * HOUR })],
    });
    expect(inWindow.skipped).toMatchObject([
      { reason: 'dedup', message: 'Already dispatched recently. Waiting for the in-flight job.' },
    ]);
    const expired = plan({
      issues: [i],
      dedup: [dedupEntry({ issueId: 'i1', phase: 'planning', dispatchedAt: NOW - 24 * HOUR })],
    });
    expect(ids(expired.dispatch)).toEqual(['i1']);
    const approved = issue({ id: 'i1', stage: 'plan_complete', planApproved: true });
    const otherPhase = plan({
      issues: [approved],
      dedup: [dedupEntry({ issueId: 'i1', phase: 'planning', dispatchedAt: NOW - HOUR })],
    });
    expect(otherPhase.dispatch.map((d) => d.phase)).toEqual(['implementation']);
  });

  it('skips an issue that already has a job in flight, even outside the dedup window', () => {
    const r = plan({
      issues: [issue({ id: 'i1' })],
      jobs: [job({ id: 'j', issueId: 'i1', status: 'running', dispatchedAt: NOW - 30 * HOUR })],
    });
    expect(r.skipped.map((s) => s.reason)).toEqual(['dedup']);
  });

  it('stops at the cap, counting jobs in flight, issues at Planning/Implementing, and its own dispatches', () => {
    const m = mapping({ maxInProgressAiIssues: 3 });
    const issues = [
      issue({ id: 'working', stage: 'implementing' }),
      issue({ id: 'a', identifier: 'ENG-1' }),
      issue({ id: 'b', identifier: 'ENG-2' }),
      issue({ id: 'c', identifier: 'ENG-3' }),
    ];
    const jobs = [
      job({ id: 'j', issueId: 'elsewhere', status: 'running' }),
      job({ id: 'k', issueId: 'working', status: 'running' }),
    ];
    const r = plan({ mappings: [m], issues, jobs });
    expect(ids(r.dispatch)).toEqual(['a']);
    expect(r.skipped).toMatchObject([
      { issue: { id: 'b' }, reason: 'concurrency', message: 'at concurrency cap (3/3). Waiting for a slot.' },
      { issue: { id: 'c' }, reason: 'concurrency', message: 'at concurrency cap (3/3). Waiting for a slot.' },
    ]);
    expect(r.inProgress).toEqual({ ENG: { count: 3, cap: 3 } });
  });

  it('keeps each mapping to its own cap', () => {
    const mappings = [mapping({ teamKey: 'A', maxInProgressAiIssues: 1 }), mapping({ teamKey: 'B', maxInProgressAiIssues: 2 })];
    const issues = ['A', 'A', 'B', 'B', 'B'].map((teamKey, n) =>
      issue({ id: `${teamKey}${n}`, teamKey, identifier: `${teamKey}-${n}` }),
    );
    const r = plan({ mappings, issues });
    expect(ids(r.dispatch)).toEqual(['A0', 'B2', 'B3']);
    expect(r.skipped.map((s) => [s.issue.id, s.message])).toEqual([
      ['A1', 'at concurrency cap (1/1). Waiting for a slot.'],
      ['B4', 'at concurrency cap (2/2). Waiting for a slot.'],
    ]);
    expect(r.inProgress).toEqual({ A: { count: 1, cap: 1 }, B: { count: 2, cap: 2 } });
  });

  it('gives each skipped issue the first reason that applies, in the documented order', () => {
    const blockers = [{ identifier: 'X-1', open: true }];
    const mappings = [mapping({ teamKey: 'P', paused: true }), mapping({ teamKey: 'E', maxInProgressAiIssues: 1 })];
    const issues = [
      issue({ id: 'nomap', teamKey: 'Z', identifier: 'Z-1', blockedBy: blockers }),
      issue({ id: 'paused', teamKey: 'P', identifier: 'P-1', blockedBy: blockers }),
      issue({ id: 'blocked', teamKey: 'E', identifier: 'E-1', blockedBy: blockers }),
      issue({ id: 'dedup', teamKey: 'E', identifier: 'E-2' }),
      issue({ id: 'inflight', teamKey: 'E', identifier: 'E-3', stage: 'implementing' }),
    ];
    const dedup = [dedupEntry({ issueId: 'dedup', teamKey: 'E', dispatchedAt: NOW - HOUR })];
    const r = plan({ mappings, issues, dedup });
    // Listed in priority order (here: by identifier). E is at its cap of 1, so `dedup` also
    // meets `concurrency` and `blocked` meets it too; the earlier reason is the one given.
    expect(r.skipped.map((s) => [s.issue.id, s.reason])).toEqual([
      ['blocked', 'blocked-by-issue'],
      ['dedup', 'dedup'],
      ['paused', 'paused'],
      ['nomap', 'no-mapping'],
    ]);
  });
});

describe('planDispatches: order and input hygiene', () => {
  it('orders by priority (none last), then the oldest, then the identifier in natural order', () => {
    const mappings = [mapping({ maxInProgressAiIssues: 100 })];
    const issues = [
      issue({ id: 'none', priority: 0, createdAt: T0 - 10 * HOUR }),
      issue({ id: 'low', priority: 4 }),
      issue({ id: 'urgent-new', priority: 1, createdAt: T0 }),
      issue({ id: 'urgent-old', priority: 1, createdAt: T0 - HOUR }),
      issue({ id: 'high-10', priority: 2, identifier: 'ENG-10' }),
      issue({ id: 'high-2', priority: 2, identifier: 'ENG-2' }),
      issue({ id: 'medium', priority: 3 }),
    ];
    expect(ids(plan({ mappings, issues }).dispatch)).toEqual([
      'urgent-old',
      'urgent-new',
      'high-2',
      'high-10',
      'medium',
      'low',
      'none',
    ]);
  });

  it('considers an issue listed twice only once', () => {
    const i = issue({ id: 'i1' });
    const r = plan({ issues: [i, { ...i }] });
    expect(ids(r.dispatch)).toEqual(['i1']);
    expect(r.skipped).toEqual([]);
  });

  it('reports every mapping in inProgress, including paused ones and ones without candidates', () => {
    const r = plan({
      mappings: [mapping({ teamKey: 'B', paused: true }), mapping({ teamKey: 'A', maxInProgressAiIssues: 5 })],
      issues: [],
    });
    expect(r.inProgress).toEqual({ A: { count: 0, cap: 5 }, B: { count: 0, cap: 3 } });
    expect(Object.keys(r.inProgress)).toEqual(['A', 'B']);
  });

  it('throws on two mappings with one team key: that is a broken store, not a waiting issue', () => {
    expect(() => plan({ mappings: [mapping(), mapping()], issues: [] })).toThrow(/ENG/);
  });

  it('does not mutate its inputs', () => {
    const input = {
      mappings: [mapping()],
      issues: [issue({ id: 'b', priority: 4 }), issue({ id: 'a', priority: 1 })],
      jobs: [],
      dedup: [],
      now: NOW,
    };
    const copy = structuredClone(input);
    planDispatches(input);
    expect(input).toEqual(copy);
  });
});

describe('closed issues', () => {
  it('never dispatches or counts an issue that is done or cancelled in the tracker', () => {
    for (const stateType of ['completed', 'canceled', 'cancelled']) {
      const out = plan({
        mappings: [mapping({ maxInProgressAiIssues: 1 })],
        issues: [
          issue({ id: 'closed', stateType }),
          issue({ id: 'stale-working', stage: 'implementing', stateType }),
          issue({ id: 'open' }),
        ],
      });
      expect(ids(out.dispatch), stateType).toEqual(['open']);
      expect(out.skipped).toEqual([]);
    }
  });
});
