import { afterEach, describe, expect, it } from 'vitest';
import type { Job, Mapping, TimedOutReason } from '../../core/domain/model.js';
import type { RunLaunch, Runner, RunObservation } from '../../ports/runner.port.js';

/**
 * One runner under test. `tracksSessions: false` declares a runner that never has sessions to
 * list (shadow): the listing tests then check that it stays empty instead. `observes: false`
 * declares a runner that follows no runs (shadow): `observe` must then answer `untracked`.
 * Every runner that observes shows how one of its runs ends without a result (`endRun`) and
 * how one outlives its limit (`overdueRun`), each the runner's own way.
 */
export interface RunnerSubject {
  runner: Runner;
  tracksSessions: boolean;
  observes?: boolean;
  /** Launches a run whose session ends without sending a result; resolves once it has ended. */
  endRun?: () => Promise<{ run: RunLaunch; handle: string }>;
  /** Launches a run, and says at what time it is past the runner's limit and with which reason. */
  overdueRun?: () => Promise<{ run: RunLaunch; handle: string; now: number; reason: TimedOutReason }>;
  close?: () => Promise<void>;
}

let sequence = 0;

/** A launch as the dispatcher builds it, with a fresh job id each call. */
export function sampleLaunch(
  overrides: { job?: Partial<Job>; mapping?: Partial<Mapping>; env?: Record<string, string> } = {},
): RunLaunch {
  sequence += 1;
  const mapping: Mapping = {
    teamKey: 'ENG',
    ticketing: 'local',
    forge: 'local',
    owner: 'acme',
    repo: 'widgets',
    workflowFile: 'ai-implement.yml',
    defaultBranch: 'main',
    branchPrefix: 'ai/',
    maxInProgressAiIssues: 3,
    executionMode: 'fly-machines',
    sessionMode: 'autonomous',
    machineCpus: 2,
    machineMemoryMb: 4096,
    planningEnabled: true,
    planningWorkflowFile: 'ai-plan.yml',
    autoApprovePlans: false,
    provider: 'anthropic',
    extraEnv: {},
    paused: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides.mapping,
  };
  const job: Job = {
    id: `job-${sequence.toString().padStart(4, '0')}-contract`,
    issueId: `issue-${sequence}`,
    identifier: `ENG-${100 + sequence}`,
    teamKey: mapping.teamKey,
    owner: mapping.owner,
    repo: mapping.repo,
    phase: 'implementation',
    status: 'dispatched',
    dispatchNumber: 1,
    runner: 'fly-machines',
    dispatchedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides.job,
  };
  return {
    job,
    mapping,
    env: overrides.env ?? {
      AI_IMPLEMENT_JOB_ID: job.id,
      AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:1/runner',
      RESULT_TOKEN: 'tok-result-secret',
    },
  };
}

/** The job as the dispatcher saves it: the launch's handle becomes its run id. */
const launched = (run: RunLaunch, handle: string): Job => ({ ...run.job, runId: handle });

/** A run link, when given, names the run and where to see it. */
function expectWellFormed(seen: RunObservation): void {
  if (seen.state === 'untracked' || !seen.run) return;
  expect(seen.run.runId).toMatch(/\S/);
  expect(() => new URL(seen.run?.runUrl ?? '')).not.toThrow();
}

const IN_FLIGHT = ['waiting', 'alive', 'running'];

export function runnerContract(name: string, make: () => Promise<RunnerSubject>): void {
  describe(`${name} satisfies Runner`, () => {
    let subject: RunnerSubject | undefined;
    const start = async () => {
      subject = await make();
      return subject;
    };
    afterEach(async () => {
      await subject?.close?.();
      subject = undefined;
    });

    it('accepts a launch with a handle of its own', async () => {
      const { runner } = await start();
      const result = await runner.launch(sampleLaunch());
      expect(result.isOk(), JSON.stringify(result)).toBe(true);
      expect(result._unsafeUnwrap().handle).toMatch(/\S/);
    });

    it('gives two launches two handles', async () => {
      const { runner } = await start();
      const first = (await runner.launch(sampleLaunch()))._unsafeUnwrap().handle;
      const second = (await runner.launch(sampleLaunch()))._unsafeUnwrap().handle;
      expect(first).not.toBe(second);
    });

    it('lists the sessions that are alive, tied to their job — or none when it declares tracksSessions: false', async () => {
      const { runner, tracksSessions } = await start();
      const run = sampleLaunch();
      const { handle } = (await runner.launch(run))._unsafeUnwrap();
      const sessions = (await runner.listSessions())._unsafeUnwrap();
      if (!tracksSessions) {
        expect(sessions).toEqual([]);
        return;
      }
      const session = sessions.find((s) => s.id === handle);
      expect(session).toBeDefined();
      expect(session).toMatchObject({
        jobId: run.job.id,
        issueIdentifier: run.job.identifier,
        owner: run.job.owner,
        repo: run.job.repo,
      });
      expect(Number.isFinite(session?.startedAt)).toBe(true);
    });

    it('no longer lists a destroyed session, and keeps listing the others', async () => {
      const { runner } = await start();
      const kept = (await runner.launch(sampleLaunch()))._unsafeUnwrap().handle;
      const gone = (await runner.launch(sampleLaunch()))._unsafeUnwrap().handle;
      expect((await runner.destroy(gone)).isOk()).toBe(true);
      const ids = (await runner.listSessions())._unsafeUnwrap().map((s) => s.id);
      expect(ids).not.toContain(gone);
      if (subject?.tracksSessions) expect(ids).toContain(kept);
    });

    it('succeeds when destroying a session that is already gone', async () => {
      const { runner } = await start();
      const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
      expect((await runner.destroy(handle)).isOk()).toBe(true);
      expect((await runner.destroy(handle)).isOk()).toBe(true);
      expect((await runner.destroy('0000deadbeef00')).isOk()).toBe(true);
    });

    it('observes a run it just launched as in flight, never as over — or untracked when it declares observes: false', async () => {
      const { runner, observes } = await start();
      const run = sampleLaunch();
      const { handle } = (await runner.launch(run))._unsafeUnwrap();
      const seen = (
        await runner.observe(launched(run, handle), { now: run.job.dispatchedAt, mapping: run.mapping })
      )._unsafeUnwrap();
      if (observes === false) {
        expect(seen).toEqual({ state: 'untracked' });
        return;
      }
      expect(IN_FLIGHT).toContain(seen.state);
      expectWellFormed(seen);
    });

    it('never observes a job it did not launch as in flight', async () => {
      const { runner, observes } = await start();
      await runner.launch(sampleLaunch());
      const stranger = sampleLaunch();
      const seen = (
        await runner.observe(stranger.job, { now: stranger.job.dispatchedAt, mapping: stranger.mapping })
      )._unsafeUnwrap();
      if (observes === false) expect(seen.state).toBe('untracked');
      else expect(['waiting', 'gone']).toContain(seen.state);
    });

    it('observes a run that ended without a result as finished or gone, with a failure label', async () => {
      const subject = await start();
      if (subject.observes === false) return;
      expect(subject.endRun, 'an observing runner shows how its runs end').toBeDefined();
      const { run, handle } = await (subject.endRun as NonNullable<RunnerSubject['endRun']>)();
      const job = launched(run, handle);
      const seen = (await subject.runner.observe(job, { now: run.job.dispatchedAt, mapping: run.mapping }))._unsafeUnwrap();
      expectWellFormed(seen);
      if (seen.state !== 'finished' && seen.state !== 'gone')
        throw new Error(`expected the run over, got ${JSON.stringify(seen)}`);
      expect(['session_failed', 'container_failed']).toContain(seen.logLabel);
      if (seen.state === 'finished') expect(seen.error).toMatch(/without a result/i);
    });

    it('observes a run past its limit as timed_out with its reason; a session it names to end is a live one', async () => {
      const subject = await start();
      if (subject.observes === false) return;
      expect(subject.overdueRun, 'an observing runner shows how its runs time out').toBeDefined();
      const { run, handle, now, reason } = await (subject.overdueRun as NonNullable<RunnerSubject['overdueRun']>)();
      const job = launched(run, handle);
      const early = (await subject.runner.observe(job, { now: run.job.dispatchedAt, mapping: run.mapping }))._unsafeUnwrap();
      expect(early.state).not.toBe('timed_out');
      const seen = (await subject.runner.observe(job, { now, mapping: run.mapping }))._unsafeUnwrap();
      expect(seen).toMatchObject({ state: 'timed_out', reason });
      expectWellFormed(seen);
      if (seen.state === 'timed_out' && seen.endSession) {
        const ids = (await subject.runner.listSessions())._unsafeUnwrap().map((s) => s.id);
        expect(ids).toContain(seen.endSession);
      }
    });

    it('observes a destroyed session as gone, and observing changes nothing', async () => {
      const { runner, tracksSessions } = await start();
      const kept = sampleLaunch();
      const gone = sampleLaunch();
      const keptHandle = (await runner.launch(kept))._unsafeUnwrap().handle;
      const goneHandle = (await runner.launch(gone))._unsafeUnwrap().handle;
      const before = (await runner.listSessions())._unsafeUnwrap().map((s) => s.id);
      await runner.observe(launched(kept, keptHandle), { now: kept.job.dispatchedAt, mapping: kept.mapping });
      expect((await runner.listSessions())._unsafeUnwrap().map((s) => s.id)).toEqual(before);
      if (!tracksSessions) return;
      (await runner.destroy(goneHandle))._unsafeUnwrap();
      const seen = (
        await runner.observe(launched(gone, goneHandle), { now: gone.job.dispatchedAt, mapping: gone.mapping })
      )._unsafeUnwrap();
      expect(seen.state).toBe('gone');
    });
  });
}
