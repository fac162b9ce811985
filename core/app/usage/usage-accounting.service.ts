import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import {
  type BudgetLevel,
  type BudgetScope,
  budgetReachedError,
  type DailySpend,
  levelsCrossed,
  runBudgetCrossed,
  utcDay,
} from '../../domain/budget.js';
import { isTerminal } from '../../domain/job-status.js';
import type { Job } from '../../domain/model.js';
import { redactSecrets } from '../../domain/redaction.js';
import { costOf, type UsageReport } from '../../domain/usage.js';
import type { RunnerRegistry } from '../dispatch/runner-registry.js';
import type { JobOutcomeService } from '../runs/job-outcome.service.js';
import type { SteeringService } from '../runs/steering.service.js';
import { createDaySpendView } from './day-spend-view.js';
import { createLastStored } from './last-stored.js';
import type { UsageMetrics } from './usage-metrics.js';
import type { UsageSettingsSource } from './usage-settings.js';

export interface UsageAccountingDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  eventBus: EventBus;
  usageSettings: UsageSettingsSource;
  usageMetrics: UsageMetrics;
  steering: Pick<SteeringService, 'abort'>;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  runnerRegistry: Pick<RunnerRegistry, 'get'>;
}

export interface UsageAccounting {
  /**
   * A `/runner/progress` report's usage: stored, counted, and checked against the run's caps.
   * A run past `maxCostUsd` or `maxTokens` is aborted at once (the abort rides on this very
   * answer; the runner's session is destroyed and the job failed right after). `secrets`: the
   * run's values, redacted from the model name the run reported (free text it chose, shown in
   * the usage views, the export and /metrics) once it is priced.
   */
  progress(job: Job, usage: UsageReport, secrets?: readonly string[]): Promise<void>;
  /** `/runner/result`: the run's total, and whether a budget stopped it (its error says so). */
  result(job: Job, usage: UsageReport | undefined, error: string | undefined, secrets?: readonly string[]): Promise<void>;
  /** Today's spend per team and the global budget, for the planner. */
  dailySpend(now: number): Promise<DailySpend>;
  /** Resolves once the background work started so far (aborts) is done (tests). */
  idle(): Promise<void>;
}

/**
 * How long this replica's view of the day's spend goes without a read of the store: the most
 * the budget events (never the `budget` blocker, which reads the store) lag another replica's
 * spend. This replica's own spend is in the view at once.
 */
export const SPEND_REFRESH_MS = 2_000;

/** The once-only marks of the budget events live this long (past the day they are about). */
const EVENT_MARK_TTL_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * Usage accounting (issue 17 "Counting" and "Budgets"): every report is one stored record per
 * run, so the day's spend is a database sum that every replica shares (the planner's). Crossing
 * 80 % and 100 % of a budget publishes `budget.warning` / `budget.reached` once (a claim in the
 * store makes it once across replicas); for the daily budgets a report checks its replica's view
 * of the day instead of summing it, at most SPEND_REFRESH_MS behind the other replicas. A run's
 * own caps are checked on every report against that report's own totals. Daily budgets never
 * stop a run in flight: the planner holds the next.
 */
export function createUsageAccounting(deps: UsageAccountingDeps): UsageAccounting {
  const { storage, clock, logger, eventBus, usageSettings, usageMetrics } = deps;
  let pending: Promise<void> = Promise.resolve();

  async function publishOnce(
    level: BudgetLevel,
    scope: BudgetScope,
    about: { key: string; day: string; teamKey?: string; jobId?: string },
    spentUsd: number,
    budgetUsd: number,
  ) {
    if (!(await storage.claims.claimOnce(`budget:${scope}:${about.key}:${about.day}:${level}`, EVENT_MARK_TTL_MS))) return;
    const who = scope === 'global' ? 'every team' : scope === 'team' ? `team ${about.teamKey}` : `run ${about.jobId}`;
    const message =
      level === 'warning'
        ? `${who} has spent $${spentUsd.toFixed(2)} of its $${budgetUsd.toFixed(2)} budget (80 %)`
        : `${who} reached its $${budgetUsd.toFixed(2)} budget ($${spentUsd.toFixed(2)} spent)`;
    eventBus.publish({
      type: level === 'warning' ? 'budget.warning' : 'budget.reached',
      at: clock.now(),
      ...(about.teamKey ? { teamKey: about.teamKey } : {}),
      ...(about.jobId ? { jobId: about.jobId } : {}),
      message,
      data: { scope, spentUsd, budgetUsd },
    });
  }

  /** Steering abort now (answered on this progress call); fail the job and destroy its session in the background. */
  async function abortForBudget(job: Job, spentUsd: number): Promise<void> {
    if (!(await storage.claims.claimOnce(`budget-abort:${job.id}`))) return;
    const reason = budgetReachedError(spentUsd);
    await deps.steering.abort(job.id, reason);
    await storage.usage.markStopped(job.id);
    logger.warn('run stopped: budget reached', { jobId: job.id, issue: job.identifier, spentUsd });
    pending = pending.then(async () => {
      try {
        // The job is failed with the budget's reason first: destroying the session makes its
        // runner observe an exit ("Session was stopped"), which must find the job already ended.
        await deps.jobOutcome.record(job.id, { type: 'failed', error: reason, logLabel: 'session_failed', at: clock.now() });
        const sessionId = job.machineId ?? job.runId;
        const runner = deps.runnerRegistry.get(job.runner);
        if (runner && sessionId) {
          const destroyed = await runner.destroy(sessionId);
          if (destroyed.isErr())
            logger.warn('budget abort: could not destroy the session; it stops on its next progress call', {
              jobId: job.id,
              error: destroyed.error.message,
            });
        }
      } catch (error) {
        logger.error('budget abort failed', { jobId: job.id, error });
      }
    });
  }

  /** This replica's record per run and view of the day's spend: a report reads neither from the store. */
  const lastStored = createLastStored();
  const daySpend = createDaySpendView({ read: (day) => storage.usage.runSpendOn(day), clock, refreshMs: SPEND_REFRESH_MS });

  /**
   * Stores the report over the run's record this replica last stored (one conditional write);
   * when it has none, or another replica stored the run since, reads the record and records.
   * The record stored and the one it replaced, or undefined for a late report (nothing changed).
   */
  async function write(
    make: (before: RunUsageRecord | undefined) => RunUsageRecord,
    known: RunUsageRecord | undefined,
    read: RunUsageRecord | undefined,
  ) {
    let before = read;
    if (known) {
      const record = make(known);
      if (known.reportedAt <= record.reportedAt && (await storage.usage.replace(record, known))) {
        lastStored.set(record);
        return { record, before: known };
      }
      before = await storage.usage.get(known.jobId);
    }
    const record = make(before);
    if (!(await storage.usage.record(record))) {
      lastStored.forget(record.jobId);
      return undefined;
    }
    lastStored.set(record);
    return { record, before };
  }

  async function store(job: Job, usage: UsageReport, final: boolean, secrets: readonly string[]) {
    const known = lastStored.get(job.id);
    const [settings, mapping, read] = await Promise.all([
      usageSettings.current(),
      storage.mappings.get(job.teamKey),
      known ? undefined : storage.usage.get(job.id),
    ]);
    const costUsd = usage.costUsd ?? costOf(usage, usage.model, settings.prices);
    const model = usage.model && redactSecrets(usage.model, secrets);
    const now = clock.now();
    const written = await write(
      (before): RunUsageRecord => ({
        jobId: job.id,
        issueId: job.issueId,
        identifier: job.identifier,
        teamKey: job.teamKey,
        phase: job.phase,
        day: before?.day ?? utcDay(now),
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheCreationTokens: usage.cacheCreationTokens,
        reportedAt: now,
        final,
        stoppedByBudget: before?.stoppedByBudget ?? false,
        ...(model ? { model } : {}),
        ...(costUsd !== undefined ? { costUsd } : {}),
        ...(usage.turns !== undefined ? { turns: usage.turns } : {}),
      }),
      known,
      read,
    );
    if (!written) return undefined;
    const { record, before } = written;
    const costBefore = before?.costUsd ?? 0;
    const delta = Math.max(0, (costUsd ?? 0) - costBefore);
    usageMetrics.add(
      job.teamKey,
      model,
      {
        inputTokens: usage.inputTokens - (before?.inputTokens ?? 0),
        outputTokens: usage.outputTokens - (before?.outputTokens ?? 0),
        cacheReadTokens: usage.cacheReadTokens - (before?.cacheReadTokens ?? 0),
        cacheCreationTokens: usage.cacheCreationTokens - (before?.cacheCreationTokens ?? 0),
      },
      delta,
    );

    // Events: the run's own cap, then the team's and the global day.
    if (mapping?.maxCostUsd !== undefined && costUsd !== undefined) {
      for (const level of levelsCrossed(costBefore, costUsd, mapping.maxCostUsd))
        await publishOnce(
          level,
          'run',
          { key: job.id, day: record.day, teamKey: job.teamKey, jobId: job.id },
          costUsd,
          mapping.maxCostUsd,
        );
    }
    const checked = delta > 0 && (mapping?.dailyBudgetUsd !== undefined || settings.globalDailyBudgetUsd !== undefined);
    const spend = await daySpend.stored(
      record.day,
      { jobId: job.id, teamKey: job.teamKey, reportedAt: record.reportedAt, ...(costUsd !== undefined ? { costUsd } : {}) },
      checked ? { delta } : undefined,
    );
    if (spend) {
      const { before: was, after: is } = spend;
      for (const level of levelsCrossed(was.team, is.team, mapping?.dailyBudgetUsd))
        await publishOnce(
          level,
          'team',
          { key: job.teamKey, day: record.day, teamKey: job.teamKey },
          is.team,
          mapping!.dailyBudgetUsd!,
        );
      for (const level of levelsCrossed(was.total, is.total, settings.globalDailyBudgetUsd))
        await publishOnce(level, 'global', { key: '*', day: record.day }, is.total, settings.globalDailyBudgetUsd!);
    }
    return { record, mapping };
  }

  return {
    async progress(job, usage, secrets = []) {
      const stored = await store(job, usage, false, secrets);
      if (!stored?.mapping || isTerminal(job.status)) return;
      const budget = {
        ...(stored.mapping.maxCostUsd !== undefined ? { maxCostUsd: stored.mapping.maxCostUsd } : {}),
        ...(stored.mapping.maxTokens !== undefined ? { maxTokens: stored.mapping.maxTokens } : {}),
      };
      const priced: UsageReport = {
        ...usage,
        ...(stored.record.costUsd !== undefined ? { costUsd: stored.record.costUsd } : {}),
      };
      if (runBudgetCrossed(priced, budget)) await abortForBudget(job, stored.record.costUsd ?? 0);
    },

    async result(job, usage, error, secrets = []) {
      if (usage) await store(job, usage, true, secrets);
      if (error?.startsWith('Reached budget')) await storage.usage.markStopped(job.id);
    },

    async dailySpend(now) {
      const [byTeam, settings] = await Promise.all([storage.usage.spendOn(utcDay(now)), usageSettings.current()]);
      const totalUsd = Object.values(byTeam).reduce((a, b) => a + b, 0);
      return {
        byTeam,
        totalUsd,
        ...(settings.globalDailyBudgetUsd !== undefined ? { globalBudgetUsd: settings.globalDailyBudgetUsd } : {}),
      };
    },

    idle: () => pending,
  };
}
