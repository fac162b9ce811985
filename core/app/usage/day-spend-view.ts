import type { Clock } from '../../../ports/clock.port.js';
import type { RunSpend } from '../../../ports/usage-store.port.js';

/** A team's and every team's dollars on one day. */
export interface SpendTotals {
  team: number;
  total: number;
}

export interface DaySpendViewDeps {
  /** The store's runs of a day with their dollars (`UsageStore.runSpendOn`). */
  read(day: string): Promise<RunSpend[]>;
  clock: Clock;
  /** How long one read serves (2 s): the most another replica's spend can come late here. */
  refreshMs: number;
  /** Days held at once (2: a run counts on the day of its first report, so yesterday's still report). */
  days?: number;
}

export interface DaySpendView {
  /**
   * A record this replica just stored (committed): its run's dollars replace the run's older
   * ones in the day it counts on, when that day is held. With `check`, the day is read from
   * the store first when it is not held or its read is older than `refreshMs`, and the
   * answer is the team's and everyone's spend before and after this record, as this replica
   * saw them. `delta` (what the record added) makes `before` when the day was not held.
   */
  stored(
    day: string,
    run: RunSpend,
    check: { delta: number } | undefined,
  ): Promise<{ before: SpendTotals; after: SpendTotals } | undefined>;
}

interface Entry {
  teamKey: string;
  reportedAt: number;
  usd: number;
  /** When this replica learnt it (a sequence number): entries learnt after a read began may be newer than it. */
  seen: number;
}

interface Day {
  runs: Map<string, Entry>;
  byTeam: Map<string, number>;
  total: number;
  /** False until the first read answered: totals are partial until then. */
  loaded: boolean;
  readAt: number;
  reading?: Promise<void>;
}

/**
 * The day's spend as one replica sees it, for the budget events of the progress path — so a
 * report with usage costs no sum over the day (issue 17 "Budgets"). It is the store's runs of
 * the day as of the last read plus every record this replica stored since, each run counted
 * once with its newest record (by `reportedAt`, as the store keeps it): never a run twice,
 * never a dollar this replica stored missed. Only other replicas' records arrive late, by at
 * most `refreshMs` (read again on the first check after that). The store stays the truth: the
 * planner's `budget` blocker reads it, not this view. Memory: one small entry per run of the
 * held days.
 */
export function createDaySpendView({ read, clock, refreshMs, days = 2 }: DaySpendViewDeps): DaySpendView {
  const held = new Map<string, Day>();
  let sequence = 0;

  const totals = (day: Day, teamKey: string): SpendTotals => ({ team: day.byTeam.get(teamKey) ?? 0, total: day.total });

  function learn(day: Day, jobId: string, entry: Entry) {
    const before = day.runs.get(jobId);
    if (before && before.reportedAt > entry.reportedAt) return;
    day.runs.set(jobId, entry);
    const delta = entry.usd - (before?.usd ?? 0);
    day.byTeam.set(entry.teamKey, (day.byTeam.get(entry.teamKey) ?? 0) + delta);
    day.total += delta;
  }

  function hold(name: string): Day {
    let day = held.get(name);
    if (day) {
      held.delete(name);
    } else {
      day = { runs: new Map(), byTeam: new Map(), total: 0, loaded: false, readAt: Number.NEGATIVE_INFINITY };
    }
    held.set(name, day);
    if (held.size > days) held.delete(held.keys().next().value as string);
    return day;
  }

  /** Reads the day; records learnt while the read runs are kept where newer than its rows. */
  async function load(name: string, day: Day): Promise<void> {
    const began = ++sequence;
    const readAt = clock.now();
    const rows = await read(name);
    const runs = new Map<string, Entry>();
    for (const r of rows) runs.set(r.jobId, { teamKey: r.teamKey, reportedAt: r.reportedAt, usd: r.costUsd ?? 0, seen: began });
    for (const [jobId, entry] of day.runs) {
      const row = runs.get(jobId);
      if (entry.seen > began && (!row || row.reportedAt < entry.reportedAt)) runs.set(jobId, entry);
    }
    day.runs = runs;
    day.byTeam = new Map();
    day.total = 0;
    for (const entry of runs.values()) {
      day.byTeam.set(entry.teamKey, (day.byTeam.get(entry.teamKey) ?? 0) + entry.usd);
      day.total += entry.usd;
    }
    day.loaded = true;
    day.readAt = readAt;
  }

  /** One read at a time per day: a check that finds one running waits for it. */
  function refresh(name: string, day: Day): Promise<void> {
    if (!day.reading) {
      const reading = load(name, day).finally(() => {
        day.reading = undefined;
      });
      day.reading = reading;
    }
    return day.reading;
  }

  return {
    async stored(name, run, check) {
      const entry = (): Entry => ({ teamKey: run.teamKey, reportedAt: run.reportedAt, usd: run.costUsd ?? 0, seen: ++sequence });
      if (!check) {
        const day = held.get(name);
        if (day) learn(day, run.jobId, entry());
        return undefined;
      }
      const day = hold(name);
      const before = day.loaded ? totals(day, run.teamKey) : undefined;
      if (!day.loaded || clock.now() - day.readAt >= refreshMs) await refresh(name, day);
      learn(day, run.jobId, entry());
      const after = totals(day, run.teamKey);
      return { before: before ?? { team: after.team - check.delta, total: after.total - check.delta }, after };
    },
  };
}
