import type { Logger } from '../../../ports/logger.port.js';
import type { Singleton } from './singleton.js';

export interface PeriodicTask<T> {
  /**
   * Runs the task now. A call while it runs gets one more run after it (calls made meanwhile all
   * share that one), since the run in progress may have read its work before what the caller
   * just added: a notification queued while a delivery round runs is sent by the next round.
   */
  run(): Promise<T>;
  /** Runs it every `intervalMs` (after each run ends, so runs never overlap). */
  start(intervalMs: number): void;
  /**
   * Stops the timer and waits for a run in progress. No run starts after it: a follow-up asked
   * for meanwhile, or a call made later, is refused (`TaskStoppedError`).
   */
  stop(): Promise<void>;
}

/**
 * A single-flight task on a timer: the shape of the run watcher's and the reaper's sweeps.
 * With `lease`, each timed run happens only in the process holding that lease (one replica
 * sweeps; the others skip the round); a run asked for directly (an operator's) always runs.
 */
export function createPeriodicTask<T>(
  name: string,
  task: () => Promise<T>,
  logger: Logger,
  lease?: { singleton: Singleton; name: string },
): PeriodicTask<T> {
  let running: Promise<T> | undefined;
  let again: Promise<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let halted = false;

  function run(): Promise<T> {
    if (halted) return Promise.reject(new TaskStoppedError(name));
    if (!running) {
      running = task().finally(() => {
        running = undefined;
      });
      return running;
    }
    again ??= running
      .catch(() => undefined)
      .then(() => {
        again = undefined;
        return run();
      });
    return again;
  }

  function schedule(intervalMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      (lease ? lease.singleton.run(lease.name, () => run()) : run())
        .catch((error) => logger.error(`${name} failed`, { error }))
        .finally(() => schedule(intervalMs));
    }, intervalMs);
    timer.unref?.();
  }

  return {
    run,
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      schedule(intervalMs);
    },
    async stop() {
      stopped = true;
      halted = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      await again?.catch(() => undefined);
    },
  };
}

/** A periodic task asked to run after its `stop()`: the process is shutting down. */
export class TaskStoppedError extends Error {
  constructor(name: string) {
    super(`${name} has stopped`);
    this.name = 'TaskStoppedError';
  }
}
