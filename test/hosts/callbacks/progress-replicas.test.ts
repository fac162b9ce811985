import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { RECENT_READ_MAX_AGE_MS } from '../../../ports/storage.port.js';
import { type CallbackHarness, startPostgresReplicas, validStep } from './callbacks-harness.js';

type Answer = { ok: boolean; instructions: { type: string; message?: string; reason?: string }[] };

/**
 * Two replicas over one PostgreSQL: a progress call's reads may be answered from the replica's
 * memory (`recent`), so what another replica writes must still reach the run, within moments.
 */
describe('/runner/progress on two replicas sharing PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('delivers a steering message and an abort queued on the other replica, the message once, within moments', async () => {
    const { a, b, close } = await startPostgresReplicas();
    cleanups.push(close);
    await a.createIssue();
    const run = await a.dispatch();
    const token = run.env[RUN_ENV.progressToken]!;
    const progress = async (on: CallbackHarness): Promise<Answer> => {
      const res = await on.runner('POST', '/runner/progress', token, { step: validStep({ status: 'running' }) });
      expect(res.status).toBe(200);
      return (await res.json()) as Answer;
    };
    /** Calls on `on` until an answer has instructions; how long that took. */
    const untilInstructed = async (on: CallbackHarness) => {
      const started = Date.now();
      for (;;) {
        const answer = await progress(on);
        if (answer.instructions.length > 0) return { answer, ms: Date.now() - started };
        if (Date.now() - started > 5_000) throw new Error('no instruction within 5 s');
      }
    };
    // Replica b has the job, its run record and its (empty) steering queue at hand.
    for (let i = 0; i < 5; i++) expect((await progress(b)).instructions).toEqual([]);

    await a.orchestrator.cradle.steering.enqueue(run.job.id, 'use the blue paint');
    const delivered = await untilInstructed(b);
    expect(delivered.answer.instructions.map((i) => [i.type, i.message])).toEqual([['message', 'use the blue paint']]);
    // Told by its notice: well before a kept answer would have aged out on its own.
    expect(delivered.ms).toBeLessThan(RECENT_READ_MAX_AGE_MS / 2);
    expect((await progress(a)).instructions).toEqual([]);
    expect((await progress(b)).instructions).toEqual([]);

    await a.orchestrator.cradle.steering.abort(run.job.id, 'operator stopped it');
    const aborted = await untilInstructed(b);
    expect(aborted.answer.instructions.map((i) => [i.type, i.reason])).toEqual([['abort', 'operator stopped it']]);
    expect(aborted.ms).toBeLessThan(RECENT_READ_MAX_AGE_MS / 2);
  });
});
