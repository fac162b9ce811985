/**
 * The dispatch planner — spec "Blocker reasons" and the Blockers view, the mapping fields
 * `maxInProgressAiIssues` ("Max issues with AI-Working simultaneously") and `paused`, and the
 * 24-hour dedup window: given the mappings, the candidate issues, the jobs, the dedup ledger
 * and `now`, which issues dispatch now (and in which phase), and why each other eligible issue
 * waits.
 *
 * Eligible issues: at Triggered (phase planning, or implementation when the mapping has
 * planning off), and at Plan complete once the plan is approved — by a human (`planApproved`)
 * or by the mapping's `autoApprovePlans` (the lifecycle's `dispatch` effect asks for a
 * reconcile, and the dispatch goes through here so it respects the cap). Issues at other
 * stages, and closed issues (done or cancelled in the tracker), are neither dispatched nor
 * skipped.
 *
 * Each waiting issue gets exactly one reason, the first that applies of: `no-mapping`,
 * `paused`, `blocked-by-issue`, `dedup`, `budget`, `concurrency`. `budget` (issue 17): today's
 * spend of the team has reached its `dailyBudgetUsd`, or every team's together the global daily
 * budget (budget.ts); runs in flight go on, the next dispatch waits for 00:00 UTC.
 *
 * In progress, per mapping: the distinct issues with a non-terminal job in it, together with
 * the candidates at Planning or Implementing; each dispatch planned here counts at once.
 *
 * Order: ticket priority (urgent first, "no priority" last), then the oldest, then the
 * identifier in natural order (`ENG-2` before `ENG-10`); team key and id break the last ties,
 * so the result does not depend on the order of the inputs. One pass over each input and one
 * sort (by packed numeric keys, rank-sort.ts): near-linear in the number of issues
 * (bench/planner measures it).
 */
import {
  blockedByIssueMessage,
  compareNatural,
  concurrencyMessage,
  DEDUP_MESSAGE,
  noMappingMessage,
  openBlockers,
  pausedMessage,
  type SkipReason,
} from './blockers.js';
import { type DailySpend, dailyBudgetHold, dailyBudgetMessage } from './budget.js';
import { isInWindow } from './dedup.js';
import { isTerminal } from './job-status.js';
import { isClosedStateType, isInProgressStage } from './lifecycle.js';
import type { DedupEntry, Job, Mapping, Stage, TicketIssue } from './model.js';
import { rankSort } from './rank-sort.js';

export type DispatchPhase = 'planning' | 'implementation';

export interface PlannerInput {
  mappings: readonly Mapping[];
  issues: readonly TicketIssue[];
  jobs: readonly Job[];
  dedup: readonly DedupEntry[];
  now: number;
  /** Today's spend and the global budget; without it no daily budget holds anything. */
  spend?: DailySpend;
}

export interface PlannedDispatch {
  issue: TicketIssue;
  mapping: Mapping;
  phase: DispatchPhase;
  /** 1 for the first dispatch of this issue's phase, then one more per re-dispatch. */
  dispatchNumber: number;
}

export interface SkippedIssue {
  issue: TicketIssue;
  teamKey: string;
  reason: SkipReason;
  message: string;
}

export interface DispatchPlan {
  /** In dispatch order: the order the shell should start them in. */
  dispatch: PlannedDispatch[];
  /** In the same priority order. */
  skipped: SkippedIssue[];
  /** Per mapping (by team key), in progress once the planned dispatches start, and the cap. */
  inProgress: Record<string, { count: number; cap: number }>;
}

/** Urgent (1) first … low (4), then none (0) and anything off the scale. */
export function priorityRank(priority: number): number {
  return priority >= 1 && priority <= 4 && Number.isInteger(priority) ? priority : 5;
}

const STAGE_RANK: Record<Stage, number> = {
  triggered: 0,
  planning: 1,
  plan_complete: 2,
  implementing: 3,
  pr_opened: 4,
  planning_failed: 5,
  implementation_failed: 6,
};

interface Candidate {
  issue: TicketIssue;
  rank: number;
  /** The creation time, with a missing or broken one counted as newest. */
  time: number;
}

/** The total order of candidates; exported for the admin's lists and for tests. */
export function compareCandidates(a: TicketIssue, b: TicketIssue): number {
  return compareKeyed(toCandidate(a), toCandidate(b));
}

function toCandidate(issue: TicketIssue): Candidate {
  return {
    issue,
    rank: priorityRank(issue.priority),
    time: Number.isFinite(issue.createdAt) ? issue.createdAt : Number.MAX_VALUE,
  };
}

function compareKeyed(a: Candidate, b: Candidate): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  const byIdentifier = compareNatural(a.issue.identifier, b.issue.identifier);
  if (byIdentifier !== 0) return byIdentifier;
  if (a.issue.teamKey !== b.issue.teamKey) return a.issue.teamKey < b.issue.teamKey ? -1 : 1;
  if (a.issue.id !== b.issue.id) return a.issue.id < b.issue.id ? -1 : 1;
  // The same issue listed twice: prefer the snapshot furthest along, then an approved plan.
  const byStage = STAGE_RANK[b.issue.stage] - STAGE_RANK[a.issue.stage];
  if (byStage !== 0) return byStage;
  const byApproval = Number(b.issue.planApproved === true) - Number(a.issue.planApproved === true);
  if (byApproval !== 0) return byApproval;
  // Last resort, reached only by two snapshots of one issue: their content — first with its
  // lists in canonical order, then as given — so which one is kept never depends on input order
  // (equal text means either gives the same plan).
  return compareText(canonical(a.issue), canonical(b.issue)) || compareText(JSON.stringify(a.issue), JSON.stringify(b.issue));
}

function canonical(issue: TicketIssue): string {
  const blockedBy = issue.blockedBy.map((b) => `${b.open ? 1 : 0}${b.identifier}`).sort();
  return JSON.stringify({ ...issue, blockedBy, labels: [...issue.labels].sort() });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function addTo(map: Map<string, Set<string>>, teamKey: string, issueId: string): void {
  let set = map.get(teamKey);
  if (!set) {
    set = new Set();
    map.set(teamKey, set);
  }
  set.add(issueId);
}

export function planDispatches(input: PlannerInput): DispatchPlan {
  const mappings = new Map<string, Mapping>();
  for (const mapping of input.mappings) {
    if (mappings.has(mapping.teamKey)) throw new Error(`Two mappings share the team key ${mapping.teamKey}`);
    mappings.set(mapping.teamKey, mapping);
  }

  // Jobs: who is in flight (per mapping and overall), and the dispatches of each issue per phase.
  const inProgressByTeam = new Map<string, Set<string>>();
  const inFlight = new Set<string>();
  const tallies: Record<DispatchPhase, Map<string, Tally>> = { planning: new Map(), implementation: new Map() };
  for (const job of input.jobs) {
    if (job.phase === 'planning' || job.phase === 'implementation') {
      const byIssue = tallies[job.phase];
      const tally = byIssue.get(job.issueId);
      if (tally) {
        tally.count++;
        if (job.dispatchNumber > tally.highest) tally.highest = job.dispatchNumber;
      } else {
        byIssue.set(job.issueId, { count: 1, highest: job.dispatchNumber });
      }
    }
    if (!isTerminal(job.status)) {
      inFlight.add(job.issueId);
      addTo(inProgressByTeam, job.teamKey, job.issueId);
    }
  }

  const deduped: Record<DispatchPhase, Set<string>> = { planning: new Set(), implementation: new Set() };
  for (const entry of input.dedup) {
    if ((entry.phase === 'planning' || entry.phase === 'implementation') && isInWindow(entry, input.now)) {
      deduped[entry.phase].add(entry.issueId);
    }
  }

  // Candidates: the stage of every listed issue feeds the counts; eligible ones are sorted once.
  let eligible: Candidate[] = [];
  for (const issue of input.issues) {
    if (isClosedStateType(issue.stateType)) continue;
    if (isInProgressStage(issue.stage)) {
      inFlight.add(issue.id);
      addTo(inProgressByTeam, issue.teamKey, issue.id);
    } else if (
      issue.stage === 'triggered' ||
      (issue.stage === 'plan_complete' && isApproved(issue, mappings.get(issue.teamKey)))
    ) {
      eligible.push(toCandidate(issue));
    }
  }
  eligible = rankSort(eligible, compareKeyed);

  const dispatch: PlannedDispatch[] = [];
  const skipped: SkippedIssue[] = [];
  const seen = new Set<string>();
  for (const { issue } of eligible) {
    if (seen.has(issue.id)) continue; // a second listing of one issue
    seen.add(issue.id);

    // The first reason that applies, in the documented order; none means dispatch.
    const mapping = mappings.get(issue.teamKey);
    if (!mapping) {
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'no-mapping', message: noMappingMessage(issue.teamKey) });
      continue;
    }
    if (mapping.paused) {
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'paused', message: pausedMessage(issue.teamKey) });
      continue;
    }
    if (hasOpenBlocker(issue)) {
      const message = blockedByIssueMessage(openBlockers(issue.blockedBy));
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'blocked-by-issue', message });
      continue;
    }
    const phase: DispatchPhase = issue.stage === 'triggered' && mapping.planningEnabled !== false ? 'planning' : 'implementation';
    if (deduped[phase].has(issue.id) || inFlight.has(issue.id)) {
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'dedup', message: DEDUP_MESSAGE });
      continue;
    }
    const held = input.spend ? dailyBudgetHold(mapping, input.spend) : undefined;
    if (held) {
      const message = dailyBudgetMessage(issue.teamKey, held.spentUsd, held.budgetUsd, input.now);
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'budget', message });
      continue;
    }
    const count = inProgressByTeam.get(issue.teamKey)?.size ?? 0;
    if (count >= mapping.maxInProgressAiIssues) {
      const message = concurrencyMessage(count, mapping.maxInProgressAiIssues);
      skipped.push({ issue, teamKey: issue.teamKey, reason: 'concurrency', message });
      continue;
    }

    addTo(inProgressByTeam, issue.teamKey, issue.id);
    inFlight.add(issue.id);
    const tally = tallies[phase].get(issue.id);
    const dispatchNumber = tally ? Math.max(tally.count, tally.highest) + 1 : 1;
    dispatch.push({ issue, mapping, phase, dispatchNumber });
  }

  const inProgress: Record<string, { count: number; cap: number }> = {};
  for (const teamKey of [...mappings.keys()].sort()) {
    inProgress[teamKey] = {
      count: inProgressByTeam.get(teamKey)?.size ?? 0,
      cap: mappings.get(teamKey)!.maxInProgressAiIssues,
    };
  }
  return { dispatch, skipped, inProgress };
}

interface Tally {
  count: number;
  highest: number;
}

function hasOpenBlocker(issue: TicketIssue): boolean {
  for (const b of issue.blockedBy) if (b.open) return true;
  return false;
}

function isApproved(issue: TicketIssue, mapping: Mapping | undefined): boolean {
  return issue.planApproved === true || mapping?.autoApprovePlans === true;
}
