import { isRetryable, type ServiceError } from '../../../ports/errors.js';
import { jobLogger, type Logger } from '../../../ports/logger.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import type { IssueEffect } from '../../domain/lifecycle.js';
import type { Mapping } from '../../domain/model.js';
import type { TicketingRegistry } from '../issues/ticketing-registry.js';

/** What the tracker is told about an issue: its stage moved, a comment posted. */
export type TrackerEffect = Exclude<IssueEffect, { kind: 'dispatch' }>;

/** The job whose outcome an issue's effects tell. */
export interface EffectsJob {
  id: string;
  issueId: string;
  identifier?: string;
  teamKey: string;
}

/**
 * Tracker effects held back by a tracker that said "not now" (rate limited, unavailable, timed
 * out): kept in the store, in order, one entry per issue, until a retry lands them.
 */
export interface PendingIssueEffects {
  job: EffectsJob;
  effects: TrackerEffect[];
  attempts: number;
  /** When the first of them was held back, and when the next attempt is due (epoch ms). */
  since: number;
  nextAt: number;
}

export const PENDING_ISSUE_EFFECTS = collection<PendingIssueEffects>('pending-issue-effects');

/** The first retry after 30 s, then twice as long each time up to 30 min; given up on after a day. */
export const EFFECT_RETRY_FIRST_MS = 30_000;
export const EFFECT_RETRY_MAX_MS = 30 * 60_000;
export const EFFECT_RETRY_GIVE_UP_MS = 24 * 60 * 60_000;

export interface IssueEffectsDeps {
  storage: Storage;
  logger: Logger;
  ticketingRegistry: TicketingRegistry;
  now: () => number;
  /** Held-back effects of the job's issue all landed on a retry. */
  landed?: (job: EffectsJob) => void;
}

/**
 * Applies tracker effects in order. A tracker that answers "not now" holds back that effect and
 * every one after it for the issue (a comment must not overtake the stage move before it): they
 * are kept in the store and retried with backoff (`retryDue`, on a timer) until they land or a
 * day has passed. Effects for an issue that already has some held back queue behind them. Any
 * other failure (the issue is gone, the token refused) is logged and the next effect goes on.
 */
export function createIssueEffects(deps: IssueEffectsDeps) {
  const { storage, logger, ticketingRegistry, now } = deps;

  /** Applies `effects` from the first; the index of the one a tracker held back, with why. */
  async function applyInOrder(
    job: EffectsJob,
    mapping: Mapping | undefined,
    effects: readonly TrackerEffect[],
  ): Promise<{ heldAt: number; error: string } | undefined> {
    const ticketing = mapping && ticketingRegistry.get(mapping.ticketing);
    const log = jobLogger(logger, job);
    if (!mapping || !ticketing) {
      log.warn('lifecycle effect skipped: no ticketing for the mapping', { effects: effects.map((e) => e.kind) });
      return undefined;
    }
    for (const [i, effect] of effects.entries()) {
      const failed = await applyOne(ticketing, job, mapping, effect);
      if (!failed) continue;
      if (isRetryable(failed.error)) return { heldAt: i, error: failed.error.message };
      log.warn(failed.what, { ...(effect.kind === 'move-stage' ? { stage: effect.stage } : {}), error: failed.error.message });
    }
    return undefined;
  }

  async function applyOne(
    ticketing: Ticketing,
    job: EffectsJob,
    mapping: Mapping,
    effect: TrackerEffect,
  ): Promise<{ what: string; error: ServiceError } | undefined> {
    if (effect.kind === 'comment') {
      const posted = await ticketing.comment(job.issueId, effect.body);
      return posted.isErr() ? { what: 'could not comment on the issue', error: posted.error } : undefined;
    }
    const issue = await ticketing.getIssue(job.issueId, mapping);
    if (issue.isErr()) return { what: 'could not read the issue to move it', error: issue.error };
    const moved = await ticketing.moveToStage(issue.value, effect.stage, mapping);
    return moved.isErr() ? { what: 'could not move the issue', error: moved.error } : undefined;
  }

  async function holdBack(job: EffectsJob, effects: TrackerEffect[], error: string, before?: PendingIssueEffects) {
    const at = now();
    const attempts = (before?.attempts ?? 0) + 1;
    const since = before?.since ?? at;
    const log = jobLogger(logger, job);
    if (at - since >= EFFECT_RETRY_GIVE_UP_MS) {
      log.error('gave up on tracker effects held back for a day', { effects: effects.map((e) => e.kind), error });
      await storage.documents.delete(PENDING_ISSUE_EFFECTS, job.issueId);
      return;
    }
    const delay = Math.min(EFFECT_RETRY_MAX_MS, EFFECT_RETRY_FIRST_MS * 2 ** (attempts - 1));
    log.warn('tracker effects held back; retried later', { effects: effects.map((e) => e.kind), error, retryInMs: delay });
    await storage.documents.put(PENDING_ISSUE_EFFECTS, job.issueId, {
      job,
      effects,
      attempts,
      since,
      nextAt: at + delay,
    });
  }

  return {
    /**
     * Applies a job's tracker effects now, or queues them behind the issue's held-back ones;
     * without a mapping (or its tracker) they are skipped, with a warning.
     */
    async apply(job: EffectsJob, mapping: Mapping | undefined, effects: TrackerEffect[]): Promise<void> {
      if (effects.length === 0) return;
      const waiting = await storage.documents.get(PENDING_ISSUE_EFFECTS, job.issueId);
      if (waiting) {
        await storage.documents.put(PENDING_ISSUE_EFFECTS, job.issueId, {
          ...waiting,
          job,
          effects: [...waiting.effects, ...effects],
        });
        return;
      }
      const held = await applyInOrder(job, mapping, effects);
      if (held) await holdBack(job, effects.slice(held.heldAt), held.error);
    },

    /** Retries every entry that is due; resolves how many issues had their held-back effects land. */
    async retryDue(): Promise<number> {
      let landed = 0;
      for (const pending of await storage.documents.list(PENDING_ISSUE_EFFECTS)) {
        if (pending.nextAt > now()) continue;
        const mapping = await storage.mappings.get(pending.job.teamKey);
        if (!mapping) {
          jobLogger(logger, pending.job).warn('tracker effects dropped: the mapping is gone', {
            effects: pending.effects.map((e) => e.kind),
          });
          await storage.documents.delete(PENDING_ISSUE_EFFECTS, pending.job.issueId);
          continue;
        }
        const held = await applyInOrder(pending.job, mapping, pending.effects);
        // Effects queued behind these while they ran stay, after what is still held back.
        const latest = await storage.documents.get(PENDING_ISSUE_EFFECTS, pending.job.issueId);
        const queuedMeanwhile = latest ? latest.effects.slice(pending.effects.length) : [];
        if (held) {
          await holdBack(pending.job, [...pending.effects.slice(held.heldAt), ...queuedMeanwhile], held.error, pending);
          continue;
        }
        if (queuedMeanwhile.length > 0)
          await storage.documents.put(PENDING_ISSUE_EFFECTS, pending.job.issueId, {
            ...pending,
            effects: queuedMeanwhile,
            nextAt: now(),
          });
        else await storage.documents.delete(PENDING_ISSUE_EFFECTS, pending.job.issueId);
        deps.landed?.(pending.job);
        landed++;
      }
      return landed;
    },
  };
}
