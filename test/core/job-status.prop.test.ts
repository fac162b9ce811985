/** Any sequence of events moves a job only forward, and a terminal status never changes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJobEvent, canTransition, isTerminal, type JobEvent, TIMED_OUT_REASONS } from '../../core/domain/job-status.js';
import type { Phase, RunnerKind } from '../../core/domain/model.js';
import { job } from './fixtures.js';

const eventArb: fc.Arbitrary<JobEvent> = fc.oneof(
  fc.record({ type: fc.constant('dispatched' as const), at: fc.nat() }),
  fc.record({ type: fc.constant('run-linked' as const), runId: fc.string({ minLength: 1, maxLength: 3 }), at: fc.nat() }),
  fc.record({ type: fc.constant('started' as const), at: fc.nat() }),
  fc.record({ type: fc.constant('succeeded' as const), prUrl: fc.option(fc.webUrl(), { nil: undefined }), at: fc.nat() }),
  fc.record({ type: fc.constant('review-failed' as const), prUrl: fc.webUrl(), at: fc.nat() }),
  fc.record({ type: fc.constant('failed' as const), error: fc.string(), at: fc.nat() }),
  fc.record({ type: fc.constant('timed-out' as const), reason: fc.constantFrom(...TIMED_OUT_REASONS), at: fc.nat() }),
);

describe('job state machine', () => {
  it('only moves forward, finishes at most once, and never leaves a terminal status', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Phase>('planning', 'implementation', 'gap-analysis'),
        fc.constantFrom<RunnerKind>('github-actions', 'fly-machines', 'local', 'shadow'),
        fc.array(eventArb, { maxLength: 20 }),
        (phase, runner, events) => {
          let current = job({ id: 'j', issueId: 'i', phase, runner, status: 'unknown' });
          let finishes = 0;
          for (const event of events) {
            const before = current;
            const r = applyJobEvent(current, event);
            expect(canTransition(before.status, r.job.status)).toBe(true);
            if (isTerminal(before.status)) expect(r).toEqual({ job: before, effects: [], ignored: true });
            if (r.ignored) expect(r.job).toBe(before);
            finishes += r.effects.filter((e) => e.kind === 'job-finished').length;
            if (isTerminal(r.job.status) && !isTerminal(before.status))
              expect(r.effects[0]).toMatchObject({ kind: 'job-finished', status: r.job.status });
            current = r.job;
          }
          expect(finishes).toBe(isTerminal(current.status) ? 1 : 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
