/**
 * How fast the dispatch planner decides, and how that grows with the number of issues.
 *
 *   npx tsx bench/planner/planner.bench.ts
 *
 * Worlds are generated from a fixed seed: 100 mappings, candidate issues spread over them
 * (some of an unmapped team, some blocked, some at later stages), jobs for about a third of
 * the issues and dedup entries for a tenth. Each size is planned several times after a
 * warm-up and the median is reported. Growth is the time ratio against 1,000 issues measured
 * in this same process: near-linear means it tracks the size ratio (the one sort adds log n).
 *
 * On a real CPU even a single linear pass gets slower per item once its working set leaves
 * the caches, so each size also times a reference pass that does the least any planner
 * must — visit every issue once and put its id in a Map — and reports the planner's time as
 * a multiple of it. That multiple staying flat is what "near-linear" means on this machine.
 */
import type { DedupEntry, Job, Mapping, Stage, TicketIssue } from '../../core/domain/model.js';
import { planDispatches } from '../../core/domain/planner.js';

const MAPPINGS = 100;
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);

/** mulberry32: a tiny seeded PRNG, so every run plans the same worlds. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function world(issueCount: number, seed: number) {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const mappings: Mapping[] = Array.from({ length: MAPPINGS }, (_, n) => ({
    teamKey: `T${n}`,
    ticketing: 'linear',
    forge: 'github',
    owner: 'acme',
    repo: `repo-${n}`,
    workflowFile: 'claude-implement.yml',
    defaultBranch: 'main',
    branchPrefix: 'ai/',
    maxInProgressAiIssues: 1 + int(Math.max(2, issueCount / MAPPINGS / 4)),
    executionMode: 'github-actions',
    sessionMode: 'autonomous',
    machineCpus: 2,
    machineMemoryMb: 4096,
    planningEnabled: rand() < 0.8,
    planningWorkflowFile: 'claude-plan.yml',
    autoApprovePlans: rand() < 0.5,
    provider: 'anthropic',
    extraEnv: {},
    paused: rand() < 0.05,
    createdAt: NOW - DAY,
    updatedAt: NOW - DAY,
  }));
  const stages: Stage[] = [
    'triggered',
    'triggered',
    'triggered',
    'triggered',
    'triggered',
    'triggered',
    'planning',
    'plan_complete',
    'implementing',
    'pr_opened',
  ];
  const issues: TicketIssue[] = [];
  const jobs: Job[] = [];
  const dedup: DedupEntry[] = [];
  for (let n = 0; n < issueCount; n++) {
    const teamKey = rand() < 0.01 ? 'UNMAPPED' : `T${int(MAPPINGS)}`;
    const id = `issue-${n}`;
    const identifier = `${teamKey}-${n}`;
    const stage = stages[int(stages.length)]!;
    issues.push({
      id,
      identifier,
      teamKey,
      title: `Issue ${n}`,
      url: `https://tracker.test/${identifier}`,
      priority: int(5),
      createdAt: NOW - int(30 * DAY),
      stage,
      planApproved: rand() < 0.5,
      labels: ['AI-Implement'],
      blockedBy: rand() < 0.1 ? [{ identifier: `T0-${int(issueCount)}`, open: rand() < 0.5 }] : [],
    });
    if (rand() < 0.3) {
      const phase = stage === 'triggered' || stage === 'planning' ? 'planning' : 'implementation';
      const done = stage !== 'planning' && stage !== 'implementing';
      jobs.push({
        id: `job-${n}`,
        issueId: id,
        identifier,
        teamKey,
        owner: 'acme',
        repo: 'repo',
        phase,
        status: done ? (['completed', 'failed', 'timed_out'] as const)[int(3)]! : 'running',
        dispatchNumber: 1,
        runner: 'github-actions',
        dispatchedAt: NOW - int(2 * DAY),
        updatedAt: NOW - int(DAY),
      });
    }
    if (rand() < 0.1) {
      dedup.push({ issueId: id, identifier, title: `Issue ${n}`, teamKey, phase: 'planning', dispatchedAt: NOW - int(2 * DAY) });
    }
  }
  return { mappings, issues, jobs, dedup, now: NOW };
}

/** The floor: one visit and one Map insert per issue, in the planner's input order. */
function reference(input: ReturnType<typeof world>): number {
  const seen = new Map<string, number>();
  for (const issue of input.issues) seen.set(issue.id, issue.priority);
  return seen.size;
}

function medianMs(run: () => unknown, warmup: number, repeats: number): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median milliseconds of one plan, and what the plan decided. */
function measure(
  input: ReturnType<typeof world>,
  warmup: number,
  repeats: number,
): { ms: number; dispatched: number; skipped: number } {
  const plan = planDispatches(input);
  return {
    ms: medianMs(() => planDispatches(input), warmup, repeats),
    dispatched: plan.dispatch.length,
    skipped: plan.skipped.length,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function main(): void {
  console.log(`planner bench — ${MAPPINGS} mappings, node ${process.version}\n`);

  const headline = measure(world(10_000, 1), 5, 21);
  const perSecond = Math.round((10_000 / headline.ms) * 1000);
  console.log(`10,000 candidate issues: ${headline.ms.toFixed(2)} ms per plan (median of 21)`);
  console.log(
    `  ${fmt(perSecond)} issue decisions per second (${fmt(headline.dispatched)} dispatched, ${fmt(headline.skipped)} skipped)\n`,
  );

  console.log('growth against 1,000 issues (near-linear: the time ratio tracks the size ratio)');
  console.log('   issues     ms/plan   time ×   size ×   ns/issue   reference ns/issue   planner ÷ reference');
  const sizes: [number, number][] = [
    [1_000, 51],
    [10_000, 21],
    [100_000, 7],
  ];
  let base: number | undefined;
  for (const [size, repeats] of sizes) {
    const input = world(size, 2);
    const { ms } = measure(input, 3, repeats);
    const floor = medianMs(() => reference(input), 3, repeats);
    base ??= ms;
    console.log(
      `${fmt(size).padStart(9)}  ${ms.toFixed(2).padStart(10)}  ${(ms / base).toFixed(1).padStart(7)}  ${String(size / sizes[0]![0]).padStart(7)}  ${((ms * 1e6) / size).toFixed(0).padStart(9)}  ${((floor * 1e6) / size).toFixed(0).padStart(19)}  ${(ms / floor).toFixed(1).padStart(20)}`,
    );
  }
}

main();
