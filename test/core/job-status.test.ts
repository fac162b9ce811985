import { describe, expect, it } from 'vitest';
import {
  applyJobEvent,
  canTransition,
  isTerminal,
  JOB_STATUSES,
  type JobEvent,
  nextDispatchNumber,
  PR_NOT_FOUND_ERROR,
  TERMINAL_STATUSES,
  TIMED_OUT_REASONS,
} from '../../core/domain/job-status.js';
import type { JobStatus } from '../../core/domain/model.js';
import { job, T0 } from './fixtures.js';

describe('job statuses', () => {
  it('lists the spec statuses, terminal ones and timeout reasons', () => {
    expect(JOB_STATUSES).toEqual(['unknown', 'dispatched', 'running', 'completed', 'review_failed', 'failed', 'timed_out']);
    expect(TERMINAL_STATUSES).toEqual(['completed', 'review_failed', 'failed', 'timed_out']);
    expect(TIMED_OUT_REASONS).toEqual(['container_timeout', 'machine_timeout', 'run_not_found', 'timed_out']);
    expect(JOB_STATUSES.filter(isTerminal)).toEqual(TERMINAL_STATUSES);
  });

  it('allows only forward moves, same-state no-ops, and nothing out of a terminal status', () => {
    const allowed = (from: JobStatus) => JOB_STATUSES.filter((to) => to !== from && canTransition(from, to));
    expect(allowed('unknown')).toEqual(['dispatched', 'running', 'completed', 'review_failed', 'failed', 'timed_out']);
    expect(allowed('dispatched')).toEqual(['running', 'completed', 'review_failed', 'failed', 'timed_out']);
    expect(allowed('running')).toEqual(['completed', 'review_failed', 'failed', 'timed_out']);
    for (const t of TERMINAL_STATUSES) expect(allowed(t)).toEqual([]);
    for (const s of JOB_STATUSES) expect(canTransition(s, s)).toBe(true);
    expect(canTransition('running', 'dispatched')).toBe(false);
  });
});

describe('applyJobEvent', () => {
  const at = T0 + 60_000;

  it('links a run to an unknown job and marks it dispatched', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', status: 'unknown' }), {
      type: 'run-linked',
      runId: '42',
      runUrl: 'https://gh/run/42',
      at,
    });
    expect(r.ignored).toBe(false);
    expect(r.job).toMatchObject({ status: 'dispatched', runId: '42', runUrl: 'https://gh/run/42', updatedAt: at });
    expect(r.effects).toEqual([]);
  });

  it('records a run link on a running job without moving it back', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', status: 'running' }), { type: 'run-linked', runId: '7', at });
    expect(r.job.status).toBe('running');
    expect(r.job.runId).toBe('7');
  });

  it('ignores a repeated run link that adds nothing', () => {
    const linked = job({ id: 'j', issueId: 'i', status: 'running', runId: '7', runUrl: 'https://gh/run/7', machineId: 'm1' });
    expect(applyJobEvent(linked, { type: 'run-linked', runId: '7', at }).ignored).toBe(true);
    expect(applyJobEvent(linked, { type: 'run-linked', runId: '7', machineId: 'm1', at }).ignored).toBe(true);
    expect(applyJobEvent(linked, { type: 'run-linked', runId: '7', machineId: 'm2', at }).job.machineId).toBe('m2');
  });

  it('starts a dispatched job; a second start is an ignored no-op', () => {
    const first = applyJobEvent(job({ id: 'j', issueId: 'i' }), { type: 'started', at });
    expect(first.job.status).toBe('running');
    const again = applyJobEvent(first.job, { type: 'started', at: at + 1 });
    expect(again.ignored).toBe(true);
    expect(again.job).toBe(first.job);
  });

  it('completes an implementation with its PR and says the job finished', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', phase: 'implementation', status: 'running' }), {
      type: 'succeeded',
      prUrl: 'https://gh/pr/9',
      prNumber: 9,
      at,
    });
    expect(r.job).toMatchObject({ status: 'completed', prUrl: 'https://gh/pr/9', prNumber: 9, updatedAt: at });
    expect(r.effects).toEqual([
      {
        kind: 'job-finished',
        jobId: 'j',
        issueId: 'i',
        phase: 'implementation',
        status: 'completed',
        prUrl: 'https://gh/pr/9',
        prNumber: 9,
      },
    ]);
  });

  it('completes a planning run without a PR', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', phase: 'planning' }), { type: 'succeeded', at });
    expect(r.job.status).toBe('completed');
    expect(r.effects).toEqual([{ kind: 'job-finished', jobId: 'j', issueId: 'i', phase: 'planning', status: 'completed' }]);
  });

  it('fails an implementation that "succeeded" without a PR, labelled pr_not_found', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', phase: 'implementation' }), { type: 'succeeded', at });
    expect(r.job).toMatchObject({ status: 'failed', error: PR_NOT_FOUND_ERROR });
    expect(r.effects[1]).toEqual({ kind: 'post-log-excerpt', jobId: 'j', issueId: 'i', label: 'pr_not_found' });
  });

  it('marks a flagged review as review_failed with the PR and the review label', () => {
    const r = applyJobEvent(job({ id: 'j', issueId: 'i', phase: 'implementation' }), {
      type: 'review-failed',
      prUrl: 'https://gh/pr/3',
      at,
    });
    expect(r.job).toMatchObject({ status: 'review_failed', prUrl: 'https://gh/pr/3' });
    expect(r.effects.map((e) => e.kind)).toEqual(['job-finished', 'post-log-excerpt']);
    expect(r.effects[1]).toMatchObject({ label: 'post_push_review_not_approved' });
  });

  it('labels a failure by its runner: container_failed locally, session_failed elsewhere', () => {
    const local = applyJobEvent(job({ id: 'j', issueId: 'i', runner: 'local' }), { type: 'failed', error: 'exit 1', at });
    expect(local.job).toMatchObject({ status: 'failed', error: 'exit 1' });
    expect(local.effects[1]).toMatchObject({ label: 'container_failed' });
    const fly = applyJobEvent(job({ id: 'j', issueId: 'i', runner: 'fly-machines' }), { type: 'failed', error: 'boom', at });
    expect(fly.effects[1]).toMatchObject({ label: 'session_failed' });
  });

  it('records the timeout reason; only lifetime timeouts get a log excerpt', () => {
    const labels = TIMED_OUT_REASONS.map((reason) => {
      const r = applyJobEvent(job({ id: 'j', issueId: 'i' }), { type: 'timed-out', reason, at });
      expect(r.job).toMatchObject({ status: 'timed_out', timedOutReason: reason });
      expect(r.effects[0]).toMatchObject({ kind: 'job-finished', status: 'timed_out', timedOutReason: reason });
      return r.effects[1]?.kind === 'post-log-excerpt' ? r.effects[1].label : undefined;
    });
    expect(labels).toEqual(['container_timeout', 'machine_timeout', undefined, undefined]);
  });

  it('ignores every event once terminal, returning the same job', () => {
    const events: JobEvent[] = [
      { type: 'dispatched', at },
      { type: 'run-linked', runId: 'x', at },
      { type: 'started', at },
      { type: 'succeeded', prUrl: 'https://gh/pr/1', at },
      { type: 'review-failed', prUrl: 'https://gh/pr/1', at },
      { type: 'failed', error: 'late', at },
      { type: 'timed-out', reason: 'timed_out', at },
    ];
    for (const status of TERMINAL_STATUSES) {
      const done = job({ id: 'j', issueId: 'i', status });
      for (const event of events) expect(applyJobEvent(done, event)).toEqual({ job: done, effects: [], ignored: true });
    }
  });

  it('never mutates the job it is given', () => {
    const before = job({ id: 'j', issueId: 'i' });
    const copy = structuredClone(before);
    applyJobEvent(before, { type: 'failed', error: 'x', at });
    expect(before).toEqual(copy);
  });
});

describe('nextDispatchNumber', () => {
  it('is 1 for the first dispatch and counts earlier dispatches of that issue and phase only', () => {
    const jobs = [
      job({ id: 'a', issueId: 'i', phase: 'planning', dispatchNumber: 1 }),
      job({ id: 'b', issueId: 'i', phase: 'planning', dispatchNumber: 2 }),
      job({ id: 'c', issueId: 'i', phase: 'implementation', dispatchNumber: 1 }),
      job({ id: 'd', issueId: 'other', phase: 'planning', dispatchNumber: 1 }),
    ];
    expect(nextDispatchNumber([], 'i', 'planning')).toBe(1);
    expect(nextDispatchNumber(jobs, 'i', 'planning')).toBe(3);
    expect(nextDispatchNumber(jobs, 'i', 'implementation')).toBe(2);
    expect(nextDispatchNumber(jobs, 'i', 'gap-analysis')).toBe(1);
  });

  it('never repeats a number when old jobs were pruned', () => {
    expect(nextDispatchNumber([job({ id: 'x', issueId: 'i', dispatchNumber: 5 })], 'i', 'planning')).toBe(6);
  });
});
