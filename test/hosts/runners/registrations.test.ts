import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { DRY_RUN_NOTE } from '../../../core/domain/job-status.js';
import { createLogger } from '../../../hosts/logger.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the runner registry', () => {
  it('has shadow and local always, github-actions with GitHub credentials, fly-machines with a Fly token', async () => {
    h = await startRunnersHarness({ fly: false });
    expect(h.orchestrator.cradle.runnerRegistry.kinds().sort()).toEqual(['local', 'shadow']);
    await h.close();
    h = await startRunnersHarness({ github: true });
    expect(h.orchestrator.cradle.runnerRegistry.kinds().sort()).toEqual(['fly-machines', 'github-actions', 'local', 'shadow']);
  });

  it('sends shadow runs to the log, marked as a dry run, with env keys but no values', async () => {
    const lines: string[] = [];
    h = await startRunnersHarness({
      fly: false,
      env: { RUNNER_MODE: 'shadow' },
      overrides: { logger: asValue(createLogger({ secrets: [], write: (line) => lines.push(line) })) },
    });
    await h.createMapping();
    await h.createIssue();
    const [job] = await h.dispatch();
    // Nothing ran: the dry run is settled at once, and says so.
    expect(job).toMatchObject({ runner: 'shadow', status: 'completed', note: DRY_RUN_NOTE });
    const shadow = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.dryRun === true);
    expect(shadow?.message).toMatch(/^\[shadow\] nothing ran: would launch implementation for ENG-1/);
    expect(JSON.stringify(shadow)).toContain('AI_IMPLEMENT_RESULT_TOKEN');
    // Keys only: no run token (`ait1.<claims>.<mac>`) reaches the log.
    expect(lines.join('\n')).not.toMatch(/ait1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });
});

describe('orchestrator.start()', () => {
  it('starts the run watcher with the reconcile loop, and dispose stops it', async () => {
    h = await startRunnersHarness({ github: true, fly: false, env: { POLL_INTERVAL_MS: '1000' } });
    await h.createMapping({ executionMode: 'github-actions' });
    await h.createIssue();
    const [job] = await h.dispatch();
    expect((await h.job(job?.id as string)).runUrl).toBeUndefined();
    h.orchestrator.start();
    const until = Date.now() + 5_000;
    while (!(await h.job(job?.id as string)).runUrl) {
      if (Date.now() > until) throw new Error('the watcher never linked the run');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await h.job(job?.id as string)).runUrl).toContain('/actions/runs/');
  });
});
