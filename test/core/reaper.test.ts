import { describe, expect, it } from 'vitest';
import { planReaping, type ReapInput, type SessionSnapshot } from '../../core/domain/reaper.js';
import { HOUR, job, T0 } from './fixtures.js';

const MIN = 60_000;
const base = (over: Partial<ReapInput>): ReapInput => ({
  sessions: [],
  jobs: [],
  issues: [],
  now: T0 + 2 * HOUR,
  maxAgeMs: 3 * HOUR,
  staleGraceMs: 10 * MIN,
  ...over,
});
const session = (over: Partial<SessionSnapshot> & { id: string }): SessionSnapshot => ({ startedAt: T0 + HOUR, ...over });

describe('planReaping', () => {
  it('keeps a session whose job is running and whose issue is open', () => {
    const decisions = planReaping(
      base({
        sessions: [session({ id: 'm1', jobId: 'j1' })],
        jobs: [job({ id: 'j1', issueId: 'i1', status: 'running' })],
        issues: [{ id: 'i1', identifier: 'ENG-1', stateType: 'started' }],
      }),
    );
    expect(decisions).toEqual([]);
  });

  it('reaps an orphan: no job matches, once past the grace period', () => {
    const now = T0 + 2 * HOUR;
    const decisions = planReaping(
      base({
        now,
        sessions: [
          session({ id: 'old', jobId: 'gone', startedAt: now - 11 * MIN }),
          session({ id: 'new', startedAt: now - MIN }),
        ],
      }),
    );
    expect(decisions).toEqual([{ sessionId: 'old', rule: 'orphan', ageSeconds: 660 }]);
  });

  it('reaps a session whose job finished longer ago than the grace period', () => {
    const now = T0 + 2 * HOUR;
    const jobs = [
      job({ id: 'stale', issueId: 'i1', status: 'completed', updatedAt: now - 11 * MIN }),
      job({ id: 'fresh', issueId: 'i2', status: 'failed', updatedAt: now - 9 * MIN }),
    ];
    const decisions = planReaping(
      base({ now, jobs, sessions: [session({ id: 'a', jobId: 'stale' }), session({ id: 'b', jobId: 'fresh' })] }),
    );
    expect(decisions).toEqual([{ sessionId: 'a', rule: 'stale-terminal-job', jobId: 'stale', issueId: 'i1', ageSeconds: 3600 }]);
  });

  it('reaps a session older than the max age, whatever it is doing', () => {
    const now = T0 + 10 * HOUR;
    const decisions = planReaping(
      base({
        now,
        sessions: [session({ id: 'm', jobId: 'j', startedAt: now - 3 * HOUR - 1000 })],
        jobs: [job({ id: 'j', issueId: 'i', status: 'running' })],
      }),
    );
    expect(decisions).toEqual([{ sessionId: 'm', rule: 'max-age-exceeded', jobId: 'j', issueId: 'i', ageSeconds: 3 * 3600 + 1 }]);
  });

  it('reaps a session whose issue was completed or cancelled in the tracker', () => {
    const jobs = [job({ id: 'j1', issueId: 'i1', status: 'running' }), job({ id: 'j2', issueId: 'i2', status: 'running' })];
    const issues = [
      { id: 'i1', identifier: 'ENG-1', stateType: 'canceled' },
      { id: 'i2', identifier: 'ENG-2', stateType: 'completed' },
    ];
    const decisions = planReaping(
      base({ jobs, issues, sessions: [session({ id: 'b', jobId: 'j2' }), session({ id: 'a', jobId: 'j1' })] }),
    );
    expect(decisions.map((d) => [d.sessionId, d.rule])).toEqual([
      ['a', 'issue-terminal'],
      ['b', 'issue-terminal'],
    ]);
  });

  it('finds the job by issue, and the issue by identifier, when the session carries only those', () => {
    const jobs = [
      job({ id: 'first', issueId: 'i1', status: 'failed', dispatchedAt: T0, updatedAt: T0 }),
      job({ id: 'second', issueId: 'i1', status: 'running', dispatchedAt: T0 + HOUR }),
    ];
    expect(planReaping(base({ jobs, sessions: [session({ id: 'm', issueId: 'i1' })] }))).toEqual([]);
    const byIdentifier = planReaping(
      base({
        jobs,
        issues: [{ id: 'i1', identifier: 'ENG-1', stateType: 'cancelled' }],
        sessions: [session({ id: 'm', jobId: 'second', issueIdentifier: 'ENG-1' })],
      }),
    );
    expect(byIdentifier).toMatchObject([{ sessionId: 'm', rule: 'issue-terminal', jobId: 'second', issueId: 'i1' }]);
  });

  it('gives one decision per session, by the documented precedence', () => {
    const now = T0 + 10 * HOUR;
    const veryOld = now - 5 * HOUR;
    const jobs = [job({ id: 'done', issueId: 'i', status: 'completed', updatedAt: now - HOUR })];
    const issues = [{ id: 'i', identifier: 'ENG-1', stateType: 'completed' }];
    // Every rule matches both; orphan beats the rest, then stale-terminal-job.
    const decisions = planReaping(
      base({
        now,
        jobs,
        issues,
        sessions: [
          session({ id: 'orphan', jobId: 'missing', issueId: 'i', startedAt: veryOld }),
          session({ id: 'stale', jobId: 'done', startedAt: veryOld }),
        ],
      }),
    );
    expect(decisions.map((d) => [d.sessionId, d.rule])).toEqual([
      ['orphan', 'orphan'],
      ['stale', 'stale-terminal-job'],
    ]);
    const live = [...jobs, job({ id: 'live', issueId: 'i', status: 'running' })];
    const withLive = planReaping(
      base({ now, jobs: live, issues, sessions: [session({ id: 'closed', jobId: 'live', startedAt: veryOld })] }),
    );
    expect(withLive.map((d) => d.rule)).toEqual(['issue-terminal']);
  });
});
