import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.js';
import { createTicketingRegistry } from '../../../core/app/issues/ticketing-registry.js';
import {
  createIssueEffects,
  EFFECT_RETRY_FIRST_MS,
  EFFECT_RETRY_GIVE_UP_MS,
  PENDING_ISSUE_EFFECTS,
  type TrackerEffect,
} from '../../../core/app/runs/issue-effects.js';
import type { Mapping, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';

const MAPPING = { teamKey: 'ENG', ticketing: 'linear' } as Mapping;
const JOB = { id: 'job-1', issueId: 'issue-1', identifier: 'ENG-1', teamKey: 'ENG' };
const LIMITED: ServiceError = { kind: 'rateLimited', retryAfterMs: 1000, message: 'RATELIMITED' };
const GONE: ServiceError = { kind: 'notFound', message: 'no such issue' };

/** A tracker that answers each call with the next scripted failure, then succeeds; it keeps what landed. */
function scriptedTracker(failures: (ServiceError | undefined)[]) {
  const landed: string[] = [];
  const next = () => failures.shift();
  const ticketing = {
    kind: 'linear',
    getIssue: (id: string) => {
      const failure = next();
      return failure ? errAsync(failure) : okAsync({ id, stage: 'implementing' } as unknown as TicketIssue);
    },
    moveToStage: (_issue: TicketIssue, stage: string) => {
      const failure = next();
      if (failure) return errAsync(failure);
      landed.push(`move:${stage}`);
      return okAsync(undefined);
    },
    comment: (_id: string, body: string) => {
      const failure = next();
      if (failure) return errAsync(failure);
      landed.push(`comment:${body}`);
      return okAsync(undefined);
    },
  } as unknown as Ticketing;
  return { landed, registry: createTicketingRegistry({ linear: ticketing }) };
}

async function setUp(failures: (ServiceError | undefined)[], sleep?: (ms: number) => Promise<void>) {
  let now = 1_000_000;
  const storage = await createStorage({ dataDir: '.', storageUrl: 'memory:', now: () => now });
  await storage.mappings.put(MAPPING);
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = {
    info() {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => errors.push(message),
    child() {
      return logger;
    },
  };
  const tracker = scriptedTracker(failures);
  const effects = createIssueEffects({
    storage,
    logger: logger as never,
    ticketingRegistry: tracker.registry,
    now: () => now,
    ...(sleep ? { sleep } : {}),
  });
  return { storage, effects, tracker, warnings, errors, advance: (ms: number) => (now += ms) };
}

const DONE: TrackerEffect[] = [
  { kind: 'move-stage', stage: 'pr_opened' },
  { kind: 'comment', body: 'PR opened' },
];

describe('tracker effects a rate-limited tracker held back', () => {
  it('are kept in order and land on a retry once due, not before', async () => {
    // The stage move's issue read is rate limited; everything after it waits with it.
    const { storage, effects, tracker, advance } = await setUp([LIMITED]);
    await effects.apply(JOB, MAPPING, DONE);
    expect(tracker.landed).toEqual([]);
    expect((await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId))?.effects).toEqual(DONE);

    expect(await effects.retryDue()).toBe(0);
    expect(tracker.landed).toEqual([]);
    advance(EFFECT_RETRY_FIRST_MS);
    expect(await effects.retryDue()).toBe(1);
    expect(tracker.landed).toEqual(['move:pr_opened', 'comment:PR opened']);
    expect(await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId)).toBeUndefined();
  });

  it('holds back only from the effect that was refused: what landed before it is not told again', async () => {
    // getIssue ok, move ok, the comment rate limited.
    const { storage, effects, tracker, advance } = await setUp([undefined, undefined, LIMITED]);
    await effects.apply(JOB, MAPPING, DONE);
    expect(tracker.landed).toEqual(['move:pr_opened']);
    expect((await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId))?.effects).toEqual([DONE[1]]);
    advance(EFFECT_RETRY_FIRST_MS);
    await effects.retryDue();
    expect(tracker.landed).toEqual(['move:pr_opened', 'comment:PR opened']);
  });

  it('queues a later job’s effects for the same issue behind the held-back ones', async () => {
    const { effects, tracker, advance } = await setUp([LIMITED]);
    await effects.apply(JOB, MAPPING, [{ kind: 'comment', body: 'first' }]);
    await effects.apply({ ...JOB, id: 'job-2' }, MAPPING, [{ kind: 'comment', body: 'second' }]);
    expect(tracker.landed).toEqual([]);
    advance(EFFECT_RETRY_FIRST_MS);
    await effects.retryDue();
    expect(tracker.landed).toEqual(['comment:first', 'comment:second']);
  });

  it('backs off twice as long after each refusal, and gives up after a day with an error logged', async () => {
    const failures = Array.from({ length: 200 }, () => LIMITED);
    const { storage, effects, tracker, errors, advance } = await setUp(failures);
    await effects.apply(JOB, MAPPING, [{ kind: 'comment', body: 'x' }]);
    const first = await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId);
    advance(EFFECT_RETRY_FIRST_MS);
    await effects.retryDue();
    const second = await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId);
    expect(second!.attempts).toBe(2);
    expect(second!.nextAt - first!.nextAt).toBe(2 * EFFECT_RETRY_FIRST_MS);
    advance(EFFECT_RETRY_GIVE_UP_MS);
    await effects.retryDue();
    expect(await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId)).toBeUndefined();
    expect(errors).toEqual(['gave up on tracker effects held back for a day']);
    expect(tracker.landed).toEqual([]);
  });

  it('does not hold back what a retry cannot fix (the issue is gone): logged, and the next effect goes on', async () => {
    const { storage, effects, tracker, warnings } = await setUp([GONE]);
    await effects.apply(JOB, MAPPING, DONE);
    expect(tracker.landed).toEqual(['comment:PR opened']);
    expect(warnings).toContain('could not read the issue to move it');
    expect(await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId)).toBeUndefined();
  });
});

/** A promise with its resolver, for pausing one side of an interleaving. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('held-back tracker effects written by two writers at once', () => {
  it('an apply queueing while the retrier rewrites the same issue’s entry loses neither’s effects', async () => {
    // The first apply is held back (rate limited); the retry then lands it.
    const { storage, effects, tracker, advance } = await setUp([LIMITED]);
    await effects.apply(JOB, MAPPING, [{ kind: 'comment', body: 'first' }]);
    advance(EFFECT_RETRY_FIRST_MS);

    // Pause the retrier right after it reads the entry again (its read-modify-write), once the
    // held-back comment has landed; the other replica's apply runs in that window.
    const reread = gate();
    const resume = gate();
    const documents = storage.documents;
    let armed = false;
    const get = documents.get.bind(documents);
    (documents as { get: typeof documents.get }).get = async (collection, id, freshness) => {
      const value = await get(collection, id, freshness);
      if (armed && collection.name === PENDING_ISSUE_EFFECTS.name) {
        armed = false;
        reread.open();
        await resume.opened;
      }
      return value;
    };
    const comment = tracker.registry.get('linear')!.comment;
    tracker.registry.get('linear')!.comment = (id, body) =>
      comment(id, body).map((value) => {
        if (body === 'first') armed = true;
        return value;
      });

    const retrying = effects.retryDue();
    await reread.opened;
    const applying = effects.apply({ ...JOB, id: 'job-2' }, MAPPING, [{ kind: 'comment', body: 'second' }]);
    // Let the apply go as far as it can while the retrier is paused.
    await new Promise((resolve) => setTimeout(resolve, 50));
    resume.open();
    await Promise.all([retrying, applying]);

    // "second" either landed (queued after the retrier finished) or is still pending: never lost.
    const pending = (await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId))?.effects ?? [];
    const told = [...tracker.landed, ...pending.map((e) => (e.kind === 'comment' ? `comment:${e.body}` : e.kind))];
    expect(told).toEqual(['comment:first', 'comment:second']);
    expect(await storage.claims.claimOnce(`issue-effects:${JOB.issueId}`, 1_000)).toBe(true);
  });

  it('an entry claim its holder never gave back (killed) holds a change ~10 s, asked for again with backoff, then warns', async () => {
    const waits: number[] = [];
    const { storage, effects, warnings } = await setUp([LIMITED], async (ms) => {
      waits.push(ms);
    });
    expect(await storage.claims.claimOnce(`issue-effects:${JOB.issueId}`, 3_600_000)).toBe(true);
    await effects.apply(JOB, MAPPING, [{ kind: 'comment', body: 'held' }]);
    expect(waits.slice(0, 6)).toEqual([20, 40, 80, 160, 320, 320]);
    // Two changes of the entry (is anything queued? then hold back), each waiting ~10 s.
    const waited = waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(20_000);
    expect(waited).toBeLessThan(20_800);
    expect(waits.length).toBeLessThan(80); // not 500 claim attempts a change
    expect(warnings).toContain('tracker effects: the issue’s entry stayed claimed; changed without the claim');
    expect((await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId))?.effects).toEqual([
      { kind: 'comment', body: 'held' },
    ]);
  });

  it('two applies held back at once for one issue both stay pending, in the order they were saved', async () => {
    const { storage, effects } = await setUp([LIMITED, LIMITED]);
    await Promise.all([
      effects.apply(JOB, MAPPING, [{ kind: 'comment', body: 'one' }]),
      effects.apply({ ...JOB, id: 'job-2' }, MAPPING, [{ kind: 'comment', body: 'two' }]),
    ]);
    const pending = (await storage.documents.get(PENDING_ISSUE_EFFECTS, JOB.issueId))?.effects ?? [];
    expect(pending.map((e) => (e.kind === 'comment' ? e.body : e.kind)).sort()).toEqual(['one', 'two']);
  });
});
