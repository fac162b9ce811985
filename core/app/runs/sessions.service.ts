import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { Runner, RunnerSession } from '../../../ports/runner.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { isTerminal } from '../../domain/job-status.js';
import type { Job } from '../../domain/model.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { AuditService } from '../operations/audit.service.js';
import { FLY_NOT_CONFIGURED, OPERATOR_CALL_DEADLINE_MS } from '../operations/fly-sessions.js';
import type { JobOutcomeService } from './job-outcome.service.js';

export interface SessionsDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  ticketingRegistry: TicketingRegistry;
  jobOutcome: Pick<JobOutcomeService, 'record'>;
  /**
   * The Fly sessions runner in force for an operator's call (one attempt, short request
   * deadlines: FlySessions.operatorRunner), or undefined when Fly sessions are not configured.
   */
  flyRunner: () => Promise<Runner | undefined>;
  /** How long a destroy may take in all before it answers (default OPERATOR_CALL_DEADLINE_MS). */
  deadlineMs?: number;
  /** Each destroy is an audit entry. */
  audit: Pick<AuditService, 'record'>;
}

/** One row of the admin's Sessions panel. */
export interface SessionRow {
  machineId: string;
  name: string;
  state: string;
  region: string | null;
  startedAt: number | null;
  uptimeSeconds: number | null;
  issueIdentifier: string | null;
  /** `owner/repo`, where the machine says. */
  repo: string | null;
  jobId: string | null;
}

export interface DestroyedSession {
  destroyed: true;
  machineId: string;
  jobId: string | null;
  issueIdentifier: string | null;
  /** The issue was moved back to Triggered (its in-progress marker removed). */
  issueReset: boolean;
  /** The issue was in the dedup window and is no longer. */
  dedupCleared: boolean;
}

export type SessionsError =
  | { kind: 'unavailable'; message: string }
  | { kind: 'requestFailed'; message: string }
  | { kind: 'sessionNotFound' };

export interface SessionsService {
  /** Live Fly sessions; an empty list when Fly sessions are not configured. */
  list(): Promise<Result<SessionRow[], SessionsError>>;
  /**
   * Destroys a session and resets its issue: the job ends (`failed`, so the issue no longer
   * counts as in flight), the issue goes back to Triggered, and leaves the dedup window, so the
   * next poll may dispatch it again. A machine that is neither alive nor any job's is
   * `sessionNotFound`, and nothing is destroyed.
   */
  destroy(machineId: string): Promise<Result<DestroyedSession, SessionsError>>;
}

export const DESTROYED_BY_OPERATOR = 'Session destroyed by an operator from the admin';

const LATE = Symbol('late');
/** Resolves `LATE` after `ms` (a timer that holds no process open), or never once `cancel` ran. */
function lateAfter(ms: number): { late: Promise<typeof LATE>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), Math.max(0, ms));
    timer.unref?.();
  });
  return { late, cancel: () => clearTimeout(timer) };
}

export function createSessionsService(deps: SessionsDeps): SessionsService {
  const { storage, clock, logger, ticketingRegistry, jobOutcome } = deps;
  const deadlineMs = deps.deadlineMs ?? OPERATOR_CALL_DEADLINE_MS;

  function row(session: RunnerSession, now: number): SessionRow {
    const started = Number.isFinite(session.startedAt) ? session.startedAt : null;
    return {
      machineId: session.id,
      name: session.name,
      state: session.state,
      region: session.region ?? null,
      startedAt: started,
      uptimeSeconds: started === null ? null : Math.max(0, Math.floor((now - started) / 1000)),
      issueIdentifier: session.issueIdentifier ?? null,
      repo: session.owner && session.repo ? `${session.owner}/${session.repo}` : (session.repo ?? null),
      jobId: session.jobId ?? null,
    };
  }

  async function jobOf(machineId: string, session: RunnerSession | undefined): Promise<Job | undefined> {
    if (session?.jobId) {
      const job = await storage.jobs.get(session.jobId);
      if (job) return job;
    }
    const [newest] = await storage.jobs.list({ machine: machineId, limit: 1 });
    return newest;
  }

  /** Moves the issue back to Triggered; false when the tracker could not be reached. */
  async function resetIssue(job: Job): Promise<boolean> {
    const target = await ticketingFor(storage, ticketingRegistry, job);
    if (!target) return false;
    const { mapping, ticketing } = target;
    const moved = await ticketing
      .getIssue(job.issueId, mapping)
      .andThen((issue) => ticketing.moveToStage(issue, 'triggered', mapping));
    if (moved.isErr()) logger.warn('sessions: could not reset the issue', { issue: job.identifier, error: moved.error.message });
    return moved.isOk();
  }

  return {
    async list() {
      const runner = await deps.flyRunner();
      if (!runner) return ok([]);
      const sessions = await runner.listSessions();
      if (sessions.isErr()) return err({ kind: 'requestFailed', message: sessions.error.message });
      const now = clock.now();
      return ok(sessions.value.map((s) => row(s, now)));
    },

    async destroy(machineId) {
      // Fly's calls are bounded by the operator runner; the tracker's (the job's end, the issue's
      // reset) get what is left of the deadline, and finish in the background past it.
      const deadline = lateAfter(deadlineMs);
      try {
        const runner = await deps.flyRunner();
        if (!runner) return err({ kind: 'unavailable', message: FLY_NOT_CONFIGURED });
        const sessions = await runner.listSessions();
        if (sessions.isErr()) return err({ kind: 'requestFailed', message: sessions.error.message });
        const session = sessions.value.find((s) => s.id === machineId);
        const job = await jobOf(machineId, session);
        if (!session && !job) return err({ kind: 'sessionNotFound' });
        const destroyed = await runner.destroy(machineId);
        if (destroyed.isErr()) return err({ kind: 'requestFailed', message: destroyed.error.message });
        const settled = job ? await settleWithin(job, deadline.late) : { issueReset: false, dedupCleared: false };
        return ok(await destroyedAnswer(machineId, session, job, settled));
      } finally {
        deadline.cancel();
      }
    },
  };

  /**
   * Ends the job (`failed`, so the issue no longer counts as in flight), moves the issue back to
   * Triggered and takes it out of the dedup window. The first two reach the tracker: past the
   * deadline they go on in the background, and the answer says the issue was not reset (yet).
   */
  async function settleWithin(job: Job, late: Promise<typeof LATE>): Promise<{ issueReset: boolean; dedupCleared: boolean }> {
    const tracker = (async () => {
      if (!isTerminal(job.status)) {
        await jobOutcome.record(job.id, {
          type: 'failed',
          error: DESTROYED_BY_OPERATOR,
          logLabel: 'session_failed',
          at: clock.now(),
        });
      }
      // After the job's own lifecycle move, so Triggered is where the issue ends up.
      return resetIssue(job);
    })().catch((error: unknown) => {
      logger.warn('sessions: could not settle the destroyed session’s job', {
        jobId: job.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    });
    const issueReset = await Promise.race([tracker, late]);
    if (issueReset === LATE)
      logger.warn('sessions: the tracker did not answer in time; the issue is reset in the background', {
        jobId: job.id,
        issue: job.identifier,
        deadlineMs,
      });
    const dedupCleared = await storage.dedup.remove(job.issueId);
    return { issueReset: issueReset === true, dedupCleared };
  }

  async function destroyedAnswer(
    machineId: string,
    session: RunnerSession | undefined,
    job: Job | undefined,
    { issueReset, dedupCleared }: { issueReset: boolean; dedupCleared: boolean },
  ): Promise<DestroyedSession> {
    logger.info('session destroyed from the admin', {
      machineId,
      jobId: job?.id,
      issue: job?.identifier,
      issueReset,
      dedupCleared,
    });
    await deps.audit.record({
      actor: 'operator',
      action: 'session.destroyed',
      target: machineId,
      ...(job ? { teamKey: job.teamKey } : {}),
      detail: { jobId: job?.id ?? null, issue: job?.identifier ?? session?.issueIdentifier ?? null, issueReset, dedupCleared },
    });
    return {
      destroyed: true,
      machineId,
      jobId: job?.id ?? null,
      issueIdentifier: job?.identifier ?? session?.issueIdentifier ?? null,
      issueReset,
      dedupCleared,
    };
  }
}
