import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * SQLite copies its write-ahead log back into the database file in a checkpoint, which it runs
 * itself in the committing thread once the log passes 1,000 pages: with its fsyncs 2–3 ms,
 * every few dozen group commits under a stream of progress calls, about half of all commit time
 * (measured: 226 of 9,549 commits took 571 of 1,045 ms). Here a worker thread with a connection
 * of its own checkpoints every CHECKPOINT_EVERY_MS instead, PASSIVE (it never waits for or
 * blocks the writer), and the writer's own automatic checkpoint stays only as a backstop, for a
 * log that grows past BACKSTOP_PAGES all the same (a worker that could not keep up or died).
 *
 * Started only once a store has lived STARTUP_DELAY_MS (a short-lived store, a test's or a
 * command's, never needs it) and only for a file, not `:memory:`.
 */
const CHECKPOINT_EVERY_MS = 500;
const BACKSTOP_PAGES = 10_000;
const STARTUP_DELAY_MS = 2_000;
const setTimer = globalThis.setTimeout.bind(globalThis);

/** The worker: CommonJS, given better-sqlite3's resolved path so that it loads the same build. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(database: Database.Database): Checkpointer {
  const file = database.name;
  if (database.memory || file === '') return { stop: async () => undefined };
  let worker: Worker | undefined;
  let stopped = false;
  const timer = setTimer(() => {
    if (stopped) return;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, everyMs: CHECKPOINT_EVERY_MS },
      });
      // A failed worker leaves the writer's own checkpoints in place (set back below).
      worker.on('error', () => {
        if (database.open) database.pragma('wal_autocheckpoint = 1000');
      });
      worker.unref();
      database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    } catch {
      worker = undefined;
    }
  }, STARTUP_DELAY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await worker?.terminate();
    },
  };
}
