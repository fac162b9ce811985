import type { Clock } from '../../../ports/clock.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import { createMutex } from '../../domain/mutex.js';

/**
 * What the answer to `POST /runner/progress` tells the session to do (ARCHITECTURE.md: a
 * session behind NAT needs no inbound connection). Messages are delivered once, oldest first;
 * an abort is repeated on every later progress call until the run stops.
 */
export type SteeringInstruction =
  | { type: 'message'; id: string; message: string; at: number }
  | { type: 'abort'; reason?: string; at: number };

interface SteeringState {
  messages: { id: string; message: string; at: number }[];
  abort?: { reason?: string; at: number };
}

/** What `peek` saw; only `take` looks inside. */
export interface SteeringPeek {
  readonly state: SteeringState | undefined;
  /** This process's steering writes when it was read: `take` reads again if any came since. */
  readonly writes: number;
}

/** A queue that nobody drains stops growing here; the oldest messages are dropped. */
export const STEERING_QUEUE_LIMIT = 100;
const COLLECTION = collection<SteeringState>('run-steering');

export interface SteeringDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
}

export interface SteeringService {
  /** Queues a message for the job's session; it arrives with the session's next progress call. */
  enqueue(jobId: string, message: string): Promise<void>;
  /** Asks the job's session to stop; every later progress answer carries the abort. */
  abort(jobId: string, reason?: string): Promise<void>;
  /**
   * The job's steering as it stands, read without a lock (a `recent` read, storage.port.ts): a progress call starts it beside its
   * other reads and hands it to `take`, which then reads again only if there are messages.
   */
  peek(jobId: string): Promise<SteeringPeek>;
  /** The instructions for one progress call: pending messages (then gone), then the abort if any. */
  take(jobId: string, peeked?: SteeringPeek): Promise<SteeringInstruction[]>;
  /** Drops a pruned job's queue. */
  forget(jobId: string): Promise<void>;
}

/** The pending messages, oldest first, then the abort if any. */
function instructionsOf(state: SteeringState): SteeringInstruction[] {
  const out: SteeringInstruction[] = state.messages.map((m) => ({ type: 'message', ...m }));
  if (state.abort) out.push({ type: 'abort', ...state.abort });
  return out;
}

/** Kept in Storage so that any replica answering the progress call delivers what any other queued. */
export function createSteeringService({ storage, clock, ids }: SteeringDeps): SteeringService {
  const writes = createMutex();
  // Bumped by every write of this process, so a peek taken before an abort decided during the
  // same call (a run past its budget) is not answered from.
  let written = 0;
  const read = async (jobId: string): Promise<SteeringState> =>
    (await storage.documents.get(COLLECTION, jobId)) ?? { messages: [] };

  return {
    enqueue: (jobId, message) =>
      writes.run(async () => {
        const state = await read(jobId);
        state.messages.push({ id: ids.newId(), message, at: clock.now() });
        if (state.messages.length > STEERING_QUEUE_LIMIT) state.messages.splice(0, state.messages.length - STEERING_QUEUE_LIMIT);
        await storage.documents.put(COLLECTION, jobId, state);
        written++;
      }),

    abort: (jobId, reason) =>
      writes.run(async () => {
        const state = await read(jobId);
        state.abort = reason === undefined ? { at: clock.now() } : { reason, at: clock.now() };
        await storage.documents.put(COLLECTION, jobId, state);
        written++;
      }),

    forget: async (jobId) => {
      await writes.run(async () => {
        await storage.documents.delete(COLLECTION, jobId);
        written++;
      });
    },
    peek: async (jobId) => {
      const at = written;
      return { state: await storage.documents.get(COLLECTION, jobId, 'recent'), writes: at };
    },
    take: async (jobId, peeked) => {
      // Most calls find nothing to take: that read needs no lock. Messages are taken under it.
      const fresh = peeked && peeked.writes === written;
      const seen = fresh ? peeked.state : await storage.documents.get(COLLECTION, jobId);
      if (!seen) return [];
      if (seen.messages.length === 0) return instructionsOf(seen);
      return writes.run(async () => {
        const state = await storage.documents.get(COLLECTION, jobId);
        if (!state) return [];
        if (state.messages.length > 0) await storage.documents.put(COLLECTION, jobId, { ...state, messages: [] });
        return instructionsOf(state);
      });
    },
  };
}
