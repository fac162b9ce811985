/**
 * Group commit: writes queued in one turn of the event loop go to the database together, in
 * one transaction, and each caller's promise settles when that transaction has committed (or
 * failed, for all of them). On SQLite the commit — writing the changed pages to the WAL — costs
 * several times the statements themselves, and concurrent `/runner/progress` calls each append
 * one step, so sharing it is most of the cost of an append.
 */
export function groupCommit<T>(commit: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let queued: { item: T; done: () => void; fail: (error: unknown) => void }[] = [];
  const flush = async () => {
    const batch = queued;
    queued = [];
    try {
      await commit(batch.map((q) => q.item));
      for (const q of batch) q.done();
    } catch (error) {
      for (const q of batch) q.fail(error);
    }
  };
  return (item) =>
    new Promise<void>((done, fail) => {
      queued.push({ item, done, fail });
      // After the current turn's callbacks, so that the writes they queue join this one.
      if (queued.length === 1) setImmediate(() => void flush());
    });
}
