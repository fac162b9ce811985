import { createMutex } from '../../../core/domain/mutex.js';
import type { Clock } from '../../../ports/clock.port.js';
import type { Ids } from '../../../ports/ids.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import { LOCAL_ISSUES, type LocalComment, type LocalIssue, type LocalStateType } from './local-issue.js';

/** Issue ids by identifier (upper case): finding `ENG-12` without reading every issue. */
const LOCAL_IDENTIFIERS = collection<{ id: string }>('local-issue-identifiers');

export interface NewLocalIssue {
  teamKey: string;
  title: string;
  description?: string;
  priority?: number;
  labels?: string[];
  stateType?: LocalStateType;
  /** Identifiers or ids of issues that block the new one. */
  blockedBy?: string[];
  /** Epoch ms; defaults to now (seeding and imports may set it). */
  createdAt?: number;
}

export type LocalIssuePatch = Partial<Pick<LocalIssue, 'title' | 'description' | 'priority' | 'labels' | 'stateType'>> & {
  blockedBy?: string[];
};

export interface LocalTrackerStoreDeps {
  storage: Storage;
  clock: Clock;
  ids: Ids;
}

/**
 * The embedded tracker's issues, kept as Storage records. Every read-modify-write runs through
 * one queue, so concurrent label moves and comments never lose an update within one
 * orchestrator process (the embedded tracker is for a single node).
 */
export function createLocalTrackerStore({ storage, clock, ids }: LocalTrackerStoreDeps) {
  // One queue for every write: the embedded tracker serves one node at human pace.
  const writes = createMutex();

  async function all(): Promise<LocalIssue[]> {
    return storage.documents.list(LOCAL_ISSUES);
  }

  /**
   * Finds an issue by id or by identifier (case-insensitive): by the identifier index this
   * store writes with each issue, else (an issue from before the index) by reading them all.
   */
  async function find(ref: string): Promise<LocalIssue | undefined> {
    const byId = await storage.documents.get(LOCAL_ISSUES, ref);
    if (byId) return byId;
    const wanted = ref.toUpperCase();
    const indexed = await storage.documents.get(LOCAL_IDENTIFIERS, wanted);
    const byIndex = indexed && (await storage.documents.get(LOCAL_ISSUES, indexed.id));
    if (byIndex && byIndex.identifier.toUpperCase() === wanted) return byIndex;
    return (await all()).find((issue) => issue.identifier.toUpperCase() === wanted);
  }

  async function resolveRefs(refs: readonly string[]): Promise<string[] | { missing: string }> {
    const out: string[] = [];
    for (const ref of refs) {
      const issue = await find(ref);
      if (!issue) return { missing: ref };
      out.push(issue.id);
    }
    return out;
  }

  /**
   * The team's next issue number: an atomic counter of the store, so two replicas never hand
   * out one identifier twice. Numbers already taken (issues from before the counter, whose
   * sequence lived in a setting) are skipped.
   */
  async function nextNumber(teamKey: string): Promise<number> {
    const taken = await takenBefore(teamKey);
    for (;;) {
      const number = await storage.counters.next(`local-tracker:${teamKey}`);
      if (!taken.has(`${teamKey}-${number}`)) return number;
    }
  }

  /**
   * The team's identifiers in the store when this process first numbered one of its issues:
   * read once, since every later identifier comes from the counter, which never repeats one.
   */
  const takenByTeam = new Map<string, Promise<Set<string>>>();
  function takenBefore(teamKey: string): Promise<Set<string>> {
    let taken = takenByTeam.get(teamKey);
    if (!taken) {
      taken = all().then((issues) => new Set(issues.filter((i) => i.teamKey === teamKey).map((i) => i.identifier)));
      taken.catch(() => takenByTeam.delete(teamKey));
      takenByTeam.set(teamKey, taken);
    }
    return taken;
  }

  async function create(input: NewLocalIssue): Promise<LocalIssue | { missing: string }> {
    const teamKey = input.teamKey.toUpperCase();
    const blockedBy = await resolveRefs(input.blockedBy ?? []);
    if (!Array.isArray(blockedBy)) return blockedBy;
    return writes.run(async () => {
      const number = await nextNumber(teamKey);
      const now = clock.now();
      const issue: LocalIssue = {
        id: ids.newId(),
        identifier: `${teamKey}-${number}`,
        teamKey,
        title: input.title,
        description: input.description ?? '',
        priority: input.priority ?? 0,
        createdAt: input.createdAt ?? now,
        updatedAt: now,
        labels: [...new Set(input.labels ?? [])],
        stateType: input.stateType ?? 'unstarted',
        blockedBy,
        comments: [],
      };
      await storage.documents.put(LOCAL_ISSUES, issue.id, issue);
      await storage.documents.put(LOCAL_IDENTIFIERS, issue.identifier.toUpperCase(), { id: issue.id });
      return issue;
    });
  }

  /** Applies `change` to the stored issue under its lock; undefined when there is none. */
  async function update(
    ref: string,
    change: (issue: LocalIssue) => LocalIssue | Promise<LocalIssue>,
  ): Promise<LocalIssue | undefined> {
    const found = await find(ref);
    if (!found) return undefined;
    return writes.run(async () => {
      const current = await storage.documents.get(LOCAL_ISSUES, found.id);
      if (!current) return undefined;
      const next = { ...(await change(current)), updatedAt: clock.now() };
      await storage.documents.put(LOCAL_ISSUES, next.id, next);
      return next;
    });
  }

  async function patch(ref: string, changes: LocalIssuePatch): Promise<LocalIssue | undefined | { missing: string }> {
    let blockedBy: string[] | undefined;
    if (changes.blockedBy) {
      const resolved = await resolveRefs(changes.blockedBy);
      if (!Array.isArray(resolved)) return resolved;
      blockedBy = resolved;
    }
    return update(ref, (issue) => ({
      ...issue,
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.priority !== undefined ? { priority: changes.priority } : {}),
      ...(changes.stateType !== undefined ? { stateType: changes.stateType } : {}),
      ...(changes.labels !== undefined ? { labels: [...new Set(changes.labels)] } : {}),
      ...(blockedBy ? { blockedBy } : {}),
    }));
  }

  async function addComment(ref: string, body: string): Promise<LocalComment | undefined> {
    const comment: LocalComment = { id: ids.newId(), body, createdAt: clock.now() };
    const updated = await update(ref, (issue) => ({ ...issue, comments: [...issue.comments, comment] }));
    return updated ? comment : undefined;
  }

  async function remove(ref: string): Promise<boolean> {
    const found = await find(ref);
    if (!found) return false;
    await storage.documents.delete(LOCAL_IDENTIFIERS, found.identifier.toUpperCase());
    return storage.documents.delete(LOCAL_ISSUES, found.id);
  }

  return { all, find, create, update, patch, addComment, remove };
}

export type LocalTrackerStore = ReturnType<typeof createLocalTrackerStore>;
