import { err, ok, type Result } from 'neverthrow';
import type { Clock } from '../../../ports/clock.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import type { StepReport } from '../../../ports/pipeline.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import { type ProgressEvent, progressComment } from '../../domain/comments.js';
import type { Job } from '../../domain/model.js';
import { type TicketingRegistry, ticketingFor } from '../issues/ticketing-registry.js';
import type { ForgeRegistry } from '../pulls/forge-registry.js';
import type { JobOutcomeService } from './job-outcome.service.js';
import { type RepoTokenLeases, repoTokenAccess } from './repo-token-leases.js';
import { markStarted } from './run-callbacks.service.js';
import { type RunSecrets, redactDeep } from './run-secrets.js';
import type { RunTokensService } from './run-tokens.service.js';
import type { StepEntry, StepHistoryService } from './step-history.service.js';

/** The exact `error` strings of the session endpoints (error-codes-…txt). */
export const SESSION_API_MESSAGES = {
  badNonce: 'Invalid or expired nonce',
  ownerMismatch: 'Owner mismatch',
  tokenFailed: 'Failed to generate token',
} as const;

export type SessionApiError =
  | { kind: 'forbidden'; message: string }
  /** `retryAfterMs`: GitHub is holding requests back (a rate limit, an open circuit) this long. */
  | { kind: 'requestFailed'; message: string; retryAfterMs?: number }
  | { kind: 'internal' }
  | { kind: 'jobNotFound' };

export interface SessionApiDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  runTokens: Pick<RunTokensService, 'jobForNonce'>;
  jobOutcome: JobOutcomeService;
  ticketingRegistry: TicketingRegistry;
  forgeRegistry: ForgeRegistry;
  stepHistory: StepHistoryService;
  runSecrets: RunSecrets;
  repoTokenLeases: Pick<RepoTokenLeases, 'hold'>;
}

export interface SessionApiService {
  /**
   * `POST /api/token`: a token minted for this job alone, for its repository only, with the least
   * permissions its phase needs, revoked when the job ends. A forge that can only hand out the
   * orchestrator's own token (token/PAT mode) refuses.
   */
  repoToken(
    nonce: string,
    owner: string,
  ): Promise<Result<{ token: string; expiresAt: string; owner: string; repo: string }, SessionApiError>>;
  /** `POST /api/status`: one progress comment on the job's issue. */
  status(nonce: string, event: ProgressEvent, logsUrl?: string): Promise<Result<{ ok: true }, SessionApiError>>;
  /** `POST /api/step-report`: one entry of the job's step history. */
  stepReport(nonce: string, step: StepReport): Promise<Result<{ ok: true }, SessionApiError>>;
  /** `GET /api/jobs/:jobId/steps` (admin). */
  steps(jobId: string): Promise<Result<{ jobId: string; steps: StepEntry[] }, SessionApiError>>;
}

export function createSessionApiService(deps: SessionApiDeps): SessionApiService {
  const {
    storage,
    clock,
    logger,
    runTokens,
    jobOutcome,
    ticketingRegistry,
    forgeRegistry,
    stepHistory,
    runSecrets,
    repoTokenLeases,
  } = deps;
  const badNonce = { kind: 'forbidden', message: SESSION_API_MESSAGES.badNonce } as const;

  const activeJob = async (nonce: string): Promise<Result<Job, SessionApiError>> => {
    const job = await runTokens.jobForNonce(nonce);
    return job ? ok(job) : err(badNonce);
  };

  return {
    async repoToken(nonce, owner) {
      const found = await activeJob(nonce);
      if (found.isErr()) return err(found.error);
      const job = found.value;
      if (owner.toLowerCase() !== job.owner.toLowerCase())
        return err({ kind: 'forbidden', message: SESSION_API_MESSAGES.ownerMismatch });
      const mapping = await storage.mappings.get(job.teamKey);
      const forge = forgeRegistry.get(mapping?.forge ?? 'github');
      if (!forge) {
        logger.warn('repo token refused: no forge configured', { jobId: job.id, forge: mapping?.forge ?? 'github' });
        return err({ kind: 'requestFailed', message: SESSION_API_MESSAGES.tokenFailed });
      }
      const minted = await forge.mintRepoToken({ owner: job.owner, repo: job.repo }, repoTokenAccess(job.phase));
      if (minted.isErr()) {
        const { error } = minted;
        logger.warn('repo token failed', { jobId: job.id, repo: `${job.owner}/${job.repo}`, error: error.message });
        // A window GitHub (or its governor) named is passed on, so the session waits it out rather than failing its run.
        const retryAfterMs = error.kind === 'rateLimited' || error.kind === 'unavailable' ? error.retryAfterMs : undefined;
        return err({
          kind: 'requestFailed',
          message: SESSION_API_MESSAGES.tokenFailed,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      }
      // App installation tokens are not among the configured secrets: redact this one too.
      runSecrets.remember(job.id, minted.value.token);
      repoTokenLeases.hold(job.id, forge.kind, minted.value.token);
      return ok({
        token: minted.value.token,
        expiresAt: new Date(minted.value.expiresAt).toISOString(),
        owner: job.owner,
        repo: job.repo,
      });
    },

    async status(nonce, event, logsUrl) {
      const found = await activeJob(nonce);
      if (found.isErr()) return err(found.error);
      const job = found.value;
      try {
        await markStarted(jobOutcome, clock, job);
        const ticketing = (await ticketingFor(storage, ticketingRegistry, job))?.ticketing;
        if (!ticketing) throw new Error(`no ticketing for ${job.teamKey}`);
        const link = logsUrl ?? job.runUrl;
        const body = progressComment(event, {
          at: new Date(clock.now()).toISOString(),
          secretValues: await runSecrets.valuesFor(job),
          ...(link ? { logsUrl: link } : {}),
        });
        const posted = await ticketing.comment(job.issueId, body);
        if (posted.isErr()) throw new Error(posted.error.message);
        return ok({ ok: true });
      } catch (error) {
        logger.error('status event failed', { jobId: job.id, event: event.type, error });
        return err({ kind: 'internal' });
      }
    },

    async stepReport(nonce, step) {
      const found = await activeJob(nonce);
      if (found.isErr()) return err(found.error);
      const job = found.value;
      try {
        const secrets = await runSecrets.valuesFor(job);
        await stepHistory.append(job.id, {
          ...(redactDeep(step, secrets) as StepReport),
          source: 'step-report',
          receivedAt: clock.now(),
        });
        await markStarted(jobOutcome, clock, job);
        return ok({ ok: true });
      } catch (error) {
        logger.error('step report failed', { jobId: job.id, error });
        return err({ kind: 'internal' });
      }
    },

    async steps(jobId) {
      const job = await storage.jobs.get(jobId);
      if (!job) return err({ kind: 'jobNotFound' });
      return ok({ jobId, steps: await stepHistory.list(jobId) });
    },
  };
}
