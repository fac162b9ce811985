/**
 * Calls made in one turn of the event loop, run together: each caller's item is queued, and
 * after the turn's callbacks (`setImmediate`, so the requests read in one poll of the sockets all
 * join) the batch runs once; each caller gets its own answer, or the batch's failure. Concurrent
 * `/runner/progress` calls each make the same few point reads and one append: on PostgreSQL a
 * statement costs a round trip and ~0.1 ms of client CPU whatever it carries, and on SQLite a
 * commit costs several times its statements, so sharing them is most of what a call costs.
 */
/**
 * The real `setImmediate`, kept at load: a test (or an embedder's test) that installs fake timers
 * afterwards must not stop the store from answering.
 */
const afterThisTurn = globalThis.setImmediate.bind(globalThis);

export function batchPerTurn<T, R>(runBatch: (items: T[]) => Promise<R[]>): (item: T) => Promise<R> {
  let queued: { item: T; done: (result: R) => void; fail: (error: unknown) => void }[] = [];
  const flush = async () => {
    const batch = queued;
    queued = [];
    try {
      const results = await runBatch(batch.map((q) => q.item));
      for (const [i, q] of batch.entries()) q.done(results[i] as R);
    } catch (error) {
      for (const q of batch) q.fail(error);
    }
  };
  return (item) =>
    new Promise<R>((done, fail) => {
      queued.push({ item, done, fail });
      if (queued.length === 1) afterThisTurn(() => void flush());
    });
}

/**
 * Group commit: writes queued in one turn go to the database together, in one transaction; each
 * caller's promise settles when it has committed (or failed, for all of them).
 */
export function groupCommit<T>(commit: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  return batchPerTurn<T, void>(async (items) => {
    await commit(items);
    return [];
  });
}
