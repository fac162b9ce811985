import { describe, expect, it } from 'vitest';
import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../core/domain/model.js';
import { DISPATCH_LOG_LIMIT, type Storage } from '../../ports/storage.port.js';

/** One store under test, fresh for every test. */
export interface StorageSubject {
  storage: Storage;
  /** Opens the same location again; called only after `storage` is closed. */
  reopen?: () => Promise<Storage>;
  /** Opens another live instance on the same location, as a second replica would. */
  twin?: () => Promise<Storage>;
  /** Removes what the subject left behind (files, keys); runs after every Storage is closed. */
  cleanup?: () => Promise<void>;
}

export interface StorageFeatures {
  /** The store keeps its data across close and reopen (`reopen` must be given). */
  durable?: boolean;
  /** Separate instances on one location share claims (`twin` must be given). */
  shared?: boolean;
}

/**
 * The Storage port's contract (ports/storage.port.ts), run against every adapter. Tests that
 * need a capability an adapter does not have (durability, sharing between instances) are not
 * registered for it at all, so the report never shows a pass that proved nothing.
 */
export function storageContract(name: string, make: () => Promise<StorageSubject>, features: StorageFeatures = {}): void {
  /** Runs `body` on a fresh subject and closes whatever it opened, pass or fail. */
  const withSubject = (body: (subject: StorageSubject, opened: Storage[]) => Promise<void>) => async () => {
    const subject = await make();
    const opened: Storage[] = [subject.storage];
    try {
      await body(subject, opened);
    } finally {
      for (const storage of opened) await storage.close();
      await subject.cleanup?.();
    }
  };

  describe(`${name} satisfies Storage`, () => {
    it(
      'round-trips mappings: put, get, list, replace, delete',
      withSubject(async ({ storage }) => {
        expect(await storage.listMappings()).toEqual([]);
        expect(await storage.getMapping('ENG')).toBeUndefined();
        const eng = mapping('ENG');
        const ops = mapping('OPS', { jql: 'project = OPS', awsRegion: 'eu-west-1', maxTurns: 10 });
        await storage.putMapping(eng);
        await storage.putMapping(ops);
        expect(await storage.getMapping('ENG')).toEqual(eng);
        expect(byKey(await storage.listMappings(), 'teamKey')).toEqual([eng, ops]);

        const paused = { ...eng, paused: true, maxInProgressAiIssues: 7, updatedAt: eng.updatedAt + 1 };
        await storage.putMapping(paused);
        expect(await storage.getMapping('ENG')).toEqual(paused);
        expect(await storage.listMappings()).toHaveLength(2);

        expect(await storage.deleteMapping('ENG')).toBe(true);
        expect(await storage.getMapping('ENG')).toBeUndefined();
        expect(await storage.listMappings()).toEqual([ops]);
        expect(await storage.deleteMapping('ENG')).toBe(false);
        expect(await storage.deleteMapping('NOPE')).toBe(false);
      }),
    );

    it(
      'round-trips jobs and replaces a job put again under its id',
      withSubject(async ({ storage }) => {
        expect(await storage.listJobs()).toEqual([]);
        const first = job('job-1');
        const second = job('job-2', { phase: 'implementation', runId: '77', runUrl: 'https://example.test/run/77' });
        await storage.putJob(first);
        await storage.putJob(second);
        expect(await storage.getJob('job-1')).toEqual(first);
        expect(await storage.getJob('job-3')).toBeUndefined();
        expect(byKey(await storage.listJobs(), 'id')).toEqual([first, second]);

        const done = { ...first, status: 'timed_out' as const, timedOutReason: 'run_not_found' as const, updatedAt: 9 };
        await storage.putJob(done);
        expect(await storage.getJob('job-1')).toEqual(done);
        expect(byKey(await storage.listJobs(), 'id')).toEqual([done, second]);

        expect(await storage.deleteJob('job-1')).toBe(true);
        expect(await storage.deleteJob('job-1')).toBe(false);
        expect(await storage.deleteJob('never')).toBe(false);
        expect(await storage.getJob('job-1')).toBeUndefined();
        expect(byKey(await storage.listJobs(), 'id')).toEqual([second]);
      }),
    );

    it(
      'round-trips the dedup ledger and removes from it',
      withSubject(async ({ storage }) => {
        expect(await storage.listDedup()).toEqual([]);
        const a = dedup('issue-a');
        const b = dedup('issue-b', { phase: 'implementation' });
        await storage.putDedup(a);
        await storage.putDedup(b);
        expect(byKey(await storage.listDedup(), 'issueId')).toEqual([a, b]);

        const again = { ...a, dispatchedAt: a.dispatchedAt + 1000 };
        await storage.putDedup(again);
        expect(byKey(await storage.listDedup(), 'issueId')).toEqual([again, b]);

        expect(await storage.removeDedup('issue-a')).toBe(true);
        expect(await storage.listDedup()).toEqual([b]);
        expect(await storage.removeDedup('issue-a')).toBe(false);
        expect(await storage.removeDedup('never')).toBe(false);
      }),
    );

    it(
      'keeps settings as the exact strings set, and unsets them with undefined',
      withSubject(async ({ storage }) => {
        expect(await storage.getSetting('runnerMode')).toBeUndefined();
        // Strings that look like other JSON values must come back as the same strings.
        const values = {
          runnerMode: 'fly',
          count: '123',
          flag: 'true',
          nothing: 'null',
          empty: '',
          quoted: '"q"',
          object: '{"a":1}',
        };
        for (const [key, value] of Object.entries(values)) await storage.setSetting(key, value);
        for (const [key, value] of Object.entries(values)) expect(await storage.getSetting(key)).toBe(value);

        await storage.setSetting('runnerMode', 'local');
        expect(await storage.getSetting('runnerMode')).toBe('local');
        await storage.setSetting('runnerMode', undefined);
        expect(await storage.getSetting('runnerMode')).toBeUndefined();
        await storage.setSetting('never-set', undefined);
        expect(await storage.getSetting('never-set')).toBeUndefined();
      }),
    );

    it(
      'round-trips records per collection, with any id, and deletes them',
      withSubject(async ({ storage }) => {
        expect(await storage.listRecords('issues')).toEqual([]);
        expect(await storage.getRecord('issues', 'x')).toBeUndefined();
        // Ids a key-value store might rewrite: slashes, dots, queries, a trailing `$`, unicode.
        const ids = ['ENG-1', 'a/b\\c', '..', '.', 'q?x=1', 'end$', 'with space', 'ünï', '*', '%41'];
        for (const [n, id] of ids.entries()) await storage.putRecord('issues', id, { id, n, nested: { list: [n, null, 'x'] } });
        await storage.putRecord('issues2', 'ENG-1', 'other collection');
        await storage.putRecord('numbers', 'one', 1);
        await storage.putRecord('numbers', 'text', '42');

        for (const [n, id] of ids.entries())
          expect(await storage.getRecord('issues', id)).toEqual({ id, n, nested: { list: [n, null, 'x'] } });
        const listed = await storage.listRecords<{ id: string }>('issues');
        expect(listed.map((r) => r.id).sort()).toEqual([...ids].sort());
        expect(await storage.listRecords('issues2')).toEqual(['other collection']);
        expect(await storage.getRecord('numbers', 'one')).toBe(1);
        expect(await storage.getRecord('numbers', 'text')).toBe('42');

        await storage.putRecord('issues', 'ENG-1', { id: 'ENG-1', replaced: true });
        expect(await storage.getRecord('issues', 'ENG-1')).toEqual({ id: 'ENG-1', replaced: true });
        expect(await storage.deleteRecord('issues', 'ENG-1')).toBe(true);
        expect(await storage.getRecord('issues', 'ENG-1')).toBeUndefined();
        expect(await storage.deleteRecord('issues', 'ENG-1')).toBe(false);
        expect(await storage.deleteRecord('nowhere', 'x')).toBe(false);
        expect(await storage.listRecords('issues')).toHaveLength(ids.length - 1);
        expect(await storage.listRecords('issues2')).toEqual(['other collection']);
      }),
    );

    it(
      'keeps the newest `keep` entries of each record log, oldest first',
      withSubject(async ({ storage }) => {
        expect(await storage.listRecordLog('events')).toEqual([]);
        for (let i = 0; i < 25; i++) await storage.appendRecordLog('events', { i }, 10);
        await storage.appendRecordLog('audit', 'only', 10);
        expect(await storage.listRecordLog('events')).toEqual(range(15, 25).map((i) => ({ i })));
        expect(await storage.listRecordLog('audit')).toEqual(['only']);

        expect(await storage.deleteRecordLog('events')).toBe(true);
        expect(await storage.deleteRecordLog('events')).toBe(false);
        expect(await storage.deleteRecordLog('never')).toBe(false);
        expect(await storage.listRecordLog('events')).toEqual([]);
        expect(await storage.listRecordLog('audit')).toEqual(['only']);
        await storage.appendRecordLog('events', { again: true }, 10);
        expect(await storage.listRecordLog('events')).toEqual([{ again: true }]);
      }),
    );

    it(
      `keeps the newest ${DISPATCH_LOG_LIMIT} dispatch log entries, newest first`,
      withSubject(async ({ storage }) => {
        expect(await storage.listDispatchLog()).toEqual([]);
        const total = DISPATCH_LOG_LIMIT + 20;
        for (let i = 0; i < total; i++) await storage.appendDispatchLog(logEntry(i));
        const log = await storage.listDispatchLog();
        expect(log).toHaveLength(DISPATCH_LOG_LIMIT);
        expect(log[0]).toEqual(logEntry(total - 1));
        expect(log.at(-1)).toEqual(logEntry(20));
        expect(log.map((e) => e.at)).toEqual(range(20, total).reverse());
      }),
    );

    it(
      'never hands out or keeps a live reference',
      withSubject(async ({ storage }) => {
        const put = mapping('ENG');
        await storage.putMapping(put);
        put.extraEnv.INJECTED = 'after put';
        const got = await storage.getMapping('ENG');
        expect(got?.extraEnv).toEqual({ FOO: 'bar' });
        if (got) got.extraEnv.CHANGED = 'yes';
        const [listed] = await storage.listMappings();
        if (listed) listed.owner = 'mutated';
        expect(await storage.getMapping('ENG')).toEqual(mapping('ENG'));

        await storage.putJob(job('job-1'));
        const [listedJob] = await storage.listJobs();
        if (listedJob) listedJob.status = 'failed';
        expect((await storage.getJob('job-1'))?.status).toBe('dispatched');

        await storage.putDedup(dedup('issue-a'));
        const [entry] = await storage.listDedup();
        if (entry) entry.title = 'mutated';
        expect((await storage.listDedup())[0]?.title).toBe('Issue issue-a');

        await storage.appendDispatchLog(logEntry(1));
        const [logged] = await storage.listDispatchLog();
        if (logged) logged.identifier = 'mutated';
        expect((await storage.listDispatchLog())[0]).toEqual(logEntry(1));

        const record = { tags: ['a'] };
        await storage.putRecord('c', 'r', record);
        record.tags.push('after put');
        const gotRecord = await storage.getRecord<{ tags: string[] }>('c', 'r');
        gotRecord?.tags.push('after get');
        (await storage.listRecords<{ tags: string[] }>('c'))[0]?.tags.push('after list');
        expect(await storage.getRecord('c', 'r')).toEqual({ tags: ['a'] });

        await storage.appendRecordLog('s', { n: 1 }, 5);
        const [first] = await storage.listRecordLog<{ n: number }>('s');
        if (first) first.n = 99;
        expect(await storage.listRecordLog('s')).toEqual([{ n: 1 }]);
      }),
    );

    it(
      'lets exactly one of 50 concurrent claims of one key win',
      withSubject(async ({ storage }) => {
        const results = await Promise.all(range(0, 50).map(() => storage.claimOnce('token:abc')));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await storage.claimOnce('token:abc')).toBe(false);
        // Another key is another claim.
        expect(await storage.claimOnce('token:def')).toBe(true);
      }),
    );

    it(
      'lets a released claim be claimed again',
      withSubject(async ({ storage }) => {
        expect(await storage.claimOnce('lease')).toBe(true);
        expect(await storage.claimOnce('lease')).toBe(false);
        await storage.releaseClaim('lease');
        const results = await Promise.all(range(0, 20).map(() => storage.claimOnce('lease')));
        expect(results.filter(Boolean)).toHaveLength(1);
        await storage.releaseClaim('never-claimed');
      }),
    );

    it(
      'lets a claim with a ttl lapse, and one without a ttl live on',
      withSubject(async ({ storage }) => {
        expect(await storage.claimOnce('short', 150)).toBe(true);
        expect(await storage.claimOnce('forever')).toBe(true);
        expect(await storage.claimOnce('short', 150)).toBe(false);
        await sleep(300);
        expect(await storage.claimOnce('forever')).toBe(false);
        const results = await Promise.all(range(0, 20).map(() => storage.claimOnce('short', 10_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      }),
    );

    it(
      'loses no write when 100 jobs and 50 log entries are written concurrently',
      withSubject(async ({ storage }) => {
        const jobs = range(0, 100).map((i) => job(`job-${String(i).padStart(3, '0')}`));
        await Promise.all([
          ...jobs.map((j) => storage.putJob(j)),
          ...range(0, 50).map((i) => storage.appendDispatchLog(logEntry(i))),
          ...range(0, 50).map((i) => storage.appendRecordLog('events', i, 100)),
        ]);
        expect(byKey(await storage.listJobs(), 'id')).toEqual(jobs);
        expect((await storage.listDispatchLog()).map((e) => e.at).sort((a, b) => a - b)).toEqual(range(0, 50));
        expect((await storage.listRecordLog<number>('events')).sort((a, b) => a - b)).toEqual(range(0, 50));
      }),
    );

    it(
      'rejects calls once closed',
      withSubject(async ({ storage }) => {
        await storage.putJob(job('job-1'));
        await storage.close();
        await expect(storage.getJob('job-1')).rejects.toThrow(/closed/);
        await expect(storage.putJob(job('job-2'))).rejects.toThrow(/closed/);
        await expect(storage.claimOnce('k')).rejects.toThrow(/closed/);
      }),
    );

    if (features.durable) {
      it(
        'still holds everything after close and reopen',
        withSubject(async (subject, opened) => {
          const { storage } = subject;
          expect(subject.reopen, 'a durable subject must provide reopen').toBeDefined();
          await storage.putMapping(mapping('ENG'));
          await storage.putMapping(mapping('GONE'));
          await storage.deleteMapping('GONE');
          await storage.putJob(job('job-1'));
          await storage.putDedup(dedup('issue-a'));
          for (let i = 0; i < 3; i++) await storage.appendDispatchLog(logEntry(i));
          await storage.setSetting('runnerMode', 'shadow');
          await storage.setSetting('count', '7');
          await storage.putRecord('issues', 'a/b', { title: 'slash' });
          for (let i = 0; i < 4; i++) await storage.appendRecordLog('events', i, 3);
          expect(await storage.claimOnce('consumed')).toBe(true);
          expect(await storage.claimOnce('brief', 150)).toBe(true);
          await storage.close();

          const again = await (subject.reopen as () => Promise<Storage>)();
          opened.push(again);
          expect(await again.listMappings()).toEqual([mapping('ENG')]);
          expect(await again.getJob('job-1')).toEqual(job('job-1'));
          expect(await again.listDedup()).toEqual([dedup('issue-a')]);
          expect(await again.listDispatchLog()).toEqual([logEntry(2), logEntry(1), logEntry(0)]);
          expect(await again.getSetting('runnerMode')).toBe('shadow');
          expect(await again.getSetting('count')).toBe('7');
          expect(await again.getRecord('issues', 'a/b')).toEqual({ title: 'slash' });
          expect(await again.listRecordLog('events')).toEqual([1, 2, 3]);
          // A claim outlives the restart, and so does its expiry.
          expect(await again.claimOnce('consumed')).toBe(false);
          expect(await again.claimOnce('brief', 150)).toBe(false);
          await sleep(300);
          expect(await again.claimOnce('brief', 150)).toBe(true);
        }),
      );
    }

    if (features.shared) {
      it(
        'lets exactly one of two instances on one store win a claim',
        withSubject(async (subject, opened) => {
          expect(subject.twin, 'a shared subject must provide twin').toBeDefined();
          const other = await (subject.twin as () => Promise<Storage>)();
          opened.push(other);
          for (let round = 0; round < 5; round++) {
            const key = `leader:${round}`;
            const results = await Promise.all(
              range(0, 25).flatMap(() => [subject.storage.claimOnce(key, 5000), other.claimOnce(key, 5000)]),
            );
            expect(results.filter(Boolean)).toHaveLength(1);
          }
          // What one instance writes, the other reads.
          await subject.storage.putJob(job('job-1'));
          await other.appendDispatchLog(logEntry(1));
          expect(await other.getJob('job-1')).toEqual(job('job-1'));
          expect(await subject.storage.listDispatchLog()).toEqual([logEntry(1)]);
        }),
      );
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function byKey<T, K extends keyof T>(items: T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

function mapping(teamKey: string, extra: Partial<Mapping> = {}): Mapping {
  return {
    teamKey,
    ticketing: 'linear',
    forge: 'github',
    owner: 'acme',
    repo: `${teamKey.toLowerCase()}-service`,
    workflowFile: 'ai-implement.yml',
    defaultBranch: 'main',
    branchPrefix: 'ai/',
    maxInProgressAiIssues: 3,
    executionMode: 'github-actions',
    sessionMode: 'autonomous',
    machineCpus: 2,
    machineMemoryMb: 4096,
    planningEnabled: true,
    planningWorkflowFile: 'ai-plan.yml',
    autoApprovePlans: false,
    provider: 'anthropic',
    extraEnv: { FOO: 'bar' },
    paused: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...extra,
  };
}

function job(id: string, extra: Partial<Job> = {}): Job {
  return {
    id,
    issueId: `issue-${id}`,
    identifier: 'ENG-1',
    teamKey: 'ENG',
    owner: 'acme',
    repo: 'eng-service',
    phase: 'planning',
    status: 'dispatched',
    dispatchNumber: 1,
    runner: 'github-actions',
    dispatchedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...extra,
  };
}

function dedup(issueId: string, extra: Partial<DedupEntry> = {}): DedupEntry {
  return {
    issueId,
    identifier: 'ENG-2',
    title: `Issue ${issueId}`,
    teamKey: 'ENG',
    phase: 'planning',
    dispatchedAt: 1_700_000_000_000,
    ...extra,
  };
}

function logEntry(n: number): DispatchLogEntry {
  return {
    id: `log-${n}`,
    at: n,
    jobId: `job-${n}`,
    issueId: `issue-${n}`,
    identifier: `ENG-${n}`,
    teamKey: 'ENG',
    owner: 'acme',
    repo: 'eng-service',
    phase: 'implementation',
    runner: 'shadow',
    dispatchNumber: 1,
  };
}
