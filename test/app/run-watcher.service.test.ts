import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createRunnerRegistry } from '../../core/app/dispatch/runner-registry.js';
import { createRunWatcherService, SESSION_GONE_ERROR } from '../../core/app/runs/run-watcher.service.js';
import type { LogLabel } from '../../core/domain/comments.js';
import { applyJobEvent, type JobEvent } from '../../core/domain/job-status.js';
import type { Job, Mapping, RunnerKind } from '../../core/domain/model.js';
import type { ServiceError } from '../../ports/errors.js';
import type { ObserveContext, Runner, RunObservation } from '../../ports/runner.port.js';
import type { Storage } from '../../ports/storage.port.js';
import { job as jobFixture, mapping as mappingFixture, T0 } from '../core/fixtures.js';

const MINUTE = 60_000;

/**
 * The watcher over hand-made runners: each answers `observe` with what the test says it sees,
 * and jobs live in a map moved by the domain's own `applyJobEvent` (what `jobOutcome.record`
 * does, without storage or a ticket).
 */
function world(options: { now?: number; mappings?: Mapping[] } = {}) {
  let now = options.now ?? T0;
  const jobs = new Map<string, Job>();
  const mappings = new Map((options.mappings ?? [mappingFixture({ teamKey: 'ENG' })]).map((m) => [m.teamKey, m]));
  const recorded: { jobId: string; event: JobEvent }[] = [];
  const excerpts: { jobId: string; label: LogLabel; log: string }[] = [];
  const warnings: string[] = [];
  const mappingReads: string[] = [];
  const seenBy = new Map<string, RunObservation | ServiceError>();
  const asked: { jobId: string; context: ObserveContext }[] = [];
  const destroyed: string[] = [];
  /** Jobs whose runner answers `observe` only once the promise settles (a hung service). */
  const heldBy = new Map<string, Promise<void>>();

  const runner = (kind: RunnerKind): Runner => ({
    kind,
    launch: () => okAsync({ handle: 'h' }),
    listSessions: () => okAsync([]),
    destroy: (id) => {
      destroyed.push(id);
      return okAsync(undefined);
    },
    observe: (job, context) => {
      asked.push({ jobId: job.id, context });
      const seen = seenBy.get(job.id) ?? { state: 'alive' };
      const held = heldBy.get(job.id);
      if (held) return ResultAsync.fromSafePromise(held.then(() => seen as RunObservation));
      return 'kind' in seen ? errAsync(seen) : okAsync(seen);
    },
  });

  const storage = {
    jobs: {
      list: async (query?: { statuses?: readonly string[] }) =>
        [...jobs.values()].filter((job) => !query?.statuses || query.statuses.includes(job.status)),
      get: async (id: string) => jobs.get(id),
    },
    mappings: {
      get: async (teamKey: string) => {
        mappingReads.push(teamKey);
        return mappings.get(teamKey);
      },
    },
  } as unknown as Storage;

  const watcher = createRunWatcherService({
    storage,
    clock: { now: () => now },
    logger: { info() {}, warn: (message) => void warnings.push(message), error() {} },
    runnerRegistry: createRunnerRegistry({ 'fly-machines': runner('fly-machines'), local: runner('local') }),
    jobOutcome: {
      record: async (jobId, event) => {
        recorded.push({ jobId, event });
        const job = jobs.get(jobId);
        if (!job) return undefined;
        const next = applyJobEvent(job, event);
        jobs.set(jobId, next.job);
        return { job: next.job, changed: !next.ignored, effects: next.effects };
      },
    },
    postLogExcerpt: async (job, label, log) => {
      excerpts.push({ jobId: job.id, label, log });
    },
  });

  return {
    watcher,
    recorded,
    excerpts,
    warnings,
    mappingReads,
    asked,
    destroyed,
    job: (id: string) => jobs.get(id),
    add(overrides: Partial<Job> & { id: string }) {
      const job = jobFixture({
        issueId: `issue-${overrides.id}`,
        teamKey: 'ENG',
        status: 'dispatched',
        dispatchedAt: T0,
        ...overrides,
      });
      jobs.set(job.id, job);
      return job;
    },
    sees(jobId: string, seen: RunObservation | ServiceError) {
      seenBy.set(jobId, seen);
    },
    /** `jobId`'s runner answers only when `until` settles. */
    holds(jobId: string, until: Promise<void>) {
      heldBy.set(jobId, until);
    },
    at(time: number) {
      now = time;
    },
  };
}

describe('run watcher: one hung service holds up only its own runner’s jobs', () => {
  it('a Fly machine past its lifetime is ended while another runner’s service has not answered', async () => {
    const w = world();
    w.add({ id: 'local-1', runner: 'local' });
    w.add({ id: 'local-2', runner: 'local' });
    w.add({ id: 'fly-1', runner: 'fly-machines' });
    let answer = () => {};
    const hung = new Promise<void>((resolve) => {
      answer = resolve;
    });
    w.holds('local-1', hung);
    w.sees('local-2', { state: 'waiting' });
    w.sees('fly-1', { state: 'timed_out', reason: 'machine_timeout' });
    const sweep = w.watcher.sweep();
    await new Promise((r) => setTimeout(r, 50));
    expect(w.job('fly-1')?.status).toBe('timed_out');
    // The other lane waits on its service, one job after the other.
    expect(w.asked.map((a) => a.jobId)).not.toContain('local-2');
    answer();
    await sweep;
    expect(w.asked.map((a) => a.jobId)).toContain('local-2');
  });
});

describe('run watcher: what a runner sees becomes the job’s events, whatever the runner', () => {
  it('links a newly seen run once, and records a run seen starting as running', async () => {
    const w = world();
    w.add({ id: 'j1', runner: 'fly-machines' });
    w.sees('j1', { state: 'running', run: { runId: '77', runUrl: 'https://ci.example/runs/77' } });
    await w.watcher.sweep();
    await w.watcher.sweep();
    expect(w.recorded.filter((r) => r.event.type === 'run-linked')).toHaveLength(1);
    expect(w.job('j1')).toMatchObject({ status: 'running', runId: '77', runUrl: 'https://ci.example/runs/77' });
  });

  it('records nothing for a run waiting, alive or untracked', async () => {
    const w = world();
    w.add({ id: 'a', runner: 'fly-machines' });
    w.add({ id: 'b', runner: 'local' });
    w.add({ id: 'c', runner: 'fly-machines' });
    w.sees('a', { state: 'waiting' });
    w.sees('b', { state: 'alive' });
    w.sees('c', { state: 'untracked' });
    w.at(T0 + 600 * MINUTE);
    await w.watcher.sweep();
    expect(w.recorded).toEqual([]);
  });

  it('fails a run over without a result with the runner’s error and label, and posts the output it had', async () => {
    const w = world();
    w.add({ id: 'j1', runner: 'local' });
    w.sees('j1', {
      state: 'finished',
      error: 'Local session exited with code 3 without a result',
      logLabel: 'container_failed',
      log: 'boom',
    });
    await w.watcher.sweep();
    expect(w.job('j1')).toMatchObject({ status: 'failed', error: 'Local session exited with code 3 without a result' });
    expect(w.excerpts).toEqual([{ jobId: 'j1', label: 'container_failed', log: 'boom' }]);
    // The job is terminal now: it is not swept again, and nothing is posted twice.
    await w.watcher.sweep();
    expect(w.excerpts).toHaveLength(1);
  });

  it('ends the session a timed-out run names before recording the timeout, and labels the excerpt by the reason', async () => {
    const w = world();
    w.add({ id: 'j1', runner: 'local' });
    w.sees('j1', { state: 'timed_out', reason: 'container_timeout', endSession: 'ai-eng-1', log: 'tail' });
    await w.watcher.sweep();
    expect(w.destroyed).toEqual(['ai-eng-1']);
    expect(w.job('j1')).toMatchObject({ status: 'timed_out', timedOutReason: 'container_timeout' });
    expect(w.excerpts).toEqual([{ jobId: 'j1', label: 'container_timeout', log: 'tail' }]);
  });

  it('fails a job whose session is gone only after the grace period, with the runner’s label', async () => {
    const w = world();
    w.add({ id: 'j1', runner: 'fly-machines' });
    w.sees('j1', { state: 'gone', logLabel: 'session_failed' });
    w.at(T0 + MINUTE);
    await w.watcher.sweep();
    expect(w.job('j1')?.status).toBe('dispatched');
    w.at(T0 + 3 * MINUTE);
    await w.watcher.sweep();
    expect(w.job('j1')).toMatchObject({ status: 'failed', error: SESSION_GONE_ERROR });
    expect(w.recorded.at(-1)?.event).toMatchObject({ type: 'failed', logLabel: 'session_failed' });
  });

  it('asks each job’s own runner with the time and its mapping, reading a team’s mapping once per sweep', async () => {
    const w = world({ now: T0 + 5 * MINUTE });
    w.add({ id: 'a', runner: 'fly-machines' });
    w.add({ id: 'b', runner: 'local' });
    w.add({ id: 'gha', runner: 'github-actions' }); // no such runner registered: skipped
    w.add({ id: 'done', runner: 'local', status: 'completed' });
    await w.watcher.sweep();
    expect(w.asked.map((a) => a.jobId).sort()).toEqual(['a', 'b']);
    expect(w.asked[0]?.context).toMatchObject({ now: T0 + 5 * MINUTE, mapping: { teamKey: 'ENG' } });
    expect(w.mappingReads).toEqual(['ENG']);
  });

  it('warns when a runner cannot be asked, but not when it is merely not configured', async () => {
    const w = world();
    w.add({ id: 'a', runner: 'fly-machines' });
    w.add({ id: 'b', runner: 'local' });
    w.sees('a', { kind: 'notConfigured', message: 'Fly sessions config not set' });
    w.sees('b', { kind: 'unavailable', message: 'down' });
    await w.watcher.sweep();
    expect(w.warnings).toEqual(['run watcher: could not observe the run']);
    expect(w.recorded).toEqual([]);
  });

  it('takes a runner’s own report like a sweep, and ignores one for a job already over', async () => {
    const w = world();
    w.add({ id: 'j1', runner: 'local' });
    w.add({ id: 'j2', runner: 'local', status: 'completed' });
    await w.watcher.report('j1', { state: 'finished', error: SESSION_GONE_ERROR, logLabel: 'session_failed', log: 'END' });
    await w.watcher.report('j2', { state: 'finished', error: SESSION_GONE_ERROR, logLabel: 'session_failed' });
    await w.watcher.report('missing', { state: 'timed_out', reason: 'container_timeout' });
    expect(w.recorded.map((r) => r.jobId)).toEqual(['j1']);
    expect(w.excerpts).toEqual([{ jobId: 'j1', label: 'session_failed', log: 'END' }]);
  });
});
