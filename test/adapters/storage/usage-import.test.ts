import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeJsonStore } from '../../../adapters/storage/json-export.js';
import { importJsonStore } from '../../../adapters/storage/json-import.js';
import { createLowdbStorage } from '../../../adapters/storage/lowdb/lowdb.adapter.js';
import type { SnapshotImport } from '../../../adapters/storage/snapshot.js';
import { openPostgresStorage, openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { collection, type Storage, stream } from '../../../ports/storage.port.js';
import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import { createTestDatabase, type TestDatabase } from '../../setup/postgres-database.js';
import { tempDir } from './temp-dir.js';

/**
 * Usage is money history: what one store recorded through its port must come out of another
 * store after `storage import`, the same records, the same day's spend, the same summaries.
 * The source is the lowdb file (the store an import reads); the targets are every other adapter.
 */
const QUERY = { from: '2026-12-05', to: '2026-12-06' };

function report(jobId: string, over: Partial<RunUsageRecord> = {}): RunUsageRecord {
  return {
    jobId,
    issueId: `issue-${jobId}`,
    identifier: `ENG-${jobId.slice(4)}`,
    teamKey: 'ENG',
    phase: 'implementation',
    model: 'claude-sonnet-4',
    day: '2026-12-06',
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadTokens: 3000,
    cacheCreationTokens: 40,
    costUsd: 0.5,
    turns: 4,
    reportedAt: 1_000,
    final: false,
    stoppedByBudget: false,
    ...over,
  };
}

/** Records runs through the lowdb store's usage port, then closes it: the file holds them. */
async function sourceFile(dir: string): Promise<string> {
  const file = join(dir, 'ai-implement.json');
  const source = await createLowdbStorage({ file });
  await source.usage.record(report('job-1'));
  await source.usage.record(report('job-1', { reportedAt: 2_000, inputTokens: 5000, costUsd: 2.25, final: true }));
  await source.usage.markStopped('job-1');
  await source.usage.record(report('job-2', { teamKey: 'OPS', day: '2026-12-05', model: undefined, costUsd: undefined }));
  await source.usage.record(report('job-3', { phase: 'planning', costUsd: 0.125, turns: undefined }));
  await source.close();
  return file;
}

async function expected(): Promise<{ records: RunUsageRecord[]; byTeam: unknown; byModel: unknown; spend: unknown }> {
  const dir = await tempDir();
  try {
    const source = await createLowdbStorage({ file: await sourceFile(dir.path) });
    const result = {
      records: await source.usage.forJobs(['job-1', 'job-2', 'job-3']),
      byTeam: await source.usage.summarize(QUERY, 'team'),
      byModel: await source.usage.summarize(QUERY, 'model'),
      spend: await source.usage.spendOn('2026-12-06'),
    };
    await source.close();
    return result;
  } finally {
    await dir.remove();
  }
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

type Target = { name: string; open: (dir: string) => Promise<{ storage: Storage & SnapshotImport; drop?: () => Promise<void> }> };
const TARGETS: Target[] = [
  { name: 'sql on sqlite', open: async (dir) => ({ storage: await openSqliteStorage(join(dir, 'target.db')) }) },
  {
    name: 'sql on postgresql',
    open: async () => {
      const schema = await database.schema();
      return { storage: await openPostgresStorage(schema.url), drop: schema.drop };
    },
  },
  { name: 'unstorage memory', open: async () => ({ storage: await createUnstorageStorage({ driver: 'memory' }) }) },
  { name: 'lowdb', open: async (dir) => ({ storage: await createLowdbStorage({ file: join(dir, 'target.json') }) }) },
];

describe('storage import carries the runs’ usage from a lowdb file', () => {
  it.each(TARGETS)('into $name: the same records, spend and summaries', async (target) => {
    const want = await expected();
    expect(want.records).toHaveLength(3);
    const dir = await tempDir();
    const { storage, drop } = await target.open(dir.path);
    try {
      const counts = await importJsonStore(storage, await sourceFile(dir.path));
      expect(counts).toMatchObject({ usage: 3, mappings: 0, documents: 0 });
      const sorted = (rs: RunUsageRecord[]) => [...rs].sort((a, b) => a.jobId.localeCompare(b.jobId));
      expect(sorted(await storage.usage.forJobs(['job-1', 'job-2', 'job-3']))).toEqual(sorted(want.records));
      expect(await storage.usage.get('job-1')).toMatchObject({
        inputTokens: 5000,
        costUsd: 2.25,
        final: true,
        stoppedByBudget: true,
      });
      expect(await storage.usage.summarize(QUERY, 'team')).toEqual(want.byTeam);
      expect(await storage.usage.summarize(QUERY, 'model')).toEqual(want.byModel);
      expect(await storage.usage.spendOn('2026-12-06')).toEqual(want.spend);
      // The imported records go on as usual: an older report changes nothing, a newer one replaces.
      expect(await storage.usage.record(report('job-3', { reportedAt: 500 }))).toBe(false);
      expect(await storage.usage.record(report('job-3', { reportedAt: 3_000, costUsd: 1 }))).toBe(true);
      expect(await storage.usage.spendOn('2026-12-06')).toEqual({ ENG: 3.25 });
    } finally {
      await storage.close();
      await drop?.();
      await dir.remove();
    }
  });
});

describe('a snapshot exported from every adapter carries its usage into another', () => {
  it.each(TARGETS)('from $name', async (from) => {
    const dir = await tempDir();
    const source = await from.open(dir.path);
    const into = await (from.name === 'sql on sqlite' ? TARGETS[2] : TARGETS[0])!.open(dir.path);
    try {
      const runs = [
        report('job-1', { costUsd: 2.25, final: true }),
        report('job-2', { teamKey: 'OPS', model: undefined, costUsd: undefined }),
        report('job-3', { phase: 'planning', turns: undefined }),
      ];
      for (const run of runs) await source.storage.usage.record(run);
      await source.storage.usage.markStopped('job-1');
      await source.storage.settings.set('runnerMode', 'local');
      await source.storage.documents.put(collection<{ n: number }>('pulls'), 'p1', { n: 1 });
      await source.storage.streams.append(stream<{ step: string }>('steps:job-1'), { step: 'a' }, 10);
      const want = await source.storage.usage.forJobs(['job-1', 'job-2', 'job-3']);

      const snapshot = await source.storage.exportSnapshot();
      expect(byJob(snapshot.usage ?? [])).toEqual(byJob(want));
      const file = join(dir.path, 'export.json');
      await writeJsonStore(snapshot, file);
      expect(await importJsonStore(into.storage, file)).toMatchObject({ usage: 3, settings: 1, documents: 1, streamEntries: 1 });

      expect(byJob(await into.storage.usage.forJobs(['job-1', 'job-2', 'job-3']))).toEqual(byJob(want));
      expect(await into.storage.usage.get('job-1')).toMatchObject({ stoppedByBudget: true, final: true, costUsd: 2.25 });
      expect(await into.storage.usage.summarize(QUERY, 'team')).toEqual(await source.storage.usage.summarize(QUERY, 'team'));
      expect(await into.storage.settings.get('runnerMode')).toBe('local');
      expect(await into.storage.documents.get(collection('pulls'), 'p1')).toEqual({ n: 1 });
      expect(await into.storage.streams.list(stream('steps:job-1'))).toEqual([{ step: 'a' }]);
    } finally {
      await source.storage.close();
      await into.storage.close();
      await source.drop?.();
      await into.drop?.();
      await dir.remove();
    }
  });
});

const byJob = (rs: RunUsageRecord[]) => [...rs].sort((a, b) => a.jobId.localeCompare(b.jobId));
