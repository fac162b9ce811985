import { describe, expect, it } from 'vitest';
import { createShadowRunner, type ShadowEntry } from '../../../adapters/runners/shadow/shadow.runner.js';
import { runnerContract, sampleLaunch } from '../../../testing/contracts/runner.contract.js';

runnerContract('shadow (tracksSessions: false, observes: false)', async () => ({
  runner: createShadowRunner(),
  tracksSessions: false,
  observes: false,
}));

describe('shadow runner', () => {
  it('answers shadow-<jobId> and records what it would have launched, keys only', async () => {
    const entries: ShadowEntry[] = [];
    const runner = createShadowRunner({ record: (entry) => entries.push(entry) });
    const run = sampleLaunch({ env: { RESULT_TOKEN: 'tok-do-not-record', AI_IMPLEMENT_JOB_ID: 'j' } });
    const result = (await runner.launch(run))._unsafeUnwrap();
    expect(result).toEqual({ handle: `shadow-${run.job.id}` });
    expect(entries).toEqual([
      expect.objectContaining({
        runner: 'shadow',
        dryRun: true,
        effect: 'none',
        action: 'launch',
        handle: `shadow-${run.job.id}`,
        jobId: run.job.id,
        issue: run.job.identifier,
        wouldUse: 'fly-machines',
        machineCpus: 2,
        machineMemoryMb: 4096,
        envKeys: ['AI_IMPLEMENT_JOB_ID', 'RESULT_TOKEN'],
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('tok-do-not-record');
  });

  it('makes every log line say that nothing ran', async () => {
    const entries: ShadowEntry[] = [];
    const runner = createShadowRunner({ record: (entry) => entries.push(entry) });
    await runner.launch(sampleLaunch());
    await runner.destroy('m-1');
    expect(entries.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^\[shadow\] nothing ran: would launch implementation for ENG-\d+ on acme\/widgets via fly-machines$/,
      ),
      '[shadow] nothing ran: would destroy session m-1',
    ]);
  });

  it('is the shadow kind', () => {
    expect(createShadowRunner().kind).toBe('shadow');
  });
});
