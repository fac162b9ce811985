import { describe, expect, it } from 'vitest';
import { JOB_RETENTION_MS, jobsToPrune } from '../../core/domain/retention.js';
import { job, T0 } from './fixtures.js';

describe('job retention', () => {
  it('prunes finished jobs past the retention window, never a job in flight', () => {
    const now = T0 + JOB_RETENTION_MS + 10;
    const jobs = [
      job({ id: 'old-done', issueId: 'i', status: 'completed', updatedAt: T0 }),
      job({ id: 'old-failed', issueId: 'i', status: 'failed', updatedAt: T0 + 10 }),
      job({ id: 'recent-done', issueId: 'i', status: 'completed', updatedAt: T0 + 11 }),
      job({ id: 'old-running', issueId: 'i', status: 'running', updatedAt: T0 }),
      job({ id: 'old-unknown', issueId: 'i', status: 'unknown', updatedAt: T0 }),
    ];
    expect(jobsToPrune(jobs, now).map((j) => j.id)).toEqual(['old-done', 'old-failed']);
  });
});
