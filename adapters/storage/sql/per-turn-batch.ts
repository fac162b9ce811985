/**
 * Calls made in one turn of the event loop, run together: each caller's item is queued, and
 * after the turn's callbacks (`setImmediate`, so the requests read in one poll of the sockets all
 * join) the batch runs once; each caller gets its own answer, or the batch's failure. Concurrent
 * `/runner/progress` calls each make the same few point reads and one append: on PostgreSQL a
 * statement costs a round trip and ~0.1 ms of client CPU whatever it carries, and on SQLite a
 * commit costs several times its statements, so sharing them is most of what a call costs.
 *
 * `maxInFlight`: batches of this kind running at once; items queued while that many run wait
 * for one to end and go together in the next (group commit: under load the batches grow and
 * the statements per call fall, with no wait at all when the database keeps up).
 */
/**
 * The real `setImmediate`, kept at load: a test (or an embedder's test) that installs fake timers
 * afterwards must not stop the store from answering.
 */
const afterThisTurn = globalThis.setImmediate.bind(globalThis);

export function batchPerTurn<T, R>(
  runBatch: (items: T[]) => Promise<R[]>,
  { maxInFlight = Number.POSITIVE_INFINITY }: { maxInFlight?: number } = {},
): (item: T) => Promise<R> {
  let queued: { item: T; done: (result: R) => void; fail: (error: unknown) => void }[] = [];
  let scheduled = false;
  let running = 0;
  const schedule = () => {
    if (scheduled || running >= maxInFlight || queued.length === 0) return;
    scheduled = true;
    afterThisTurn(() => void flush());
  };
  const flush = async () => {
    scheduled = false;
    const batch = queued;
    queued = [];
    running++;
    try {
      const results = await runBatch(batch.map((q) => q.item));
      for (const [i, q] of batch.entries()) q.done(results[i] as R);
    } catch (error) {
      for (const q of batch) q.fail(error);
    } finally {
      running--;
      schedule();
    }
  };
  return (item) =>
    new Promise<R>((done, fail) => {
      queued.push({ item, done, fail });
      schedule();
    });
}
