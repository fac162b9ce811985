/**
 * The dispatch core driven through generated event sequences: issues get labelled, time
 * passes, the planner ticks (its dispatches become jobs, dedup entries and stage moves), runs
 * report outcomes through the job state machine and the issue lifecycle, operators remove
 * dedup entries, destroy sessions, change caps, pause mappings, and blockers close.
 *
 * After EVERY step:
 * - no mapping grows past its cap (lowering a cap below the work in flight is allowed; the
 *   count then only falls), and after a tick that dispatched into a mapping it is within it;
 * - no issue+phase is dispatched twice inside the dedup window while the ledger still holds
 *   that dispatch (an operator may clear it; a later dispatch of the issue's other phase
 *   supersedes it, since the ledger keeps one entry per issue);
 * - a terminal job never changes;
 * - every skipped issue has exactly one reason, and the reason is true of it;
 * - the plan does not depend on the order of its inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SKIP_REASONS, type SkipReason } from '../../core/domain/blockers.js';
import { DEDUP_WINDOW_MS, isDeduped, recordDispatch, removeFromDedup } from '../../core/domain/dedup.js';
import { applyJobEvent, isTerminal, type JobEvent } from '../../core/domain/job-status.js';
import { advanceIssue, isFailedStage, isInProgressStage, issueEventForFinishedJob } from '../../core/domain/lifecycle.js';
import type { DedupEntry, Job, Mapping, TicketIssue, TimedOutReason } from '../../core/domain/model.js';
import { type DispatchPlan, planDispatches } from '../../core/domain/planner.js';
import { runnerForJob } from '../../core/domain/runner-mode.js';
import { HOUR, mapping, T0 } from './fixtures.js';

const TEAMS = ['A', 'B', 'C'] as const;
const ALL_TEAMS = [...TEAMS, 'Z'] as const; // Z has no mapping

type Outcome = 'run-linked' | 'started' | 'succeeded' | 'succeeded-no-pr' | 'review-failed' | 'failed' | 'timed-out';
type Step =
  | { t: 'label'; team: string; priority: number; ageMs: number; blockers: { pick: number; open: boolean }[] }
  | { t: 'advance'; ms: number }
  | { t: 'tick'; seed: number }
  | { t: 'job'; pick: number; outcome: Outcome; reason: TimedOutReason }
  | { t: 'approve'; pick: number }
  | { t: 'undedup'; pick: number }
  | { t: 'reset'; pick: number }
  | { t: 'retrigger'; pick: number }
  | { t: 'cap'; team: string; cap: number }
  | { t: 'pause'; team: string }
  | { t: 'close-blocker'; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('label' as const),
      team: fc.constantFrom(...ALL_TEAMS),
      priority: fc.integer({ min: 0, max: 4 }),
      ageMs: fc.integer({ min: 0, max: 48 * HOUR }),
      blockers: fc.array(fc.record({ pick: fc.nat(), open: fc.boolean() }), { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 30 * HOUR })),
    }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('tick' as const), seed: fc.integer() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('job' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom<Outcome>(
        'run-linked',
        'started',
        'succeeded',
        'succeeded-no-pr',
        'review-failed',
        'failed',
        'timed-out',
      ),
      reason: fc.constantFrom<TimedOutReason>('container_timeout', 'machine_timeout', 'run_not_found', 'timed_out'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('approve' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('undedup' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reset' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('retrigger' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('cap' as const),
      team: fc.constantFrom(...TEAMS),
      cap: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('pause' as const), team: fc.constantFrom(...TEAMS) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close-blocker' as const), pick: fc.nat() }) },
);

const mappingsArb = fc.tuple(
  ...TEAMS.map((teamKey) =>
    fc.record({ cap: fc.integer({ min: 1, max: 3 }), planningEnabled: fc.boolean(), autoApprovePlans: fc.boolean() }).map((m) =>
      mapping({
        teamKey,
        maxInProgressAiIssues: m.cap,
        planningEnabled: m.planningEnabled,
        autoApprovePlans: m.autoApprovePlans,
      }),
    ),
  ),
);

interface World {
  now: number;
  mappings: Map<string, Mapping>;
  issues: TicketIssue[];
  jobs: Job[];
  dedup: DedupEntry[];
  serial: number;
  /** The checker's own memory of dispatches the ledger still vouches for: issue|phase → time. */
  vouched: Map<string, number>;
  /** In-progress count per team after the previous step. */
  lastCount: Map<string, number>;
}

/** In progress per team, computed here from first principles, not by the planner. */
function inProgressCounts(w: World): Map<string, number> {
  const sets = new Map<string, Set<string>>(ALL_TEAMS.map((t) => [t, new Set<string>()]));
  for (const j of w.jobs) if (!isTerminal(j.status)) sets.get(j.teamKey)?.add(j.issueId);
  for (const i of w.issues) if (i.stage === 'planning' || i.stage === 'implementing') sets.get(i.teamKey)?.add(i.id);
  return new Map([...sets].map(([t, s]) => [t, s.size]));
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const plannerInput = (w: World) => ({
  mappings: [...w.mappings.values()],
  issues: w.issues,
  jobs: w.jobs,
  dedup: w.dedup,
  now: w.now,
});

function setIssue(w: World, id: string, patch: Partial<TicketIssue>): void {
  w.issues = w.issues.map((i) => (i.id === id ? { ...i, ...patch } : i));
}

function checkPlan(w: World, p: DispatchPlan, seed: number): void {
  // Order independence: the same world, every list shuffled, gives a deep-equal plan.
  const again = planDispatches({
    mappings: shuffled([...w.mappings.values()], seed),
    issues: shuffled(w.issues, seed + 1),
    jobs: shuffled(w.jobs, seed + 2),
    dedup: shuffled(w.dedup, seed + 3),
    now: w.now,
  });
  expect(again).toEqual(p);

  // Every eligible issue is decided exactly once; nothing else is mentioned.
  const eligible = w.issues.filter(
    (i) =>
      i.stage === 'triggered' ||
      (i.stage === 'plan_complete' && (i.planApproved === true || w.mappings.get(i.teamKey)?.autoApprovePlans === true)),
  );
  const decided = [...p.dispatch.map((d) => d.issue.id), ...p.skipped.map((s) => s.issue.id)];
  expect(new Set(decided).size).toBe(decided.length);
  expect([...decided].sort()).toEqual(eligible.map((i) => i.id).sort());

  const busy = new Set(w.jobs.filter((j) => !isTerminal(j.status)).map((j) => j.issueId));
  for (const s of p.skipped) {
    expect(SKIP_REASONS).toContain(s.reason);
    const m = w.mappings.get(s.issue.teamKey);
    // Exactly one reason, and it is the first that applies (concurrency when none of the others does).
    const phase = s.issue.stage === 'triggered' && m?.planningEnabled ? 'planning' : 'implementation';
    const applies: Record<Exclude<SkipReason, 'concurrency'>, boolean> = {
      'no-mapping': m === undefined,
      paused: m?.paused === true,
      'blocked-by-issue': s.issue.blockedBy.some((b) => b.open),
      dedup: isDeduped(w.dedup, s.issue.id, phase, w.now) || busy.has(s.issue.id),
      budget: false, // this world plans without spend (budget.prop.test.ts covers it)
    };
    const first = (Object.keys(applies) as (keyof typeof applies)[]).find((r) => applies[r]) ?? 'concurrency';
    expect(s.reason, `reason of ${s.issue.identifier}`).toBe(first);
    if (s.reason === 'no-mapping') expect(s.message).toBe(`No mapping for team ${s.issue.teamKey}. Add one in Projects.`);
    if (s.reason === 'dedup') {
      expect(s.message).toBe('Already dispatched recently. Waiting for the in-flight job.');
    }
    if (s.reason === 'concurrency') {
      const [, n, cap] = /^at concurrency cap \((\d+)\/(\d+)\)\. Waiting for a slot\.$/.exec(s.message) ?? [];
      expect(Number(cap)).toBe(m?.maxInProgressAiIssues);
      expect(Number(n)).toBeGreaterThanOrEqual(Number(cap));
    }
  }
  for (const d of p.dispatch) {
    expect(d.mapping.paused).toBe(false);
    expect(d.issue.blockedBy.some((b) => b.open)).toBe(false);
    expect(busy.has(d.issue.id)).toBe(false);
    expect(isDeduped(w.dedup, d.issue.id, d.phase, w.now)).toBe(false);
    const earlier = w.jobs.filter((j) => j.issueId === d.issue.id && j.phase === d.phase).length;
    expect(d.dispatchNumber).toBe(earlier + 1);
  }
}

function applyPlan(w: World, p: DispatchPlan): void {
  for (const d of p.dispatch) {
    const key = `${d.issue.id}|${d.phase}`;
    const prior = w.vouched.get(key);
    expect(prior === undefined || w.now - prior >= DEDUP_WINDOW_MS, `${key} dispatched twice inside the window`).toBe(true);
    w.vouched.set(key, w.now);
    // The ledger keeps one entry per issue: this dispatch supersedes the other phase's.
    w.vouched.delete(`${d.issue.id}|${d.phase === 'planning' ? 'implementation' : 'planning'}`);

    const id = `j${w.serial++}`;
    w.jobs.push({
      id,
      issueId: d.issue.id,
      identifier: d.issue.identifier,
      teamKey: d.issue.teamKey,
      owner: d.mapping.owner,
      repo: d.mapping.repo,
      phase: d.phase,
      status: 'dispatched',
      dispatchNumber: d.dispatchNumber,
      runner: runnerForJob('default', d.mapping),
      dispatchedAt: w.now,
      updatedAt: w.now,
    });
    w.dedup = recordDispatch(w.dedup, {
      issueId: d.issue.id,
      identifier: d.issue.identifier,
      title: d.issue.title,
      teamKey: d.issue.teamKey,
      phase: d.phase,
      dispatchedAt: w.now,
    });
    setIssue(w, d.issue.id, { stage: advanceIssue(d.issue.stage, { type: 'dispatched', phase: d.phase }).stage });
  }
  const after = inProgressCounts(w);
  for (const [team, { count, cap }] of Object.entries(p.inProgress)) {
    expect(count, `planner's count for ${team}`).toBe(after.get(team));
    if (p.dispatch.some((d) => d.mapping.teamKey === team)) expect(count).toBeLessThanOrEqual(cap);
  }
}

function jobEvent(outcome: Outcome, reason: TimedOutReason, w: World, job: Job): JobEvent {
  const at = w.now;
  switch (outcome) {
    case 'run-linked':
      return { type: 'run-linked', runId: `run-${job.id}`, at };
    case 'started':
      return { type: 'started', at };
    case 'succeeded':
      return { type: 'succeeded', prUrl: `https://gh.test/pr/${job.id}`, at };
    case 'succeeded-no-pr':
      return { type: 'succeeded', at };
    case 'review-failed':
      return { type: 'review-failed', prUrl: `https://gh.test/pr/${job.id}`, at };
    case 'failed':
      return { type: 'failed', error: 'LLM invocation failed with exit code 1', at };
    case 'timed-out':
      return { type: 'timed-out', reason, at };
  }
}

function step(w: World, s: Step): void {
  const pick = <T>(xs: T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
  switch (s.t) {
    case 'label': {
      const n = w.serial++;
      const blockedBy = s.blockers.map(({ pick: k, open }) => ({
        identifier: pick(w.issues, k)?.identifier ?? `X-${k % 5}`,
        open,
      }));
      w.issues.push({
        id: `i${n}`,
        identifier: `${s.team}-${n}`,
        teamKey: s.team,
        title: `Issue ${n}`,
        url: `https://tracker.test/${s.team}-${n}`,
        priority: s.priority,
        createdAt: w.now - s.ageMs,
        stage: 'triggered',
        labels: ['AI-Implement'],
        blockedBy,
      });
      return;
    }
    case 'advance':
      w.now += s.ms;
      return;
    case 'tick': {
      const p = planDispatches(plannerInput(w));
      checkPlan(w, p, s.seed);
      applyPlan(w, p);
      return;
    }
    case 'job': {
      const job = pick(w.jobs, s.pick);
      if (!job) return;
      const r = applyJobEvent(job, jobEvent(s.outcome, s.reason, w, job));
      w.jobs = w.jobs.map((j) => (j.id === job.id ? r.job : j));
      if (!r.effects.some((e) => e.kind === 'job-finished')) return;
      const m = w.mappings.get(r.job.teamKey);
      const event = issueEventForFinishedJob(r.job, m?.autoApprovePlans ?? false);
      const current = w.issues.find((i) => i.id === r.job.issueId);
      if (event && current) setIssue(w, current.id, { stage: advanceIssue(current.stage, event).stage });
      return;
    }
    case 'approve': {
      const i = pick(
        w.issues.filter((x) => x.stage === 'plan_complete'),
        s.pick,
      );
      if (i) setIssue(w, i.id, { planApproved: true });
      return;
    }
    case 'undedup': {
      const e = pick(w.dedup, s.pick);
      if (!e) return;
      w.dedup = removeFromDedup(w.dedup, e.issueId);
      w.vouched.delete(`${e.issueId}|planning`);
      w.vouched.delete(`${e.issueId}|implementation`);
      return;
    }
    case 'reset': {
      // Destroying a session: the in-progress marker goes and the issue leaves the dedup
      // window; the job itself stays in flight until its run reports or times out.
      const j = pick(
        w.jobs.filter((x) => !isTerminal(x.status)),
        s.pick,
      );
      if (!j) return;
      setIssue(w, j.issueId, { stage: 'triggered', planApproved: false });
      w.dedup = removeFromDedup(w.dedup, j.issueId);
      w.vouched.delete(`${j.issueId}|planning`);
      w.vouched.delete(`${j.issueId}|implementation`);
      return;
    }
    case 'retrigger': {
      const i = pick(
        w.issues.filter((x) => isFailedStage(x.stage)),
        s.pick,
      );
      if (i) setIssue(w, i.id, { stage: 'triggered' });
      return;
    }
    case 'cap': {
      const m = w.mappings.get(s.team);
      if (m) w.mappings.set(s.team, { ...m, maxInProgressAiIssues: s.cap });
      return;
    }
    case 'pause': {
      const m = w.mappings.get(s.team);
      if (m) w.mappings.set(s.team, { ...m, paused: !m.paused });
      return;
    }
    case 'close-blocker': {
      const open = [...new Set(w.issues.flatMap((i) => i.blockedBy.filter((b) => b.open).map((b) => b.identifier)))].sort();
      const id = pick(open, s.pick);
      if (!id) return;
      w.issues = w.issues.map((i) => ({
        ...i,
        blockedBy: i.blockedBy.map((b) => (b.identifier === id ? { ...b, open: false } : b)),
      }));
      return;
    }
  }
}

/** CORE_PROP_RUNS=5000 for a longer soak; the default keeps the file fast. */
const RUNS = Number(process.env.CORE_PROP_RUNS ?? 250);

describe('dispatch core under generated event sequences', () => {
  it('keeps every invariant after every step', () => {
    let steps = 0;
    let dispatched = 0;
    let skipped = new Set<string>();
    fc.assert(
      fc.property(mappingsArb, fc.array(stepArb, { minLength: 1, maxLength: 80, size: 'max' }), (mappings, events) => {
        const w: World = {
          now: T0,
          mappings: new Map(mappings.map((m) => [m.teamKey, m])),
          issues: [],
          jobs: [],
          dedup: [],
          serial: 1,
          vouched: new Map(),
          lastCount: new Map(ALL_TEAMS.map((t) => [t, 0])),
        };
        for (const event of events) {
          const terminalBefore = new Map(w.jobs.filter((j) => isTerminal(j.status)).map((j) => [j.id, structuredClone(j)]));
          const jobsBefore = w.jobs.length;
          step(w, event);
          steps++;

          for (const [id, before] of terminalBefore) expect(w.jobs.find((j) => j.id === id)).toEqual(before);

          const counts = inProgressCounts(w);
          for (const team of TEAMS) {
            const count = counts.get(team)!;
            const cap = w.mappings.get(team)!.maxInProgressAiIssues;
            expect(count <= cap || count <= w.lastCount.get(team)!, `${team} grew past its cap: ${count}/${cap}`).toBe(true);
            w.lastCount.set(team, count);
          }
          if (event.t === 'tick') {
            dispatched += w.jobs.length - jobsBefore;
            const p = planDispatches(plannerInput(w));
            skipped = new Set([...skipped, ...p.skipped.map((x) => x.reason)]);
          }
        }
        // The stage sanity of the world itself: an in-progress stage with no job is never produced.
        for (const i of w.issues) {
          if (isInProgressStage(i.stage)) expect(w.jobs.some((j) => j.issueId === i.id)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // The generator reaches the interesting places, or the properties above prove little.
    expect(steps).toBeGreaterThan(RUNS * 20);
    expect(dispatched).toBeGreaterThan(RUNS * 2);
    // `budget` needs spend, which this world has none of (budget.prop.test.ts).
    expect([...skipped].sort()).toEqual(SKIP_REASONS.filter((r) => r !== 'budget').sort());
  }, 600_000);
});
