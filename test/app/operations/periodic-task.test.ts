import { describe, expect, it } from 'vitest';
import { createPeriodicTask } from '../../../core/app/operations/periodic-task.js';

const logger = { info() {}, warn() {}, error() {} };

describe('a periodic task asked to run while it runs', () => {
  it('runs once more after the run in progress, one follow-up for every call made meanwhile', async () => {
    const started: number[] = [];
    const releases: (() => void)[] = [];
    let n = 0;
    const task = createPeriodicTask(
      'test',
      async () => {
        const mine = ++n;
        started.push(mine);
        await new Promise<void>((release) => releases.push(release));
        return mine;
      },
      logger,
    );
    const first = task.run();
    const second = task.run();
    const third = task.run();
    expect(started).toEqual([1]); // the follow-up waits for the run in progress
    releases[0]?.();
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    releases[1]?.();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(started).toEqual([1, 2]);
    // Idle again: a call starts a run at once.
    const fourth = task.run();
    expect(started).toEqual([1, 2, 3]);
    releases[2]?.();
    expect(await fourth).toBe(3);
  });

  it('still runs the follow-up when the run in progress failed', async () => {
    let calls = 0;
    let fail: (error: Error) => void = () => undefined;
    const task = createPeriodicTask(
      'test',
      () => {
        calls++;
        return calls === 1 ? new Promise<number>((_, reject) => (fail = reject)) : Promise.resolve(calls);
      },
      logger,
    );
    const first = task.run();
    const second = task.run();
    fail(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe(2);
  });
});
