import type { Clock } from '../../../ports/clock.port.js';
import type { EventBus } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { type Storage, StorageError } from '../../../ports/storage.port.js';
import { applyJobEvent, type JobEffect, type JobEvent } from '../../domain/job-status.js';
import { advanceIssue, type IssueEffect, issueEventForFinishedJob } from '../../domain/lifecycle.js';
import type { Job, Mapping, Stage } from '../../domain/model.js';
import { createMutex } from '../../domain/mutex.js';
import type { TicketingRegistry } from '../issues/ticketing-registry.js';
import { createIssueEffects, type TrackerEffect } from './issue-effects.js';

export interface JobOutcomeDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  eventBus: EventBus;
  ticketingRegistry: TicketingRegistry;
}

/** A job event as applied: the job as saved, and the state machine's effects when it changed. */
export interface RecordedJobEvent {
  job: Job;
  changed: boolean;
  effects: JobEffect[];
}

export interface JobOutcomeService {
  /**
   * Applies one event to a job through the core's state machine, saves it, and when the job
   * finishes runs the issue lifecycle: labels or status, and the outcome comment. Resolves the
   * job as saved, or undefined for an unknown job. An event a terminal job ignores changes
   * nothing and posts nothing.
   */
  record(jobId: string, event: JobEvent): Promise<RecordedJobEvent | undefined>;
  /**
   * Runs lifecycle effects for an issue (also used when a dispatch itself fails). Tracker effects
   * a tracker holds back (rate limited, unavailable) are kept and retried (issue-effects.ts).
   */
  runIssueEffects(job: Job, mapping: Mapping | undefined, effects: IssueEffect[]): Promise<void>;
  /** Retries the held-back tracker effects that are due; resolves how many issues' effects all landed. */
  retryHeldEffects(): Promise<number>;
}

export function createJobOutcomeService(deps: JobOutcomeDeps): JobOutcomeService {
  const { storage, clock, logger, eventBus, ticketingRegistry } = deps;

  // A held-back stage move that lands later may make the issue ready for its next phase.
  const requestReconcile = (job: { teamKey: string; issueId: string }) =>
    eventBus.publish({ type: 'reconcile.requested', at: clock.now(), teamKey: job.teamKey, issueId: job.issueId });
  const trackerEffects = createIssueEffects({
    storage,
    logger,
    ticketingRegistry,
    now: () => clock.now(),
    landed: requestReconcile,
  });

  async function runIssueEffects(job: Job, mapping: Mapping | undefined, effects: IssueEffect[]) {
    await trackerEffects.apply(
      job,
      mapping,
      effects.filter((e): e is TrackerEffect => e.kind !== 'dispatch'),
    );
    // An auto-approved plan moves on: the reconcile cycle (which listens) plans it soon, through
    // the same cap and decision as every other dispatch — after the stage move it reads.
    if (effects.some((e) => e.kind === 'dispatch')) requestReconcile(job);
  }

  async function finishIssue(job: Job): Promise<void> {
    const mapping = await storage.mappings.get(job.teamKey);
    const event = issueEventForFinishedJob(job, mapping?.autoApprovePlans ?? false);
    if (!event) return;
    const ticketing = mapping ? ticketingRegistry.get(mapping.ticketing) : undefined;
    const current = ticketing && mapping ? await ticketing.getIssue(job.issueId, mapping) : undefined;
    // When the tracker cannot be read, assume the stage the job's phase runs in.
    const stage: Stage = current?.isOk() ? current.value.stage : job.phase === 'planning' ? 'planning' : 'implementing';
    const transition = advanceIssue(stage, event);
    if (transition.ignored) return;
    await runIssueEffects(job, mapping, transition.effects);
  }

  // Job updates read, change and write back. Within this process one queue orders them; across
  // processes sharing the store the write is a compare-and-set on the status read, so a late
  // `started` can never overwrite a terminal status another replica saved — it re-reads instead.
  const jobWrites = createMutex();
  const applyOnce = (jobId: string, event: JobEvent) =>
    jobWrites.run(async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const job = await storage.jobs.get(jobId);
        if (!job) return undefined;
        const transition = applyJobEvent(job, event);
        if (transition.ignored || (await storage.jobs.updateIf(transition.job, [job.status]))) return { job, transition };
      }
      throw new StorageError(`job ${jobId} kept changing under ${event.type}; gave up after ${CAS_ATTEMPTS} attempts`);
    });

  return {
    runIssueEffects,
    retryHeldEffects: () => trackerEffects.retryDue(),
    async record(jobId, event) {
      const saved = await applyOnce(jobId, event);
      if (!saved) return undefined;
      const { job, transition } = saved;
      if (transition.ignored) return { job, changed: false, effects: [] };
      eventBus.publish({
        // A status change is named by the new status; a change within one status (a run linked)
        // by what happened, so a timeline never shows one status twice.
        type: transition.job.status !== job.status ? `job.${transition.job.status}` : `job.${event.type}`,
        at: clock.now(),
        jobId,
        issueId: job.issueId,
        identifier: job.identifier,
        teamKey: job.teamKey,
      });
      if (transition.effects.some((effect) => effect.kind === 'job-finished')) await finishIssue(transition.job);
      return { job: transition.job, changed: true, effects: transition.effects };
    },
  };
}

const CAS_ATTEMPTS = 5;
