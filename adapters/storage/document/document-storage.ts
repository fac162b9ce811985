import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../../core/domain/model.js';
import { createMutex } from '../../../core/domain/mutex.js';
import {
  DISPATCH_LOG_LIMIT,
  type DispatchRecord,
  type DispatchRecordResult,
  type JobQuery,
  type Lease,
  type Storage,
  StorageError,
} from '../../../ports/storage.port.js';
import { assertPage, assertPositive, closedError, plain } from '../plain.js';
import { countSnapshot, type SnapshotImport, type StoreSnapshot } from '../snapshot.js';
import { type Change, DISPATCH_LOG_ID, type DocumentBackend, documentsTable, type Table } from './document-backend.js';
import { exportDocumentSnapshot } from './document-export.js';
import { createDocumentNotificationQueue } from './document-notifications.js';
import { createDocumentOperationsEvents } from './document-operations-events.js';
import { createDocumentUsageStore, USAGE_COLLECTION } from './document-usage.js';

export interface DocumentStorageOptions {
  /** The clock for claims and leases; injected so tests control lapses. */
  now?: () => number;
}

interface StoredClaim {
  expiresAt: number | null;
}
type StoredLease = Omit<Lease, 'name'>;

/** Lapsed claims are swept after this many claims, so a sweep's scan is rare. */
const SWEEP_EVERY = 100;

/**
 * The typed stores over a plain key-value backend (lowdb's file, unstorage's memory, fs or
 * redis). Every operation, reads included, runs through one mutex: a read-modify-write (a
 * compare-and-set, a claim, a trimmed log, a dispatch) is atomic and a read never sees half a
 * dispatch. That holds within ONE process only: these stores are not for several replicas.
 */
export function createDocumentStorage(backend: DocumentBackend, options: DocumentStorageOptions = {}): Storage & SnapshotImport {
  const now = options.now ?? Date.now;
  const mutex = createMutex();
  let closed = false;
  let claimsSinceSweep = 0;

  /** Queues `task`; openness is checked when it is queued, so what came before close() completes. */
  const run = <T>(what: string, task: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(closedError());
    return mutex.run(async () => {
      try {
        return await task();
      } catch (error) {
        if (error instanceof StorageError || error instanceof RangeError) throw error;
        throw new StorageError(`storage ${what} failed: ${(error as Error).message ?? error}`, error);
      }
    });
  };
  const get = async <T>(table: Table, id: string) => plain((await backend.get(table, id)) as T | undefined);
  const values = async <T>(table: Table): Promise<T[]> =>
    (await backend.entries(table)).sort(([a], [b]) => byCodePoint(a, b)).map(([, v]) => plain(v as T));
  const put = (table: Table, id: string, value: unknown) => backend.write([{ table, id, value: plain(value) }]);
  const remove = async (table: Table, id: string) => {
    if ((await backend.get(table, id)) === undefined) return false;
    await backend.write([{ table, id, value: undefined }]);
    return true;
  };
  const dispatchLog = async () => ((await backend.get('meta', DISPATCH_LOG_ID)) as DispatchLogEntry[] | undefined) ?? [];
  const logChange = async (entry: DispatchLogEntry): Promise<Change> => ({
    table: 'meta',
    id: DISPATCH_LOG_ID,
    // Stored entries are never mutated in place, so the older ones need no copy.
    value: [plain(entry), ...(await dispatchLog())].slice(0, DISPATCH_LOG_LIMIT),
  });
  const claimFree = async (key: string, at: number) => {
    const held = (await backend.get('claims', key)) as StoredClaim | undefined;
    return !held || (held.expiresAt !== null && held.expiresAt <= at);
  };
  const liveLease = async (name: string, at: number) => {
    const held = (await backend.get('leases', name)) as StoredLease | undefined;
    return held && held.expiresAt > at ? held : undefined;
  };
  const sweepClaims = async (at: number) => {
    if (++claimsSinceSweep < SWEEP_EVERY) return;
    claimsSinceSweep = 0;
    const lapsed = (await backend.entries('claims')).filter(([, c]) => {
      const expiresAt = (c as StoredClaim).expiresAt;
      return expiresAt !== null && expiresAt <= at;
    });
    if (lapsed.length > 0) await backend.write(lapsed.map(([id]) => ({ table: 'claims', id, value: undefined })));
  };

  const recordDispatch = async (d: DispatchRecord): Promise<DispatchRecordResult> => {
    const at = now();
    if (d.fence && (await liveLease(d.fence.lease, at))?.fence !== d.fence.token) return 'fenced';
    const running = matchJobs(await values<Job>('jobs'), {
      issueId: d.job.issueId,
      phase: d.job.phase,
      statuses: ['unknown', 'dispatched', 'running'],
    });
    if (running.length > 0) return 'in-flight';
    if (!(await claimFree(d.claimKey, at))) return 'claimed';
    await backend.write([
      { table: 'claims', id: d.claimKey, value: { expiresAt: at + d.claimTtlMs } },
      { table: 'jobs', id: d.job.id, value: plain(d.job) },
      { table: 'dedup', id: d.dedup.issueId, value: plain(d.dedup) },
      await logChange(d.log),
    ]);
    return 'recorded';
  };

  return {
    mappings: {
      list: () => run('mappings.list', () => values<Mapping>('mappings')),
      get: (teamKey) => run('mappings.get', () => get<Mapping>('mappings', teamKey)),
      put: (mapping) => run('mappings.put', () => put('mappings', mapping.teamKey, mapping)),
      delete: (teamKey) => run('mappings.delete', () => remove('mappings', teamKey)),
    },
    jobs: {
      get: (id) => run('jobs.get', () => get<Job>('jobs', id)),
      put: (job) => run('jobs.put', () => put('jobs', job.id, job)),
      updateIf: (next, expected) =>
        run('jobs.updateIf', async () => {
          const current = (await backend.get('jobs', next.id)) as Job | undefined;
          if (!current || !expected.includes(current.status)) return false;
          await put('jobs', next.id, next);
          return true;
        }),
      delete: (id) => run('jobs.delete', () => remove('jobs', id)),
      list: (query = {}) =>
        run('jobs.list', async () => {
          const limit = query.limit === undefined ? undefined : assertPage('limit', query.limit);
          const found = matchJobs(await values<Job>('jobs'), query).sort(newestFirst);
          return limit === undefined ? found : found.slice(0, limit);
        }),
      count: (query = {}) => run('jobs.count', async () => matchJobs(await values<Job>('jobs'), query).length),
      tally: () =>
        run('jobs.tally', async () => {
          const counts = new Map<string, { phase: Job['phase']; status: Job['status']; count: number }>();
          for (const job of await values<Job>('jobs')) {
            const key = `${job.phase}/${job.status}`;
            const entry = counts.get(key) ?? { phase: job.phase, status: job.status, count: 0 };
            entry.count++;
            counts.set(key, entry);
          }
          return [...counts.values()];
        }),
    },
    dedup: {
      list: () => run('dedup.list', () => values<DedupEntry>('dedup')),
      put: (entry) => run('dedup.put', () => put('dedup', entry.issueId, entry)),
      remove: (issueId) => run('dedup.remove', () => remove('dedup', issueId)),
      removeBefore: (cutoff) =>
        run('dedup.removeBefore', async () => {
          const old = (await backend.entries('dedup')).filter(([, e]) => (e as DedupEntry).dispatchedAt < cutoff);
          if (old.length > 0) await backend.write(old.map(([id]) => ({ table: 'dedup', id, value: undefined })));
          return old.length;
        }),
    },
    dispatchLog: {
      append: (entry) => run('dispatchLog.append', async () => backend.write([await logChange(entry)])),
      list: (page = {}) =>
        run('dispatchLog.list', async () => {
          const offset = assertPage('offset', page.offset ?? 0);
          const limit = assertPage('limit', page.limit ?? DISPATCH_LOG_LIMIT);
          return plain((await dispatchLog()).slice(offset, offset + limit));
        }),
    },
    settings: {
      get: (key) => run('settings.get', () => get<string>('settings', key)),
      set: (key, value) =>
        run('settings.set', async () => {
          if (value === undefined) await remove('settings', key);
          else await put('settings', key, value);
        }),
    },
    claims: {
      claimOnce: async (key, ttlMs) => {
        if (ttlMs !== undefined) assertPositive('ttlMs', ttlMs);
        return run('claims.claimOnce', async () => {
          const at = now();
          await sweepClaims(at);
          if (!(await claimFree(key, at))) return false;
          await put('claims', key, { expiresAt: ttlMs === undefined ? null : at + ttlMs });
          return true;
        });
      },
      release: (key) =>
        run('claims.release', async () => {
          await remove('claims', key);
        }),
    },
    leases: {
      acquire: async (name, owner, ttlMs) => {
        assertPositive('ttlMs', ttlMs);
        return run('leases.acquire', async () => {
          const at = now();
          const stored = (await backend.get('leases', name)) as StoredLease | undefined;
          const live = stored && stored.expiresAt > at ? stored : undefined;
          if (live && live.owner !== owner) return undefined;
          // The live holder acquiring again keeps its fence (a renewal); anyone else is a new holder.
          const fence = live ? live.fence : (stored?.fence ?? 0) + 1;
          const lease: Lease = { name, owner, fence, expiresAt: at + ttlMs };
          await put('leases', name, { owner, fence, expiresAt: lease.expiresAt });
          return lease;
        });
      },
      renew: async (lease, ttlMs) => {
        assertPositive('ttlMs', ttlMs);
        return run('leases.renew', async () => {
          const at = now();
          const live = await liveLease(lease.name, at);
          if (!live || live.owner !== lease.owner || live.fence !== lease.fence) return undefined;
          const renewed: Lease = { ...lease, expiresAt: at + ttlMs };
          await put('leases', lease.name, { owner: lease.owner, fence: lease.fence, expiresAt: renewed.expiresAt });
          return renewed;
        });
      },
      release: (lease) =>
        run('leases.release', async () => {
          const stored = (await backend.get('leases', lease.name)) as StoredLease | undefined;
          if (!stored || stored.owner !== lease.owner || stored.fence !== lease.fence) return;
          // Kept, lapsed, so that the next holder's fence is still higher.
          await put('leases', lease.name, { ...stored, expiresAt: 0 });
        }),
      current: (name) =>
        run('leases.current', async () => {
          const live = await liveLease(name, now());
          return live && { name, owner: live.owner, fence: live.fence, expiresAt: live.expiresAt };
        }),
    },
    counters: {
      next: (name) =>
        run('counters.next', async () => {
          const value = (((await backend.get('counters', name)) as number | undefined) ?? 0) + 1;
          await put('counters', name, value);
          return value;
        }),
    },
    usage: createDocumentUsageStore(backend, run),
    documents: {
      get: (c, id) => run('documents.get', () => get(documentsTable(c.name), id)),
      put: async (c, id, value) => {
        if (value === undefined) throw new RangeError('a document must be a JSON value, got undefined');
        return run('documents.put', () => put(documentsTable(c.name), id, value));
      },
      list: (c) => run('documents.list', () => values(documentsTable(c.name))),
      delete: (c, id) => run('documents.delete', () => remove(documentsTable(c.name), id)),
    },
    streams: {
      append: async (s, entry, keep) => {
        assertPositive('keep', keep, true);
        return run('streams.append', async () => {
          const log = ((await backend.get('streams', s.name)) as unknown[] | undefined) ?? [];
          await put('streams', s.name, [...log, entry].slice(-keep));
        });
      },
      list: (s, page = {}) =>
        run('streams.list', async () => {
          const log = (await get<unknown[]>('streams', s.name)) ?? [];
          return page.limit === undefined ? log : (log.slice(Math.max(0, log.length - assertPage('limit', page.limit))) as never);
        }) as never,
      delete: (s) => run('streams.delete', () => remove('streams', s.name)),
    },
    ...createDocumentOperationsEvents(backend, run),
    notifications: createDocumentNotificationQueue(backend, run),
    recordDispatch: async (d) => {
      assertPositive('claimTtlMs', d.claimTtlMs);
      return run('recordDispatch', () => recordDispatch(d));
    },
    isEmpty: () => run('isEmpty', () => backend.isEmpty()),
    importSnapshot: (snapshot: StoreSnapshot) =>
      run('import', async () => {
        if (!(await backend.isEmpty())) throw new StorageError('the store already holds data (import only into an empty store)');
        await backend.write(snapshotChanges(plain(snapshot)));
        return countSnapshot(snapshot);
      }),
    exportSnapshot: () => run('export', () => exportDocumentSnapshot(backend)),
    close: async () => {
      if (closed) return;
      closed = true;
      await mutex.idle();
      await backend.close();
    },
  };
}

function matchJobs(jobs: Job[], q: Omit<JobQuery, 'limit'>): Job[] {
  const newest = q.newestOfIssueAmong ? newestDispatchPerIssue(jobs, q.newestOfIssueAmong) : undefined;
  return jobs.filter(
    (j) =>
      (newest === undefined || (q.newestOfIssueAmong!.includes(j.phase) && newest.get(j.issueId) === j.dispatchedAt)) &&
      (q.issueIds === undefined || q.issueIds.includes(j.issueId)) &&
      (q.openedPullRequest === undefined || Boolean(j.prUrl) === q.openedPullRequest) &&
      (q.machine === undefined || j.machineId === q.machine || (j.runner === 'fly-machines' && j.runId === q.machine)) &&
      (q.statuses === undefined || q.statuses.includes(j.status)) &&
      (q.issueId === undefined || j.issueId === q.issueId) &&
      (q.identifier === undefined || j.identifier.toUpperCase() === q.identifier.toUpperCase()) &&
      (q.teamKey === undefined || j.teamKey === q.teamKey) &&
      (q.phase === undefined || j.phase === q.phase) &&
      (q.updatedBefore === undefined || j.updatedAt < q.updatedBefore) &&
      (q.updatedAfter === undefined || j.updatedAt > q.updatedAfter) &&
      (q.ids === undefined || q.ids.includes(j.id)),
  );
}

/** Each issue's latest `dispatchedAt` among its jobs of these phases. */
function newestDispatchPerIssue(jobs: Job[], phases: readonly Job['phase'][]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const job of jobs) {
    if (!phases.includes(job.phase)) continue;
    const seen = newest.get(job.issueId);
    if (seen === undefined || job.dispatchedAt > seen) newest.set(job.issueId, job.dispatchedAt);
  }
  return newest;
}

/** The port's listing order: newest dispatchedAt first, then id. */
function newestFirst(a: Job, b: Job): number {
  return b.dispatchedAt - a.dispatchedAt || byCodePoint(a.id, b.id);
}

/** The order SQL gives ids (SQLite's binary collation, PostgreSQL's "C"): UTF-8 bytes, i.e. code points. */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function snapshotChanges(s: StoreSnapshot): Change[] {
  return [
    ...s.mappings.map((m): Change => ({ table: 'mappings', id: m.teamKey, value: m })),
    ...s.jobs.map((j): Change => ({ table: 'jobs', id: j.id, value: j })),
    ...s.dedup.map((d): Change => ({ table: 'dedup', id: d.issueId, value: d })),
    ...(s.dispatchLog.length > 0 ? [{ table: 'meta', id: DISPATCH_LOG_ID, value: s.dispatchLog } as Change] : []),
    ...s.settings.map((e): Change => ({ table: 'settings', id: e.key, value: e.value })),
    ...s.claims.map((c): Change => ({ table: 'claims', id: c.key, value: { expiresAt: c.expiresAt } })),
    ...s.documents.map((d): Change => ({ table: documentsTable(d.collection), id: d.id, value: d.value })),
    ...s.streams.map((st): Change => ({ table: 'streams', id: st.name, value: st.entries })),
    ...(s.counters ?? []).map((c): Change => ({ table: 'counters', id: c.name, value: c.value })),
    ...(s.usage ?? []).map((u): Change => ({ table: documentsTable(USAGE_COLLECTION), id: u.jobId, value: u })),
  ];
}
