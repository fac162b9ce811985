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
  /** Waits between tries for an issue's entry another writer holds (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * An issue's pending entry is changed by read-modify-write (documents have no compare-and-set),
 * by `apply` on any replica and by the one replica's retrier: each change holds the store claim
 * `issue-effects:<issueId>` (atomic across replicas) around its read and write, so neither
 * writer overwrites what the other added. Only store calls run under it, never a tracker call;
 * its ttl frees the entry if a holder dies.
 */
const ENTRY_CLAIM_TTL_MS = 30_000;
/** A held claim is asked for again after 20 ms, then twice as long each time, at most 320 ms apart. */
const ENTRY_CLAIM_FIRST_WAIT_MS = 20;
const ENTRY_CLAIM_MAX_WAIT_MS = 320;
/** Past this much waiting the change goes on unclaimed, with a warning: no effect is stuck behind a lost holder. */
const ENTRY_CLAIM_PATIENCE_MS = 10_000;
const entryClaim = (issueId: string) => `issue-effects:${issueId}`;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies tracker effects in order. A tracker that answers "not now" holds back that effect and
 * every one after it for the issue (a comment must not overtake the stage move before it): they
 * are kept in the store and retried with backoff (`retryDue`, on a timer) until they land or a
 * day has passed. Effects for an issue that already has some held back queue behind them. Any
 * other failure (the issue is gone, the token refused) is logged and the next effect goes on.
 */
export function createIssueEffects(deps: IssueEffectsDeps) {
  const { storage, logger, ticketingRegistry, now } = deps;
  const sleep = deps.sleep ?? defaultSleep;

  /** Runs `change` on the issue's pending entry as the only writer of it (ENTRY_CLAIM_TTL_MS). */
  async function withEntry<T>(job: EffectsJob, change: (current: PendingIssueEffects | undefined) => Promise<T>): Promise<T> {
    const key = entryClaim(job.issueId);
    let claimed = await storage.claims.claimOnce(key, ENTRY_CLAIM_TTL_MS);
    for (let waited = 0, wait = ENTRY_CLAIM_FIRST_WAIT_MS; !claimed && waited < ENTRY_CLAIM_PATIENCE_MS; ) {
      await sleep(wait);
      waited += wait;
      wait = Math.min(wait * 2, ENTRY_CLAIM_MAX_WAIT_MS);
      claimed = await storage.claims.claimOnce(key, ENTRY_CLAIM_TTL_MS);
    }
    if (!claimed) jobLogger(logger, job).warn('tracker effects: the issue’s entry stayed claimed; changed without the claim');
    try {
      return await change(await storage.documents.get(PENDING_ISSUE_EFFECTS, job.issueId));
    } finally {
      if (claimed) await storage.claims.release(key);
    }
  }

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

  /** Saves `effects` as the issue's entry (under its claim: `withEntry`), one attempt after `before`. */
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
      const queued = await withEntry(job, async (waiting) => {
        if (!waiting) return false;
        await storage.documents.put(PENDING_ISSUE_EFFECTS, job.issueId, {
          ...waiting,
          job,
          effects: [...waiting.effects, ...effects],
        });
        return true;
      });
      if (queued) return;
      const held = await applyInOrder(job, mapping, effects);
      if (!held) return;
      // Another writer may have held back effects of this issue while these ran: both are kept.
      await withEntry(job, (meanwhile) =>
        holdBack(job, [...(meanwhile?.effects ?? []), ...effects.slice(held.heldAt)], held.error, meanwhile),
      );
    },

    /** Retries every entry that is due; resolves how many issues had their held-back effects land. */
    async retryDue(): Promise<number> {
      let landed = 0;
      for (const pending of await storage.documents.list(PENDING_ISSUE_EFFECTS)) {
        if (pending.nextAt > now()) continue;
        const mapping = await storage.mappings.get(pending.job.teamKey);
        if (!mapping) {
          const dropped = await withEntry(pending.job, async (latest) => {
            await storage.documents.delete(PENDING_ISSUE_EFFECTS, pending.job.issueId);
            return latest?.effects ?? pending.effects;
          });
          jobLogger(logger, pending.job).warn('tracker effects dropped: the mapping is gone', {
            effects: dropped.map((e) => e.kind),
          });
          continue;
        }
        const held = await applyInOrder(pending.job, mapping, pending.effects);
        // Effects queued behind these while they ran stay, after what is still held back; the
        // entry is read again and written under its claim, so an `apply` queueing now waits.
        const done = await withEntry(pending.job, async (latest) => {
          const queuedMeanwhile = latest ? latest.effects.slice(pending.effects.length) : [];
          if (held) {
            await holdBack(pending.job, [...pending.effects.slice(held.heldAt), ...queuedMeanwhile], held.error, pending);
            return false;
          }
          if (queuedMeanwhile.length > 0)
            await storage.documents.put(PENDING_ISSUE_EFFECTS, pending.job.issueId, {
              ...(latest ?? pending),
              effects: queuedMeanwhile,
              nextAt: now(),
            });
          else await storage.documents.delete(PENDING_ISSUE_EFFECTS, pending.job.issueId);
          return true;
        });
        if (!done) continue;
        deps.landed?.(pending.job);
        landed++;
      }
      return landed;
    },
  };
}
