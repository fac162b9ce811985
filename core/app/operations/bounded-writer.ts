import type { Logger } from '../../../ports/logger.port.js';

/**
 * Writes off the request path: `push` queues a write and returns at once; writes run one at a
 * time; a write that fails is logged, never thrown; past `capacity` queued writes a new one is
 * dropped and counted (a flood cannot grow memory or storage). `idle()` resolves when the queue
 * is empty (tests, shutdown).
 */
export interface BoundedWriter {
  push(what: string, write: () => Promise<unknown>): boolean;
  idle(): Promise<void>;
  readonly dropped: number;
  readonly pending: number;
}

export function createBoundedWriter(logger: Logger, capacity: number): BoundedWriter {
  const queue: { what: string; write: () => Promise<unknown> }[] = [];
  let dropped = 0;
  let draining: Promise<void> | undefined;
  let failuresLogged = 0;

  const drain = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await next.write();
      } catch (error) {
        // Logged, at most once a hundred failures when the store is down, so the log is not the next flood.
        if (failuresLogged++ % 100 === 0) logger.warn(`could not record ${next.what}`, { error, failures: failuresLogged });
      }
    }
  };

  return {
    push(what, write) {
      if (queue.length >= capacity) {
        dropped++;
        return false;
      }
      queue.push({ what, write });
      draining ??= Promise.resolve()
        .then(drain)
        .finally(() => {
          draining = undefined;
        });
      return true;
    },
    async idle() {
      while (draining) await draining;
    },
    get dropped() {
      return dropped;
    },
    get pending() {
      return queue.length;
    },
  };
}
