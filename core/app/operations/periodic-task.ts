import type { Logger } from '../../../ports/logger.port.js';

export interface PeriodicTask<T> {
  /** Runs the task now; a call while it runs joins that run instead of starting another. */
  run(): Promise<T>;
  /** Runs it every `intervalMs` (after each run ends, so runs never overlap). */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** A single-flight task on a timer: the shape of the run watcher's and the reaper's sweeps. */
export function createPeriodicTask<T>(name: string, task: () => Promise<T>, logger: Logger): PeriodicTask<T> {
  let running: Promise<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  function run(): Promise<T> {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(intervalMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      run()
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
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
