import { err, errAsync, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import { jobLogger, type Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type DispatchIntent, type DispatchRefusal, decideDispatch, inFlightMessage } from '../../domain/dispatch-decision.js';
import { DRY_RUN_NOTE } from '../../domain/job-status.js';
import { advanceIssue } from '../../domain/lifecycle.js';
import type { Job, Mapping, RunnerKind, TicketIssue } from '../../domain/model.js';
import type { JobOutcomeService } from '../runs/job-outcome.service.js';
import type { RunnerRegistry } from './runner-registry.js';

/** Builds the environment a session receives: callback URL, tokens, nonce, extraEnv, secrets. */
export type RunEnvironmentBuilder = (job: Job, mapping: Mapping) => Promise<Record<string, string>>;

/**
 * How long the claim of one dispatch (issue, phase, number) lives. Once the job is recorded the
 * next dispatch gets the next number, so the claim only has to outlive a racing cycle; it lapses
 * so that claims do not pile up in storage for ever.
 */
const DISPATCH_CLAIM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface DispatchDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  eventBus: EventBus;
  runnerRegistry: RunnerRegistry;
  jobOutcome: JobOutcomeService;
  runEnvironment: RunEnvironmentBuilder;
  /** The runner a mapping's jobs go to now (runner mode applied). */
  runnerFor: (mapping: Mapping) => Promise<RunnerKind>;
}

export type DispatchFailure =
  | { kind: 'claimed'; message: string }
  | ({ kind: 'refused' } & DispatchRefusal)
  | { kind: 'fenced'; message: string }
  | { kind: 'runnerMissing'; message: string }
  | { kind: 'launchFailed'; message: string; job: Job };

/** A lease the dispatch must still hold when it commits (the reconcile cycle's). */
export type DispatchFence = { lease: string; token: number };

export interface DispatchService {
  /**
   * Carries out the one dispatch decision (core/domain/dispatch-decision.ts) for any intent.
   * The decision is recorded — claim, job, dedup entry and dispatch-log entry in ONE storage
   * transaction — BEFORE the runner is called, so two cycles, two entry points or two
   * replicas never start the same dispatch twice, and a crash after the commit leaves a job in
   * `unknown` that `recoverLaunches` finishes.
   */
  dispatch(intent: DispatchIntent, fence?: DispatchFence): Promise<Result<Job, DispatchFailure>>;
  /**
   * The launch outbox: jobs recorded at least `olderThanMs` ago whose launch was never
   * confirmed (the process died between the commit and the runner's answer) are launched now
   * with the same job id, or failed with the reason. Resolves how many were handled.
   */
  recoverLaunches(olderThanMs: number): Promise<number>;
}

export function createDispatchService(deps: DispatchDeps): DispatchService {
  const { storage, clock, ids, logger, eventBus, runnerRegistry, jobOutcome } = deps;

  /** The lifecycle move a dispatch makes (Triggered → Planning, or → Implementing). */
  async function moveTicket(issue: TicketIssue, mapping: Mapping, job: Job) {
    const transition = advanceIssue(issue.stage, { type: 'dispatched', phase: job.phase });
    if (!transition.ignored) await jobOutcome.runIssueEffects(job, mapping, transition.effects);
  }

  /** Starts a recorded job on its runner; whatever goes wrong ends the job as failed, never in limbo. */
  async function launch(job: Job, mapping: Mapping): Promise<Result<Job, DispatchFailure>> {
    const runner = runnerRegistry.get(job.runner);
    const launched = runner
      ? await deps
          .runEnvironment(job, mapping)
          .then((env) => runner.launch({ job, mapping, env }))
          .catch((error: unknown) =>
            errAsync<never, { message: string }>({ message: error instanceof Error ? error.message : String(error) }),
          )
      : err({ message: runnerRegistry.describeMissing(job.runner) });
    if (launched.isErr()) {
      const reason = `${job.runner} launch failed: ${launched.error.message}`;
      jobLogger(logger, job).error('launch failed', { runner: job.runner, error: launched.error.message });
      const recorded = await jobOutcome.record(job.id, { type: 'failed', error: reason, at: clock.now() });
      return err({ kind: 'launchFailed', message: reason, job: recorded?.job ?? job });
    }
    const linked = await jobOutcome.record(job.id, { type: 'dispatched', at: clock.now() });
    let saved = linked?.job ?? job;
    if (runner?.dryRun) {
      const settled = await jobOutcome.record(job.id, { type: 'dry-run-settled', note: DRY_RUN_NOTE, at: clock.now() });
      return ok(settled?.job ?? saved);
    }
    if (launched.value.handle) {
      const link: { type: 'run-linked'; runId: string; at: number; runUrl?: string } = {
        type: 'run-linked',
        runId: launched.value.handle,
        at: clock.now(),
      };
      if (launched.value.url) link.runUrl = launched.value.url;
      saved = (await jobOutcome.record(job.id, link))?.job ?? saved;
    }
    return ok(saved);
  }

  /** The run a runner already holds for `job` (it answers `observe` with one), if any. */
  async function runAlreadyStarted(job: Job, mapping: Mapping) {
    const runner = runnerRegistry.get(job.runner);
    if (!runner || runner.dryRun) return undefined;
    const seen = await runner.observe(job, { now: clock.now(), mapping });
    return seen.isOk() && seen.value.state !== 'untracked' ? seen.value.run : undefined;
  }

  return {
    async dispatch(intent, fence) {
      const { issue, mapping } = intent;
      const runnerKind = await deps.runnerFor(mapping);
      if (!runnerRegistry.get(runnerKind))
        return err({ kind: 'runnerMissing', message: runnerRegistry.describeMissing(runnerKind) });

      const now = clock.now();
      const decision = decideDispatch(intent, {
        jobs: await storage.jobs.list({ issueId: issue.id }),
        jobId: ids.newId(),
        runner: runnerKind,
        now,
      });
      if (decision.kind === 'refused') {
        const { kind: _refused, ...refusal } = decision;
        return err({ kind: 'refused', ...refusal });
      }
      const { job } = decision;
      const recorded = await storage.recordDispatch({
        claimKey: decision.claimKey,
        claimTtlMs: DISPATCH_CLAIM_TTL_MS,
        job,
        dedup: decision.dedup,
        log: {
          id: ids.newId(),
          at: now,
          jobId: job.id,
          issueId: issue.id,
          identifier: issue.identifier,
          teamKey: mapping.teamKey,
          owner: mapping.owner,
          repo: mapping.repo,
          phase: job.phase,
          runner: runnerKind,
          dispatchNumber: job.dispatchNumber,
        },
        ...(fence ? { fence } : {}),
      });
      if (recorded === 'claimed')
        return err({
          kind: 'claimed',
          message: `${issue.identifier} ${job.phase} #${job.dispatchNumber} was already dispatched`,
        });
      if (recorded === 'fenced') return err({ kind: 'fenced', message: 'the reconcile lease was lost before the dispatch' });
      if (recorded === 'in-flight')
        return err({ kind: 'refused', reason: 'in-flight', message: inFlightMessage(issue.identifier, job.phase) });

      eventBus.publish({
        type: 'job.created',
        at: now,
        jobId: job.id,
        issueId: issue.id,
        identifier: issue.identifier,
        teamKey: mapping.teamKey,
        data: { phase: job.phase, runner: runnerKind },
      });
      // A dry run changes nothing outside: the ticket stays where it is.
      if (!runnerRegistry.get(runnerKind)?.dryRun) await moveTicket(issue, mapping, job);
      const launched = await launch(job, mapping);
      if (launched.isOk())
        jobLogger(logger, job).info('dispatched', {
          phase: job.phase,
          runner: runnerKind,
          dispatchNumber: job.dispatchNumber,
        });
      return launched;
    },

    async recoverLaunches(olderThanMs) {
      const cutoff = clock.now() - olderThanMs;
      const stranded = await storage.jobs.list({ statuses: ['unknown'], updatedBefore: cutoff });
      for (const job of stranded) {
        const mapping = await storage.mappings.get(job.teamKey);
        if (!mapping) {
          await jobOutcome.record(job.id, {
            type: 'failed',
            error: `launch not confirmed before a restart, and team ${job.teamKey} has no mapping any more`,
            at: clock.now(),
          });
          continue;
        }
        // The launch may have reached the runner before the process died: a run the runner
        // already has for this job is linked, never started a second time (a second paid run).
        const run = await runAlreadyStarted(job, mapping);
        if (run) {
          logger.warn('linking a job whose launch was never confirmed to the run it started', {
            jobId: job.id,
            runId: run.runId,
          });
          await jobOutcome.record(job.id, { type: 'dispatched', at: clock.now() });
          await jobOutcome.record(job.id, { type: 'run-linked', runId: run.runId, runUrl: run.runUrl, at: clock.now() });
          continue;
        }
        logger.warn('launching a job whose launch was never confirmed', { jobId: job.id, issue: job.identifier });
        await launch(job, mapping);
      }
      return stranded.length;
    },
  };
}
