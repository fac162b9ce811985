import type {
  RunSpend,
  RunUsageRecord,
  UsageGroup,
  UsageGroupBy,
  UsageQuery,
  UsageStore,
} from '../../../ports/usage-store.port.js';
import { assertPage, plain } from '../plain.js';
import { type DocumentBackend, documentsTable } from './document-backend.js';

type Run = <T>(what: string, task: () => Promise<T>) => Promise<T>;

/** The document collection of the runs' usage, keyed by job id (`records` of a lowdb file). */
export const USAGE_COLLECTION = 'usage-runs';

/** The runs' usage as one collection of the backend, keyed by job id. */
const TABLE = documentsTable(USAGE_COLLECTION);

const groupKey: Record<UsageGroupBy, (u: RunUsageRecord) => string> = {
  team: (u) => u.teamKey,
  mapping: (u) => u.teamKey,
  model: (u) => u.model ?? '',
  day: (u) => u.day,
  issue: (u) => u.identifier,
};

/** The same version of a run's record: what `replace` compares. */
const sameVersion = (a: RunUsageRecord, b: RunUsageRecord) =>
  a.reportedAt === b.reportedAt &&
  a.inputTokens === b.inputTokens &&
  a.outputTokens === b.outputTokens &&
  a.cacheReadTokens === b.cacheReadTokens &&
  a.cacheCreationTokens === b.cacheCreationTokens &&
  a.costUsd === b.costUsd;

/**
 * The usage store over a document backend (lowdb, unstorage): every question scans the
 * collection, under the storage's one mutex (`run`). Fine for the small installs these
 * backends are for; the SQL adapter answers from indexes.
 */
export function createDocumentUsageStore(backend: DocumentBackend, run: Run): UsageStore {
  const stored = async (jobId: string) => plain((await backend.get(TABLE, jobId)) as RunUsageRecord | undefined);
  const all = async () => (await backend.entries(TABLE)).map(([, v]) => plain(v as RunUsageRecord));
  const inDays = (query: UsageQuery) => (u: RunUsageRecord) =>
    u.day >= query.from && u.day <= query.to && (query.teamKey === undefined || u.teamKey === query.teamKey);

  return {
    record: (usage) =>
      run('usage.record', async () => {
        const before = await stored(usage.jobId);
        if (before && before.reportedAt > usage.reportedAt) return false;
        const next: RunUsageRecord = before
          ? { ...usage, day: before.day, stoppedByBudget: before.stoppedByBudget }
          : { ...usage };
        await backend.write([{ table: TABLE, id: usage.jobId, value: plain(next) }]);
        return true;
      }),
    replace: (usage, expected) =>
      run('usage.replace', async () => {
        const before = await stored(usage.jobId);
        if (!before || !sameVersion(before, expected)) return false;
        const next: RunUsageRecord = { ...usage, day: before.day, stoppedByBudget: before.stoppedByBudget };
        await backend.write([{ table: TABLE, id: usage.jobId, value: plain(next) }]);
        return true;
      }),
    get: (jobId) => run('usage.get', () => stored(jobId)),
    forJobs: (jobIds) =>
      run('usage.forJobs', async () => {
        const found = await Promise.all([...new Set(jobIds)].map(stored));
        return found.filter((u): u is RunUsageRecord => u !== undefined);
      }),
    markStopped: (jobId) =>
      run('usage.markStopped', async () => {
        const before = await stored(jobId);
        if (before) await backend.write([{ table: TABLE, id: jobId, value: { ...before, stoppedByBudget: true } }]);
      }),
    spendOn: (day) =>
      run('usage.spendOn', async () => {
        const spend: Record<string, number> = {};
        for (const u of await all()) {
          if (u.day === day && u.costUsd !== undefined) spend[u.teamKey] = (spend[u.teamKey] ?? 0) + u.costUsd;
        }
        return spend;
      }),
    runSpendOn: (day) =>
      run('usage.runSpendOn', async () =>
        (await all())
          .filter((u) => u.day === day)
          .map(
            (u): RunSpend => ({
              jobId: u.jobId,
              teamKey: u.teamKey,
              reportedAt: u.reportedAt,
              ...(u.costUsd !== undefined ? { costUsd: u.costUsd } : {}),
            }),
          ),
      ),
    summarize: async (query, groupBy, limit) => {
      if (limit !== undefined) assertPage('limit', limit);
      return run('usage.summarize', async () => {
        const groups = new Map<string, UsageGroup>();
        for (const u of (await all()).filter(inDays(query))) {
          const key = groupKey[groupBy](u);
          const g = groups.get(key) ?? {
            key,
            runs: 0,
            inputTokens: 0,
            outputTokens: 0,
            cacheReadTokens: 0,
            cacheCreationTokens: 0,
            costUsd: 0,
            unpricedRuns: 0,
          };
          g.runs++;
          g.inputTokens += u.inputTokens;
          g.outputTokens += u.outputTokens;
          g.cacheReadTokens += u.cacheReadTokens;
          g.cacheCreationTokens += u.cacheCreationTokens;
          if (u.costUsd === undefined) g.unpricedRuns++;
          else g.costUsd += u.costUsd;
          groups.set(key, g);
        }
        const sorted = [...groups.values()].sort((a, b) => b.costUsd - a.costUsd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        return limit === undefined ? sorted : sorted.slice(0, limit);
      });
    },
    list: async (query, page) => {
      assertPage('limit', page.limit);
      assertPage('offset', page.offset);
      return run('usage.list', async () =>
        (await all())
          .filter(inDays(query))
          .filter((u) => query.stoppedByBudget === undefined || u.stoppedByBudget === query.stoppedByBudget)
          .sort((a, b) => b.reportedAt - a.reportedAt || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0))
          .slice(page.offset, page.offset + page.limit),
      );
    },
  };
}
