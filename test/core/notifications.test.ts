import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  MAX_DELIVERY_ATTEMPTS,
  messageForJob,
  parseNotifyEvents,
  retryDelayMs,
} from '../../core/domain/notifications.js';

describe('notification backoff', () => {
  it('doubles from 15–30 s up to an hour, always inside [50 %, 100 %] of its step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, jitter) => {
        const step = Math.min(3_600_000, 30_000 * 2 ** (n - 1));
        const delay = retryDelayMs(n, jitter);
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThanOrEqual(step);
        expect(retryDelayMs(n + 1, jitter)).toBeGreaterThanOrEqual(delay);
      }),
    );
    expect(retryDelayMs(1, 0)).toBe(15_000);
    expect(retryDelayMs(20, 0.999_999)).toBeGreaterThan(3_599_990);
  });

  it('gives up on a refusal at once, and after the last attempt otherwise', () => {
    expect(afterFailure(1, false, 0, 0)).toEqual({ status: 'failed' });
    expect(afterFailure(MAX_DELIVERY_ATTEMPTS - 1, true, 0, 0)).toMatchObject({ status: 'pending' });
    expect(afterFailure(MAX_DELIVERY_ATTEMPTS, true, 0, 0)).toEqual({ status: 'failed' });
  });

  it('waits at least the receiver’s Retry-After, at most an hour; a shorter one leaves the backoff as it is', () => {
    expect(afterFailure(1, true, 0, 0, 300_000)).toEqual({ status: 'pending', nextAttemptAt: 300_000 });
    expect(afterFailure(1, true, 0, 0, 1_000)).toEqual({ status: 'pending', nextAttemptAt: 15_000 });
    expect(afterFailure(1, true, 0, 0, 86_400_000)).toEqual({ status: 'pending', nextAttemptAt: 3_600_000 });
  });
});

describe('NOTIFY_EVENTS', () => {
  it('reads all, none and lists; names unknown kinds', () => {
    expect(parseNotifyEvents(undefined)).toMatchObject({ kinds: expect.arrayContaining(['run.failed', 'storage.unreachable']) });
    expect('kinds' in parseNotifyEvents('all') && parseNotifyEvents('all')).not.toContain('test');
    expect(parseNotifyEvents('none')).toEqual({ kinds: [] });
    expect(parseNotifyEvents('run.failed, budget.reached run.failed')).toEqual({ kinds: ['run.failed', 'budget.reached'] });
    expect(parseNotifyEvents('run.failed,paging,test')).toEqual({ unknown: ['paging', 'test'] });
  });
});

describe('messageForJob', () => {
  const job = { id: 'j', identifier: 'ENG-1', teamKey: 'ENG', phase: 'implementation', status: 'failed', error: 'boom' };
  const context = { at: 5, autoApprovePlans: false, adminUrl: 'https://ai.example.com/admin' };
  it('speaks of failures, timeouts, failed reviews and plans waiting; of nothing else', () => {
    expect(messageForJob(job, context)).toMatchObject({ kind: 'run.failed', reason: 'boom', issue: 'ENG-1' });
    expect(messageForJob({ ...job, status: 'timed_out', timedOutReason: 'machine_timeout' }, context)).toMatchObject({
      kind: 'run.timed_out',
      reason: 'machine_timeout',
    });
    expect(messageForJob({ ...job, status: 'review_failed' }, context)?.kind).toBe('review.failed');
    expect(messageForJob({ ...job, phase: 'planning', status: 'completed' }, context)?.kind).toBe('plan.awaiting_approval');
    expect(
      messageForJob({ ...job, phase: 'planning', status: 'completed' }, { ...context, autoApprovePlans: true }),
    ).toBeUndefined();
    expect(messageForJob({ ...job, status: 'completed' }, context)).toBeUndefined();
    expect(messageForJob({ ...job, status: 'running' }, context)).toBeUndefined();
    expect(messageForJob({ ...job, note: 'dry run' }, context)).toBeUndefined();
  });
});
