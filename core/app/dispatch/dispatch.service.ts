import { err, errAsync, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { advanceIssue } from '../../domain/lifecycle.js';
import type { Job, Mapping, Phase, RunnerKind, TicketIssue } from '../../domain/model.js';
import type { PlannedDispatch } from '../../domain/planner.js';
import type { JobOutcomeService } from '../runs/job-outcome.service.js';
import { describeMissingRunner, type RunnerRegistry } from './runner-registry.js';

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

/**
 * A planned dispatch, or one a host asks for directly: a re-run of the implementation after
 * a review asked for changes, a gap analysis of an open pull request. `pullRequest` is the PR
 * the run works on; it is put on the job so the runner can hand it to the session.
 */
export type DispatchRequest = Omit<PlannedDispatch, 'phase'> & { phase: Phase; pullRequest?: { number: number; url: string } };

export type DispatchFailure =
  | { kind: 'claimed'; message: string }
  | { kind: 'runnerMissing'; message: string }
  | { kind: 'launchFailed'; message: string; job: Job };

export interface DispatchService {
  /**
   * Starts one planned dispatch. The decision is recorded (job, dedup entry, dispatch log)
   * BEFORE the runner is called, behind an atomic claim of the issue's phase and dispatch
   * number, so two cycles or two replicas never start the same dispatch twice and a crash
   * after the call never loses the record of it.
   */
  dispatch(request: DispatchRequest): Promise<Result<Job, DispatchFailure>>;
}

export function createDispatchService(deps: DispatchDeps): DispatchService {
  const { storage, clock, ids, logger, eventBus, runnerRegistry, jobOutcome } = deps;

  /** The lifecycle move a dispatch makes (Triggered → Planning, or → Implementing). */
  async function moveTicket(issue: TicketIssue, mapping: Mapping, job: Job) {
    const transition = advanceIssue(issue.stage, { type: 'dispatched', phase: job.phase });
    if (!transition.ignored) await jobOutcome.runIssueEffects(job, mapping, transition.effects);
  }

  return {
    async dispatch({ issue, mapping, phase, dispatchNumber, pullRequest }) {
      const runnerKind = await deps.runnerFor(mapping);
      const runner = runnerRegistry.get(runnerKind);
      if (!runner) return err({ kind: 'runnerMissing', message: describeMissingRunner(runnerKind) });

      const claimed = await storage.claims.claimOnce(`dispatch:${issue.id}:${phase}:${dispatchNumber}`, DISPATCH_CLAIM_TTL_MS);
      if (!claimed)
        return err({ kind: 'claimed', message: `${issue.identifier} ${phase} #${dispatchNumber} was already dispatched` });

      const now = clock.now();
      const job: Job = {
        id: ids.newId(),
        issueId: issue.id,
        identifier: issue.identifier,
        teamKey: mapping.teamKey,
        owner: mapping.owner,
        repo: mapping.repo,
        phase,
        status: 'unknown',
        dispatchNumber,
        runner: runnerKind,
        dispatchedAt: now,
        updatedAt: now,
        ...(pullRequest ? { prNumber: pullRequest.number, prUrl: pullRequest.url } : {}),
      };
      await storage.jobs.put(job);
      await storage.dedup.put({
        issueId: issue.id,
        identifier: issue.identifier,
        title: issue.title,
        teamKey: mapping.teamKey,
        phase,
        dispatchedAt: now,
      });
      await storage.dispatchLog.append({
        id: ids.newId(),
        at: now,
        jobId: job.id,
        issueId: issue.id,
        identifier: issue.identifier,
        teamKey: mapping.teamKey,
        owner: mapping.owner,
        repo: mapping.repo,
        phase,
        runner: runnerKind,
        dispatchNumber,
      });
      eventBus.publish({
        type: 'job.created',
        at: now,
        jobId: job.id,
        issueId: issue.id,
        identifier: issue.identifier,
        teamKey: mapping.teamKey,
        data: { phase, runner: runnerKind },
      });
      await moveTicket(issue, mapping, job);

      // The job is on record now: whatever goes wrong from here ends it as failed, never in limbo.
      const launched = await deps
        .runEnvironment(job, mapping)
        .then((env) => runner.launch({ job, mapping, env }))
        .catch((error: unknown) =>
          errAsync<never, { message: string }>({ message: error instanceof Error ? error.message : String(error) }),
        );
      if (launched.isErr()) {
        const reason = `${runnerKind} launch failed: ${launched.error.message}`;
        logger.error('launch failed', {
          jobId: job.id,
          issue: issue.identifier,
          runner: runnerKind,
          error: launched.error.message,
        });
        const recorded = await jobOutcome.record(job.id, { type: 'failed', error: reason, at: clock.now() });
        return err({ kind: 'launchFailed', message: reason, job: recorded?.job ?? job });
      }
      const linked = await jobOutcome.record(job.id, { type: 'dispatched', at: clock.now() });
      let saved = linked?.job ?? job;
      if (launched.value.handle) {
        const link: { type: 'run-linked'; runId: string; at: number; runUrl?: string } = {
          type: 'run-linked',
          runId: launched.value.handle,
          at: clock.now(),
        };
        if (launched.value.url) link.runUrl = launched.value.url;
        saved = (await jobOutcome.record(job.id, link))?.job ?? saved;
      }
      logger.info('dispatched', { jobId: job.id, issue: issue.identifier, phase, runner: runnerKind, dispatchNumber });
      return ok(saved);
    },
  };
}
