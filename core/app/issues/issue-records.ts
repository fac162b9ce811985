import type { EventBus, OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { Logger } from '../../../ports/logger.port.js';
import { collection, type Storage, stream } from '../../../ports/storage.port.js';

/** Per-issue operator overrides (`POST /api/v1/:id/model`, `/template`), kept in Storage. */
export interface IssueOverrides {
  issueId: string;
  identifier: string;
  model?: string;
  template?: string;
  updatedAt: number;
}

export const OVERRIDES_COLLECTION = collection<IssueOverrides>('issue-overrides');
/** Each issue keeps its newest this-many events (ARCHITECTURE.md "Storage": events are capped). */
export const ISSUE_EVENTS_LIMIT = 100;

const eventsStream = (issueId: string) => stream<OrchestratorEvent>(`issue-events/${issueId}`);

export interface IssueOverridesStore {
  get(issueId: string): Promise<IssueOverrides | undefined>;
  /** What a dispatch of the issue passes to its session: the overrides that are set. */
  runOverrides(issueId: string): Promise<{ model?: string; template?: string }>;
  /** Sets or clears (undefined) one field; the record goes once both are clear. */
  set(
    issueId: string,
    identifier: string,
    field: 'model' | 'template',
    value: string | undefined,
    at: number,
  ): Promise<IssueOverrides>;
}

export function createIssueOverridesStore(storage: Storage): IssueOverridesStore {
  const get = (issueId: string) => storage.documents.get(OVERRIDES_COLLECTION, issueId);
  return {
    get,
    async runOverrides(issueId) {
      const found = await get(issueId);
      return { ...(found?.model ? { model: found.model } : {}), ...(found?.template ? { template: found.template } : {}) };
    },
    async set(issueId, identifier, field, value, at) {
      const next: IssueOverrides = { ...(await get(issueId)), issueId, identifier, updatedAt: at };
      if (value === undefined) delete next[field];
      else next[field] = value;
      if (next.model === undefined && next.template === undefined) await storage.documents.delete(OVERRIDES_COLLECTION, issueId);
      else await storage.documents.put(OVERRIDES_COLLECTION, issueId, next);
      return next;
    },
  };
}

export interface IssueEventLog {
  /** Oldest first; waits for this process's pending writes, so a caller reads what was published. */
  list(issueId: string): Promise<OrchestratorEvent[]>;
  /** Resolves once every event published so far is written. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Keeps the event bus's events that name an issue, in one bounded Storage stream per issue, so
 * the issue detail and attempt timeline survive a restart and any replica can answer them.
 * Writes are chained in publish order and never block the publisher.
 */
export function createIssueEventLog({
  storage,
  eventBus,
  logger,
}: {
  storage: Storage;
  eventBus: EventBus;
  logger: Logger;
}): IssueEventLog {
  let tail: Promise<void> = Promise.resolve();
  let closed = false;
  const unsubscribe = eventBus.subscribe((event) => {
    if (closed || !event.issueId) return;
    const issueId = event.issueId;
    const entry: OrchestratorEvent = { ...event };
    tail = tail
      .then(() => storage.streams.append(eventsStream(issueId), entry, ISSUE_EVENTS_LIMIT))
      .catch((error) => logger.warn('could not record an issue event', { issueId, type: event.type, error }));
  });
  return {
    async list(issueId) {
      await tail;
      return storage.streams.list(eventsStream(issueId));
    },
    idle: () => tail,
    async dispose() {
      closed = true;
      unsubscribe();
      await tail;
    },
  };
}
