import { asValue } from 'awilix';
import { describe, expect, it } from 'vitest';
import { createPeriodicTask, TaskStoppedError } from '../../../core/app/operations/periodic-task.js';
import { shutdownServer } from '../../../hosts/server-shutdown.js';
import { startHarness } from '../harness.js';

const logger = { info() {}, warn() {}, error() {} };
const never = () => new Promise<never>(() => undefined);

/**
 * A shutdown ends inside its drain time even when background work hangs (a delivery round
 * waiting on a hung Slack, a cycle on a hung tracker): a container runtime kills the process
 * 10 s after SIGTERM, and a stopped task starts no round after its stop.
 */
describe('shutdown with background work that hangs', () => {
  it('closes the store once the drain time is spent, and says so', async () => {
    const logs: string[] = [];
    let disposedWith: { waitForWorkMs?: number } | undefined;
    const started = Date.now();
    await shutdownServer(
      { close: async () => undefined },
      {
        stop: never,
        dispose: async (options) => {
          disposedWith = options;
          await new Promise((resolve) => setTimeout(resolve, options?.waitForWorkMs ?? 0));
        },
      },
      { drainMs: 300, log: (line) => logs.push(line) },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(disposedWith?.waitForWorkMs).toBeGreaterThan(0);
    expect(disposedWith?.waitForWorkMs).toBeLessThanOrEqual(300);
    expect(logs).toEqual(['background work still running after 0.3 s; storage closed (the next start takes it up)']);
  });

  it('shares the drain time between requests in flight and the work: neither gets it twice', async () => {
    let waitForWorkMs: number | undefined;
    await shutdownServer(
      { close: (cut) => (cut ? Promise.resolve() : never()) },
      {
        stop: never,
        dispose: async (options) => {
          waitForWorkMs = options?.waitForWorkMs;
        },
      },
      { drainMs: 200 },
    );
    expect(waitForWorkMs).toBeLessThanOrEqual(50);
  });

  it('a core whose worker never stops still closes its store within waitForWorkMs', async () => {
    const h = await startHarness('sqlite', undefined, {
      notificationWorker: asValue({ run: never, start: () => undefined, stop: never }),
    });
    const started = Date.now();
    await h.orchestrator.dispose({ waitForWorkMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(h.orchestrator.cradle.storage.jobs.get('any')).rejects.toThrow('storage is closed');
  });
});

describe('a periodic task after its stop', () => {
  it('starts no follow-up that was asked for while its last run went on, and refuses later runs', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const task = createPeriodicTask(
      'delivery',
      async () => {
        runs++;
        await new Promise<void>((resolve) => (release = resolve));
        return runs;
      },
      logger,
    );
    const first = task.run();
    const followUp = task.run();
    const stopped = task.stop();
    release();
    await stopped;
    expect(await first).toBe(1);
    await expect(followUp).rejects.toBeInstanceOf(TaskStoppedError);
    await expect(task.run()).rejects.toThrow('delivery has stopped');
    expect(runs).toBe(1);
  });
});
