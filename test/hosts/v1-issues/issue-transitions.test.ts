import { describe, expect, it } from 'vitest';
import { allowedTransitions, effectiveStage, failedStageOf, inFlightJob } from '../../../core/domain/issue-transitions.js';
import type { Job } from '../../../core/domain/model.js';

const job = (over: Partial<Job>): Job => ({
  id: 'j',
  issueId: 'i',
  identifier: 'ENG-1',
  teamKey: 'ENG',
  owner: 'acme',
  repo: 'widgets',
  phase: 'planning',
  status: 'dispatched',
  dispatchNumber: 1,
  runner: 'shadow',
  dispatchedAt: 1,
  updatedAt: 1,
  ...over,
});

const manual = (input: Parameters<typeof allowedTransitions>[0]) =>
  allowedTransitions(input)
    .filter((t) => t.manual)
    .map((t) => `${t.action}->${t.to}`);

describe('the moves an operator may make', () => {
  it('follow the lifecycle: dispatch, approve, retry, abort', () => {
    expect(manual({ stage: 'triggered', inFlight: false, planningEnabled: true })).toEqual(['dispatch->planning']);
    expect(manual({ stage: 'triggered', inFlight: false, planningEnabled: false })).toEqual(['dispatch->implementing']);
    expect(manual({ stage: 'plan_complete', inFlight: false, planningEnabled: true })).toEqual(['approve->implementing']);
    expect(manual({ stage: 'planning_failed', inFlight: false, planningEnabled: true })).toEqual(['retry->triggered']);
    expect(manual({ stage: 'implementation_failed', inFlight: false, planningEnabled: true })).toEqual(['retry->triggered']);
    expect(manual({ stage: 'implementing', inFlight: true, planningEnabled: true })).toEqual(['abort->aborted']);
    expect(manual({ stage: 'pr_opened', inFlight: false, planningEnabled: true })).toEqual([]);
    expect(manual({ stage: null, inFlight: false, planningEnabled: true })).toEqual([]);
  });

  it("a run's outcomes are listed but are not the operator's to make", () => {
    expect(allowedTransitions({ stage: 'implementing', inFlight: true, planningEnabled: true })).toEqual([
      { to: 'aborted', action: 'abort', manual: true },
      { to: 'pr_opened', action: 'run-succeeded', manual: false },
      { to: 'implementation_failed', action: 'run-failed', manual: false },
    ]);
  });
});

describe('the stage shown', () => {
  it('a label-less Linear/local issue is at the failed stage of its latest run, else outside the lifecycle', () => {
    const failedPlan = job({ id: 'a', status: 'failed', error: 'x', dispatchedAt: 1 });
    const failedImpl = job({ id: 'b', phase: 'implementation', status: 'timed_out', dispatchedAt: 2 });
    expect(effectiveStage({ stage: 'triggered', labels: [] }, [failedPlan], 'local')).toBe('planning_failed');
    expect(effectiveStage({ stage: 'triggered', labels: ['bug'] }, [failedPlan, failedImpl], 'linear')).toBe(
      'implementation_failed',
    );
    expect(effectiveStage({ stage: 'triggered', labels: [] }, [job({ status: 'completed' })], 'local')).toBeNull();
    expect(effectiveStage({ stage: 'triggered', labels: [] }, [], 'local')).toBeNull();
    expect(effectiveStage({ stage: 'planning', labels: ['AI-Implement', 'AI-Planning'] }, [failedPlan], 'local')).toBe(
      'planning',
    );
    // Jira names every stage in its status.
    expect(effectiveStage({ stage: 'planning_failed', labels: [] }, [], 'jira')).toBe('planning_failed');
  });

  it('gap-analysis runs do not decide the stage; the newest non-terminal job is the one in flight', () => {
    const gap = job({ id: 'g', phase: 'gap-analysis', status: 'failed', dispatchedAt: 9 });
    expect(failedStageOf([job({ status: 'failed', dispatchedAt: 1 }), gap])).toBe('planning_failed');
    expect(inFlightJob([job({ id: 'old', status: 'completed' }), job({ id: 'new', dispatchedAt: 5 })])?.id).toBe('new');
    expect(inFlightJob([job({ status: 'failed' })])).toBeUndefined();
  });
});
