import { afterEach, describe, expect, it } from 'vitest';
import type { Job, Mapping } from '../../core/domain/model.js';
import type { RunLaunch, Runner } from '../../ports/runner.port.js';

/**
 * One runner under test. `tracksSessions: false` declares a runner that never has sessions to
 * list (shadow): the listing tests then check that it stays empty instead.
 */
export interface RunnerSubject {
  runner: Runner;
  tracksSessions: boolean;
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
  });
}
