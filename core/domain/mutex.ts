/**
 * A promise-chain mutex: tasks run one at a time in the order they were queued. A store whose
 * updates read, change and write back (a log trimmed to its limit, a claim checked then set)
 * runs them through one of these so that concurrent callers in this process never lose one.
 */
export interface Mutex {
  run<T>(task: () => Promise<T> | T): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T> | T): Promise<T> {
      const result = tail.then(task);
      // The chain must survive a failed task; the caller still sees the failure through `result`.
      tail = result.catch(() => undefined);
      return result;
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}
