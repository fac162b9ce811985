import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { StepReport } from '../../../ports/pipeline.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { logExcerptComment, redactSecrets } from '../../domain/comments.js';
import { isTerminal, type JobEvent, PR_NOT_FOUND_ERROR } from '../../domain/job-status.js';
import type { Job, JobStatus, Phase, TimedOutReason } from '../../domain/model.js';
import { sessionComments } from '../../domain/session-comments.js';
import type { UsageReport } from '../../domain/usage.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { UsageAccounting } from '../usage/usage-accounting.service.js';
import type { JobOutcomeService } from './job-outcome.service.js';
import type { ResultBody } from './run-callback-bodies.js';
import { type RunSecrets, redactDeep } from './run-secrets.js';
import type { RunTokensService, TokenClaims } from './run-tokens.service.js';
import type { SteeringInstruction, SteeringService } from './steering.service.js';
import type { StepHistoryService } from './step-history.service.js';

/** Plans of finished planning runs, by issue id: the planning context of the implementation run. */
const PLANS = collection<StoredPlan>('run-plans');

interface StoredPlan {
  issueId: string;
  jobId: string;
  plan: string;
  at: number;
}

export type RunCallbackError =
  | { kind: 'invalid'; message: 'phase_mismatch' }
  | { kind: 'runJobNotFound' }
  | { kind: 'alreadyConsumed' };

export interface PlanningContext {
  jobId: string;
  phase: Phase;
  issue: { id: string; identifier: string; title: string; description: string; url: string };
  /** The plan of the issue's latest successful planning run; null before there is one. */
  plan: string | null;
}

export interface RunCallbacksDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  runTokens: Pick<RunTokensService, 'consume' | 'release' | 'isCurrent' | 'currentCredentials'>;
  jobOutcome: JobOutcomeService;
  ticketingRegistry: TicketingRegistry;
  steering: Pick<SteeringService, 'peek' | 'take'>;
  stepHistory: Pick<StepHistoryService, 'append'>;
  runSecrets: RunSecrets;
  /** Stores the usage a report carries and enforces the run's caps (issue 17); without it usage is ignored. */
  usageAccounting?: Pick<UsageAccounting, 'progress' | 'result'>;
}

export interface RunCallbacksService {
  /** `POST /runner/result`, after the token and the body were checked. */
  result(
    claims: TokenClaims,
    body: ResultBody,
  ): Promise<Result<{ ok: true; jobId: string; status: JobStatus }, RunCallbackError>>;
  /**
   * `POST /runner/progress`: records the step (none in a usage-only report) and the usage, and
   * answers with the session's instructions.
   */
  progress(
    claims: TokenClaims,
    step: StepReport | undefined,
    usage?: UsageReport,
  ): Promise<Result<{ ok: true; instructions: SteeringInstruction[] }, RunCallbackError>>;
  /** `GET /runner/planning-context`. */
  planningContext(claims: TokenClaims): Promise<Result<PlanningContext, RunCallbackError>>;
  /** The job a progress token speaks for while its run is the current one and not over (`GET /runner/session-bundle`). */
  liveRun(claims: TokenClaims): Promise<Result<Job, RunCallbackError>>;
}

/**
 * The first sign of life of a dispatched job (a progress call, a status event, a step report)
 * moves it to `running`; later ones change nothing.
 */
export async function markStarted(jobOutcome: JobOutcomeService, clock: Clock, job: Job): Promise<void> {
  if (notStarted(job)) await jobOutcome.record(job.id, { type: 'started', at: clock.now() });
}

/** A job no sign of life has reached yet. */
function notStarted(job: Job): boolean {
  return job.status === 'unknown' || job.status === 'dispatched';
}

/** The ticketing adapter that holds a job's issue, if its mapping and connection still exist. */
export async function ticketingForJob(storage: Storage, registry: TicketingRegistry, job: Job): Promise<Ticketing | undefined> {
  return (await ticketingFor(storage, registry, job))?.ticketing;
}

/**
 * The spec's timeout reason when a session stops itself at `maxJobMinutes`: the local Docker
 * session or the Fly machine ran out of lifetime; on GitHub Actions it is the run's own timeout.
 */
const SESSION_TIMEOUT_REASON: Record<Job['runner'], TimedOutReason> = {
  local: 'container_timeout',
  'fly-machines': 'machine_timeout',
  'github-actions': 'timed_out',
  shadow: 'timed_out',
};

const NO_SECRETS: readonly string[] = [];

export function createRunCallbacksService(deps: RunCallbacksDeps): RunCallbacksService {
  const { storage, clock, logger, runTokens, jobOutcome, ticketingRegistry, steering, stepHistory, runSecrets } = deps;

  const isoNow = () => new Date(clock.now()).toISOString();

  async function comment(ticketing: Ticketing | undefined, job: Job, body: string): Promise<void> {
    if (!ticketing) {
      logger.warn('run comment skipped: no ticketing for the mapping', { jobId: job.id, teamKey: job.teamKey });
      return;
    }
    // Never thrown past here: the result token is already consumed, so the outcome must still be recorded.
    try {
      const posted = await ticketing.comment(job.issueId, body);
      if (posted.isErr())
        logger.warn('could not post a run comment', { jobId: job.id, issue: job.identifier, error: posted.error.message });
    } catch (error) {
      logger.warn('could not post a run comment', { jobId: job.id, issue: job.identifier, error });
    }
  }

  function outcomeEvent(job: Job, body: ResultBody, secrets: readonly string[], at: number): JobEvent {
    if (body.timedOut) {
      const event: JobEvent = { type: 'timed-out', reason: SESSION_TIMEOUT_REASON[job.runner], at };
      if (body.error) event.error = redactSecrets(body.error, secrets);
      return event;
    }
    if (body.outcome === 'failure') {
      const event: JobEvent = {
        type: 'failed',
        error: redactSecrets(body.error ?? 'the run reported a failure without a reason', secrets),
        at,
      };
      // The session's own "finished without a PR" (the same constant on both ends) is the spec's `pr_not_found`.
      if (body.error === PR_NOT_FOUND_ERROR) event.logLabel = 'pr_not_found';
      return event;
    }
    // The run names its PR: a URL it chose, kept on the job, posted on the ticket and logged.
    const prUrl = body.prUrl && redactSecrets(body.prUrl, secrets);
    if (prUrl && body.reviewApproved === false && body.phase !== 'planning') {
      const event: JobEvent = { type: 'review-failed', prUrl, at };
      if (body.prNumber !== undefined) event.prNumber = body.prNumber;
      return event;
    }
    const event: JobEvent = { type: 'succeeded', at };
    if (prUrl) event.prUrl = prUrl;
    if (body.prNumber !== undefined) event.prNumber = body.prNumber;
    return event;
  }

  /** What a result records once its token is consumed: usage, the session's comments, the plan, the outcome. */
  async function recordOutcome(job: Job, body: ResultBody) {
    const secrets = await runSecrets.valuesFor(job);
    await deps.usageAccounting?.result(job, body.usage, body.error, secrets);

    const ticketing = await ticketingForJob(storage, ticketingRegistry, job);
    // The session's own comments first, so the outcome comment reads as the last word.
    const bodies = sessionComments(body.comments.map((c) => redactSecrets(c.body, secrets)));
    for (const text of bodies) await comment(ticketing, job, text);

    // A run that ended before its result (an operator's abort, a timeout) did not succeed: its plan is not the issue's.
    if (body.phase === 'planning' && body.outcome === 'success' && !isTerminal(job.status)) {
      const plan = body.plan ?? body.comments.map((c) => c.body).join('\n\n');
      const stored: StoredPlan = { issueId: job.issueId, jobId: job.id, plan: redactSecrets(plan, secrets), at: clock.now() };
      await storage.documents.put(PLANS, job.issueId, stored);
    }

    const recorded = await jobOutcome.record(job.id, outcomeEvent(job, body, secrets, clock.now()));
    return { secrets, ticketing, recorded };
  }

  /**
   * The job a progress token still speaks for: not a run that is no longer the job's current
   * one (a re-dispatch mints new tokens), so an old run's stolen token is refused as if its
   * job were gone.
   */
  const currentJob = async (claims: TokenClaims): Promise<Job | undefined> => {
    const job = await storage.jobs.get(claims.jobId);
    return job && (await runTokens.isCurrent(claims)) ? job : undefined;
  };

  return {
    async result(claims, body) {
      if (claims.phase !== body.phase) return err({ kind: 'invalid', message: 'phase_mismatch' });
      // As for progress: the result token of a run its job was launched again after is dead.
      const job = await currentJob(claims);
      if (!job) return err({ kind: 'runJobNotFound' });
      if (!(await runTokens.consume(claims))) return err({ kind: 'alreadyConsumed' });
      const { secrets, ticketing, recorded } = await recordOutcome(job, body).catch(async (error: unknown) => {
        // The outcome is not recorded: the token goes back, else the session's retry of this
        // failure (it retries a 5xx) meets 409, which it must take for an earlier delivery, and
        // the outcome is lost. Its comments may then be posted twice; that is the lesser loss.
        await runTokens.release(claims).catch(() => {});
        throw error;
      });
      // What the transition asks beyond the lifecycle: the labelled log excerpt, if any.
      const excerpt = recorded?.effects.find((e) => e.kind === 'post-log-excerpt');
      if (excerpt?.kind === 'post-log-excerpt' && body.log) {
        await comment(
          ticketing,
          job,
          logExcerptComment({ label: excerpt.label, log: body.log, secretValues: secrets, at: isoNow() }),
        );
      }
      logger.info('run result', {
        jobId: job.id,
        issue: job.identifier,
        phase: job.phase,
        outcome: body.outcome,
        changed: recorded?.changed ?? false,
      });
      return ok({ ok: true, jobId: job.id, status: recorded?.job.status ?? job.status });
    },

    async progress(claims, step, usage) {
      // One read each, side by side (one statement on SQL, shared by concurrent calls): the job,
      // the run record (current? its credentials) and the steering queue. `recent` reads: a
      // moment-old answer harms nothing here (a step of a run just ended, a message delivered
      // at the next call), and the store may keep them in memory (ReadFreshness, storage.port.ts).
      const [job, credentials, steered] = await Promise.all([
        storage.jobs.get(claims.jobId, 'recent'),
        runTokens.currentCredentials(claims),
        steering.peek(claims.jobId),
      ]);
      if (!job || !credentials) return err({ kind: 'runJobNotFound' });
      const secrets = step || usage?.model ? await runSecrets.valuesFor(job, credentials) : NO_SECRETS;
      // Spend is counted even after the run ended; a run past its cap is aborted on this answer.
      if (usage && deps.usageAccounting) await deps.usageAccounting.progress(job, usage, secrets);
      if (isTerminal(job.status)) {
        // The run is over: its session may still be told to stop (an operator's abort on a
        // runner that cannot kill it), but a token that outlived it posts no step and takes
        // no operator message.
        const aborts = (await steering.take(job.id, steered)).filter((i) => i.type === 'abort');
        return ok({ ok: true, instructions: aborts });
      }
      if (step) {
        await stepHistory.append(job.id, {
          ...(redactDeep(step, secrets) as StepReport),
          source: 'progress',
          receivedAt: clock.now(),
        });
      }
      // Checked here too: most calls come from a running job, and an await of nothing still costs a turn.
      if (notStarted(job)) await markStarted(jobOutcome, clock, job);
      return ok({ ok: true, instructions: await steering.take(job.id, steered) });
    },

    async liveRun(claims) {
      const job = await currentJob(claims);
      return job && !isTerminal(job.status) ? ok(job) : err({ kind: 'runJobNotFound' });
    },

    async planningContext(claims) {
      const job = await currentJob(claims);
      if (!job || isTerminal(job.status)) return err({ kind: 'runJobNotFound' });
      const ticketing = await ticketingForJob(storage, ticketingRegistry, job);
      const found = ticketing ? await ticketing.getIssue(job.issueId) : undefined;
      let issue: PlanningContext['issue'] = { id: job.issueId, identifier: job.identifier, title: '', description: '', url: '' };
      if (found?.isOk()) {
        const i = found.value;
        issue = { id: i.id, identifier: i.identifier, title: i.title, description: i.description ?? '', url: i.url };
      } else {
        logger.warn('planning context without the issue', {
          jobId: job.id,
          issue: job.identifier,
          error: found?.isErr() ? found.error.message : 'no ticketing',
        });
      }
      const stored = await storage.documents.get(PLANS, job.issueId);
      return ok({ jobId: job.id, phase: job.phase, issue, plan: stored?.plan ?? null });
    },
  };
}
