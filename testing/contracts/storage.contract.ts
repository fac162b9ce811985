import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importJsonStore } from '../../adapters/storage/json-import.js';
import type { SnapshotImport } from '../../adapters/storage/snapshot.js';
import type { Job } from '../../core/domain/model.js';
import { collection, DISPATCH_LOG_LIMIT, type Storage, StorageError, stream } from '../../ports/storage.port.js';
import type { RunUsageRecord } from '../../ports/usage-store.port.js';
import { operationsEventsContract } from './operations-events.contract.js';
import {
  byKey,
  dedup,
  dispatch,
  job,
  legacyJsonStore,
  logEntry,
  mapping,
  range,
  type StepEvent,
  steps,
  type TestClock,
  testClock,
} from './storage-fixtures.js';

export type ContractStorage = Storage & SnapshotImport;

/** One store under test, fresh for every test, on the clock the contract hands it. */
export interface StorageSubject {
  storage: ContractStorage;
  /** Opens the same location again; called only after `storage` is closed. */
  reopen?: () => Promise<ContractStorage>;
  /** Opens another live instance on the same location, as a second replica (process) would. */
  twin?: () => Promise<ContractStorage>;
  /** Removes what the subject left behind (files, keys, schemas); runs after every Storage is closed. */
  cleanup?: () => Promise<void>;
}

export interface StorageFeatures {
  /** The store keeps its data across close and reopen (`reopen` must be given). */
  durable?: boolean;
  /** Separate instances on one location are atomic together (`twin` must be given). */
  shared?: boolean;
}

interface Pull {
  number: number;
  state: 'open' | 'merged';
  labels: string[];
}
const pulls = collection<Pull>('pulls');

/**
 * The Storage port's contract (ports/storage.port.ts), run against every adapter. Tests that
 * need a capability an adapter does not have (durability, sharing between instances) are not
 * registered for it at all, so the report never shows a pass that proved nothing.
 */
export function storageContract(
  name: string,
  make: (now: () => number) => Promise<StorageSubject>,
  features: StorageFeatures = {},
): void {
  /** Runs `body` on a fresh subject and closes whatever it opened, pass or fail. */
  const withSubject =
    (body: (subject: StorageSubject & { clock: TestClock }, opened: ContractStorage[]) => Promise<void>) => async () => {
      const clock = testClock();
      const subject = await make(clock.now);
      const opened: ContractStorage[] = [subject.storage];
      try {
        await body({ ...subject, clock }, opened);
      } finally {
        for (const storage of opened) await storage.close();
        await subject.cleanup?.();
      }
    };
  const openTwin = async (subject: StorageSubject, opened: ContractStorage[]) => {
    expect(subject.twin, 'a shared subject must provide twin').toBeDefined();
    const other = await (subject.twin as () => Promise<ContractStorage>)();
    opened.push(other);
    return other;
  };

  describe(`${name} satisfies Storage`, () => {
    it(
      'round-trips mappings: put, get, list, replace, delete',
      withSubject(async ({ storage }) => {
        expect(await storage.mappings.list()).toEqual([]);
        expect(await storage.mappings.get('ENG')).toBeUndefined();
        const eng = mapping('ENG');
        const ops = mapping('OPS', { jql: 'project = OPS', awsRegion: 'eu-west-1', maxTurns: 10 } as never);
        await storage.mappings.put(ops);
        await storage.mappings.put(eng);
        expect(await storage.mappings.get('ENG')).toEqual(eng);
        expect(byKey(await storage.mappings.list(), 'teamKey')).toEqual([eng, ops]);

        const paused = { ...eng, paused: true, maxInProgressAiIssues: 7, updatedAt: eng.updatedAt + 1 };
        await storage.mappings.put(paused);
        expect(await storage.mappings.get('ENG')).toEqual(paused);
        expect(await storage.mappings.list()).toHaveLength(2);

        expect(await storage.mappings.delete('ENG')).toBe(true);
        expect(await storage.mappings.get('ENG')).toBeUndefined();
        expect(await storage.mappings.list()).toEqual([ops]);
        expect(await storage.mappings.delete('ENG')).toBe(false);
        expect(await storage.mappings.delete('NOPE')).toBe(false);
      }),
    );

    it(
      'round-trips jobs and replaces a job put again under its id',
      withSubject(async ({ storage }) => {
        expect(await storage.jobs.list()).toEqual([]);
        const first = job('job-1');
        const second = job('job-2', { phase: 'implementation', runId: '77', runUrl: 'https://example.test/run/77' });
        await storage.jobs.put(first);
        await storage.jobs.put(second);
        expect(await storage.jobs.get('job-1')).toEqual(first);
        expect(await storage.jobs.get('job-3')).toBeUndefined();
        expect(byKey(await storage.jobs.list(), 'id')).toEqual([first, second]);

        const done = { ...first, status: 'timed_out' as const, timedOutReason: 'run_not_found' as const, updatedAt: 9 };
        await storage.jobs.put(done);
        expect(await storage.jobs.get('job-1')).toEqual(done);
        expect(byKey(await storage.jobs.list(), 'id')).toEqual([done, second]);

        expect(await storage.jobs.delete('job-1')).toBe(true);
        expect(await storage.jobs.delete('job-1')).toBe(false);
        expect(await storage.jobs.delete('never')).toBe(false);
        expect(await storage.jobs.get('job-1')).toBeUndefined();
        expect(await storage.jobs.list()).toEqual([second]);
      }),
    );

    it(
      'lists jobs newest dispatch first, narrowed by every filter, cut at the limit, and counts them',
      withSubject(async ({ storage }) => {
        const t = 1_700_000_000_000;
        const jobs: Job[] = [
          job('a', { status: 'running', dispatchedAt: t + 3, updatedAt: t + 30, issueId: 'i1', teamKey: 'ENG' }),
          job('b', { status: 'completed', dispatchedAt: t + 1, updatedAt: t + 10, issueId: 'i1', teamKey: 'ENG' }),
          job('c', {
            status: 'failed',
            dispatchedAt: t + 5,
            updatedAt: t + 50,
            issueId: 'i2',
            teamKey: 'OPS',
            identifier: 'OPS-7',
          }),
          job('d', {
            status: 'running',
            dispatchedAt: t + 4,
            updatedAt: t + 40,
            issueId: 'i3',
            teamKey: 'OPS',
            phase: 'implementation',
          }),
          // Same dispatch time as `d`: the id breaks the tie.
          job('e', { status: 'dispatched', dispatchedAt: t + 4, updatedAt: t + 20, issueId: 'i3', teamKey: 'ENG' }),
        ];
        for (const j of jobs) await storage.jobs.put(j);
        const ids = async (q?: Parameters<Storage['jobs']['list']>[0]) => (await storage.jobs.list(q)).map((j) => j.id);

        expect(await ids()).toEqual(['c', 'd', 'e', 'a', 'b']);
        expect(await ids({ limit: 2 })).toEqual(['c', 'd']);
        expect(await ids({ limit: 0 })).toEqual([]);
        expect(await ids({ statuses: ['running'] })).toEqual(['d', 'a']);
        expect(await ids({ statuses: ['running', 'dispatched'] })).toEqual(['d', 'e', 'a']);
        expect(await ids({ statuses: [] })).toEqual([]);
        expect(await ids({ issueId: 'i1' })).toEqual(['a', 'b']);
        expect(await ids({ identifier: 'ops-7' })).toEqual(['c']);
        expect(await ids({ identifier: 'ENG-1', limit: 1 })).toEqual(['d']);
        expect(await ids({ identifier: 'ENG-2' })).toEqual([]);
        expect(await ids({ teamKey: 'OPS' })).toEqual(['c', 'd']);
        expect(await ids({ phase: 'implementation' })).toEqual(['d']);
        expect(await ids({ updatedBefore: t + 30 })).toEqual(['e', 'b']);
        expect(await ids({ teamKey: 'ENG', statuses: ['running', 'completed', 'dispatched'], limit: 2 })).toEqual(['e', 'a']);
        expect(await ids({ issueIds: ['i1', 'i3'] })).toEqual(['d', 'e', 'a', 'b']);
        expect(await ids({ issueIds: [] })).toEqual([]);
        expect(await ids({ newestOfIssueAmong: ['planning'] })).toEqual(['c', 'e', 'a']);
        // `d` and `e` (one issue) were dispatched in the same millisecond: both are newest.
        expect(await ids({ newestOfIssueAmong: ['planning', 'implementation'] })).toEqual(['c', 'd', 'e', 'a']);
        expect(await ids({ newestOfIssueAmong: ['planning'], statuses: ['completed'] })).toEqual([]);
        expect(await ids({ newestOfIssueAmong: [] })).toEqual([]);

        expect(await storage.jobs.count()).toBe(5);
        expect(await storage.jobs.count({ statuses: ['running'] })).toBe(2);
        expect(await storage.jobs.count({ teamKey: 'ENG', updatedBefore: t + 25 })).toBe(2);
        expect(await storage.jobs.count({ issueId: 'nobody' })).toBe(0);
        const tally = await storage.jobs.tally();
        expect(tally.reduce((sum, row) => sum + row.count, 0)).toBe(5);
        for (const row of tally) expect(row.count).toBe(await storage.jobs.count({ phase: row.phase, statuses: [row.status] }));
      }),
    );

    it(
      'tallies jobs by phase and status through every kind of write',
      withSubject(async ({ storage }) => {
        const tally = async () =>
          Object.fromEntries(
            (await storage.jobs.tally())
              .map((r) => [`${r.phase}/${r.status}`, r.count] as const)
              .sort(([a], [b]) => (a < b ? -1 : 1)),
          );
        expect(await tally()).toEqual({});
        await storage.jobs.put(job('a'));
        await storage.jobs.put(job('a', { updatedAt: 1_700_000_000_005 })); // same phase and status
        await storage.jobs.put(job('b', { phase: 'implementation', status: 'running' }));
        expect(await storage.recordDispatch(dispatch('c', 'dispatch:c'))).toBe('recorded');
        expect(await tally()).toEqual({ 'implementation/running': 1, 'planning/dispatched': 2 });

        await storage.jobs.put(job('a', { status: 'running' }));
        expect(await storage.jobs.updateIf(job('b', { phase: 'implementation', status: 'completed' }), ['running'])).toBe(true);
        expect(await storage.jobs.updateIf(job('c', { status: 'failed' }), ['running'])).toBe(false);
        expect(await tally()).toEqual({ 'implementation/completed': 1, 'planning/dispatched': 1, 'planning/running': 1 });

        expect(await storage.jobs.delete('c')).toBe(true);
        expect(await storage.jobs.delete('c')).toBe(false);
        // A dispatch that writes nothing (its issue has a job in flight) counts nothing.
        expect(await storage.recordDispatch(dispatch('d', 'dispatch:d', { job: job('d', { issueId: 'issue-a' }) }))).toBe(
          'in-flight',
        );
        expect(await tally()).toEqual({ 'implementation/completed': 1, 'planning/running': 1 });
        for (const id of ['a', 'b']) await storage.jobs.delete(id);
        expect(await tally()).toEqual({});
      }),
    );

    it(
      'tallies the jobs an import wrote, and none of an import that failed part-way',
      withSubject(async ({ storage }) => {
        const snapshot = {
          mappings: [],
          jobs: [job('x', { status: 'completed' }), job('y', { status: 'completed' }), job('z', { phase: 'gap-analysis' })],
          dedup: [],
          dispatchLog: [],
          settings: [],
          claims: [],
          documents: [{ collection: 'c', id: 'x', value: { big: 1n } }],
          streams: [],
        };
        await expect(storage.importSnapshot(snapshot)).rejects.toThrow(StorageError);
        expect(await storage.jobs.tally()).toEqual([]);
        await storage.importSnapshot({ ...snapshot, documents: [] });
        const tally = (await storage.jobs.tally()).sort((a, b) => a.count - b.count);
        expect(tally).toEqual([
          { phase: 'gap-analysis', status: 'dispatched', count: 1 },
          { phase: 'planning', status: 'completed', count: 2 },
        ]);
      }),
    );

    it(
      'lists the jobs that opened a pull request, or those that did not, also among the newest of each issue',
      withSubject(async ({ storage }) => {
        const t = 1_700_000_000_000;
        await storage.jobs.put(job('p1', { issueId: 'i1', phase: 'planning', status: 'completed', dispatchedAt: t }));
        await storage.jobs.put(
          job('p2', {
            issueId: 'i1',
            phase: 'implementation',
            status: 'completed',
            dispatchedAt: t + 1,
            prUrl: 'https://x/pr/1',
            prNumber: 1,
          }),
        );
        await storage.jobs.put(job('p3', { issueId: 'i2', phase: 'implementation', status: 'completed', dispatchedAt: t + 2 }));
        await storage.jobs.put(job('p4', { issueId: 'i2', phase: 'gap-analysis', status: 'failed', dispatchedAt: t + 3 }));
        const ids = async (q?: Parameters<Storage['jobs']['list']>[0]) => (await storage.jobs.list(q)).map((j) => j.id);
        expect(await ids({ openedPullRequest: true })).toEqual(['p2']);
        expect(await ids({ openedPullRequest: false })).toEqual(['p4', 'p3', 'p1']);
        const among = ['planning', 'implementation'] as const;
        expect(await ids({ newestOfIssueAmong: among, openedPullRequest: false, statuses: ['completed'] })).toEqual(['p3']);
        expect(await storage.jobs.count({ newestOfIssueAmong: among })).toBe(2);
      }),
    );
    it(
      'finds the jobs that ran on a machine: its machineId, or the runId of a Fly Machines job, newest first',
      withSubject(async ({ storage }) => {
        const t = 1_700_000_000_000;
        const fly = { runner: 'fly-machines' as const };
        await storage.jobs.put(job('m1', { ...fly, machineId: 'mach-a', runId: 'mach-a', dispatchedAt: t }));
        await storage.jobs.put(job('m2', { ...fly, runId: 'mach-b', dispatchedAt: t + 1 }));
        // Another runner's runId is not a machine.
        await storage.jobs.put(job('m3', { runner: 'github-actions', runId: 'mach-b', dispatchedAt: t + 2 }));
        await storage.jobs.put(job('m4', { runner: 'local', machineId: 'mach-b', dispatchedAt: t + 3 }));
        await storage.jobs.put(job('m5', { machineId: 'mach-a', status: 'failed', dispatchedAt: t + 4 }));
        await storage.jobs.put(job('m6', { dispatchedAt: t + 5 }));
        const ids = async (q?: Parameters<Storage['jobs']['list']>[0]) => (await storage.jobs.list(q)).map((j) => j.id);

        expect(await ids({ machine: 'mach-a' })).toEqual(['m5', 'm1']);
        expect(await ids({ machine: 'mach-b' })).toEqual(['m4', 'm2']);
        expect(await ids({ machine: 'mach-b', limit: 1 })).toEqual(['m4']);
        expect(await ids({ machine: 'mach-a', statuses: ['dispatched'] })).toEqual(['m1']);
        expect(await ids({ machine: 'nowhere' })).toEqual([]);
        expect(await storage.jobs.count({ machine: 'mach-a' })).toBe(2);

        // A job that moves to another machine is found by its new one only.
        const moved = { ...job('m2', { ...fly, runId: 'mach-c', dispatchedAt: t + 1 }), status: 'running' as const };
        expect(await storage.jobs.updateIf(moved, ['dispatched'])).toBe(true);
        expect(await ids({ machine: 'mach-b' })).toEqual(['m4']);
        expect(await ids({ machine: 'mach-c' })).toEqual(['m2']);
        // …and a deleted one by none.
        await storage.jobs.delete('m4');
        expect(await ids({ machine: 'mach-b' })).toEqual([]);
      }),
    );

    it(
      'compare-and-sets a job: only from an expected status, and a stale writer never overwrites a terminal one',
      withSubject(async ({ storage }) => {
        const dispatched = job('job-1');
        await storage.jobs.put(dispatched);
        const running = { ...dispatched, status: 'running' as const, runId: '9', updatedAt: dispatched.updatedAt + 1 };
        expect(await storage.jobs.updateIf(running, ['dispatched'])).toBe(true);
        expect(await storage.jobs.get('job-1')).toEqual(running);

        const completed = { ...running, status: 'completed' as const, prNumber: 3, updatedAt: running.updatedAt + 1 };
        expect(await storage.jobs.updateIf(completed, ['dispatched', 'running'])).toBe(true);
        // A late `started` from the runner still believes the job is dispatched.
        const stale = { ...dispatched, status: 'running' as const, updatedAt: completed.updatedAt + 5 };
        expect(await storage.jobs.updateIf(stale, ['dispatched'])).toBe(false);
        expect(await storage.jobs.updateIf(stale, [])).toBe(false);
        expect(await storage.jobs.get('job-1')).toEqual(completed);
        expect(await storage.jobs.list({ statuses: ['running'] })).toEqual([]);

        expect(await storage.jobs.updateIf(job('missing'), ['dispatched'])).toBe(false);
        expect(await storage.jobs.get('missing')).toBeUndefined();
      }),
    );

    it(
      'lets exactly one of 50 concurrent compare-and-sets from one status win',
      withSubject(async ({ storage }) => {
        await storage.jobs.put(job('job-1'));
        const attempts = range(0, 50).map((i) => ({ ...job('job-1'), status: 'failed' as const, error: `writer ${i}` }));
        const results = await Promise.all(attempts.map((next) => storage.jobs.updateIf(next, ['dispatched'])));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = attempts[results.indexOf(true)];
        expect(await storage.jobs.get('job-1')).toEqual(winner);
      }),
    );

    it(
      'round-trips the dedup ledger, removes from it, and drops entries older than a cutoff in one call',
      withSubject(async ({ storage }) => {
        expect(await storage.dedup.list()).toEqual([]);
        const a = dedup('issue-a', { dispatchedAt: 1000 });
        const b = dedup('issue-b', { phase: 'implementation', dispatchedAt: 2000 });
        const c = dedup('issue-c', { dispatchedAt: 3000 });
        for (const e of [c, a, b]) await storage.dedup.put(e);
        expect(byKey(await storage.dedup.list(), 'issueId')).toEqual([a, b, c]);

        const again = { ...a, dispatchedAt: 1500 };
        await storage.dedup.put(again);
        expect(byKey(await storage.dedup.list(), 'issueId')).toEqual([again, b, c]);

        expect(await storage.dedup.removeBefore(2000)).toBe(1);
        expect(byKey(await storage.dedup.list(), 'issueId')).toEqual([b, c]);
        expect(await storage.dedup.removeBefore(2000)).toBe(0);

        expect(await storage.dedup.remove('issue-b')).toBe(true);
        expect(await storage.dedup.remove('issue-b')).toBe(false);
        expect(await storage.dedup.remove('never')).toBe(false);
        expect(await storage.dedup.removeBefore(10_000)).toBe(1);
        expect(await storage.dedup.list()).toEqual([]);
      }),
    );

    it(
      'keeps settings as the exact strings set, and unsets them with undefined',
      withSubject(async ({ storage }) => {
        expect(await storage.settings.get('runnerMode')).toBeUndefined();
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
        for (const [key, value] of Object.entries(values)) await storage.settings.set(key, value);
        for (const [key, value] of Object.entries(values)) expect(await storage.settings.get(key)).toBe(value);

        await storage.settings.set('runnerMode', 'local');
        expect(await storage.settings.get('runnerMode')).toBe('local');
        await storage.settings.set('runnerMode', undefined);
        expect(await storage.settings.get('runnerMode')).toBeUndefined();
        await storage.settings.set('never-set', undefined);
        expect(await storage.settings.get('never-set')).toBeUndefined();
      }),
    );

    it(
      'round-trips typed documents per collection, with any id, listed in id order',
      withSubject(async ({ storage }) => {
        expect(await storage.documents.list(pulls)).toEqual([]);
        expect(await storage.documents.get(pulls, 'x')).toBeUndefined();
        // Ids a key-value store might rewrite: slashes, dots, queries, a trailing `$`, unicode.
        // The last two sort one way by UTF-16 code units and the other by code points (the port's order).
        const ids = [
          'ENG-1',
          'a/b\\c',
          '..',
          '.',
          'q?x=1',
          'end$',
          'with space',
          'ünï',
          '*',
          '%41',
          'a:b',
          '\u{ff01}',
          '\u{1f600}',
        ];
        const pull = (n: number): Pull => ({ number: n, state: n % 2 ? 'open' : 'merged', labels: [`l${n}`] });
        for (const [n, id] of ids.entries()) await storage.documents.put(pulls, id, pull(n));
        const other = collection<string>('pulls-other');
        await storage.documents.put(other, 'ENG-1', 'other collection');
        const numbers = collection<number | string>('numbers');
        await storage.documents.put(numbers, 'one', 1);
        await storage.documents.put(numbers, 'text', '42');

        for (const [n, id] of ids.entries()) expect(await storage.documents.get(pulls, id)).toEqual(pull(n));
        const inIdOrder = [...ids.entries()]
          .sort(([, a], [, b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
          .map(([n]) => pull(n));
        expect(await storage.documents.list(pulls)).toEqual(inIdOrder);
        expect(await storage.documents.list(other)).toEqual(['other collection']);
        expect(await storage.documents.get(numbers, 'one')).toBe(1);
        expect(await storage.documents.get(numbers, 'text')).toBe('42');

        await storage.documents.put(pulls, 'ENG-1', { number: 99, state: 'merged', labels: [] });
        expect(await storage.documents.get(pulls, 'ENG-1')).toEqual({ number: 99, state: 'merged', labels: [] });
        expect(await storage.documents.delete(pulls, 'ENG-1')).toBe(true);
        expect(await storage.documents.get(pulls, 'ENG-1')).toBeUndefined();
        expect(await storage.documents.delete(pulls, 'ENG-1')).toBe(false);
        expect(await storage.documents.delete(collection('nowhere'), 'x')).toBe(false);
        expect(await storage.documents.list(pulls)).toHaveLength(ids.length - 1);
        expect(await storage.documents.list(other)).toEqual(['other collection']);
      }),
    );

    it(
      'keeps the newest `keep` entries of each stream, oldest first, and pages the newest',
      withSubject(async ({ storage }) => {
        const events = steps('job-1');
        const audit = stream<string>('audit');
        expect(await storage.streams.list(events)).toEqual([]);
        const event = (i: number): StepEvent => ({ step: `s${i}`, ok: i % 2 === 0, at: i });
        for (let i = 0; i < 25; i++) await storage.streams.append(events, event(i), 10);
        await storage.streams.append(audit, 'only', 10);
        expect(await storage.streams.list(events)).toEqual(range(15, 25).map(event));
        expect(await storage.streams.list(events, { limit: 3 })).toEqual(range(22, 25).map(event));
        expect(await storage.streams.list(events, { limit: 50 })).toEqual(range(15, 25).map(event));
        expect(await storage.streams.list(audit)).toEqual(['only']);
        // A smaller keep trims what is there.
        await storage.streams.append(events, event(25), 2);
        expect(await storage.streams.list(events)).toEqual([event(24), event(25)]);

        expect(await storage.streams.delete(events)).toBe(true);
        expect(await storage.streams.delete(events)).toBe(false);
        expect(await storage.streams.delete(stream('never'))).toBe(false);
        expect(await storage.streams.list(events)).toEqual([]);
        expect(await storage.streams.list(audit)).toEqual(['only']);
        await storage.streams.append(events, event(99), 10);
        expect(await storage.streams.list(events)).toEqual([event(99)]);
      }),
    );

    it(
      'answers point reads and appends made at the same moment each with its own result, appends in call order',
      withSubject(async ({ storage }) => {
        const runs = collection<{ run: number }>('runs-together');
        const steering = collection<string>('steering-together');
        await Promise.all([job('job-1'), job('job-2'), job('job-3')].map((j) => storage.jobs.put(j)));
        await Promise.all([storage.documents.put(runs, 'job-1', { run: 1 }), storage.documents.put(steering, 'job-1', 'stop')]);
        const reads = await Promise.all([
          storage.jobs.get('job-2'),
          storage.jobs.get('job-404'),
          storage.jobs.get('job-1'),
          storage.jobs.get('job-2'),
          storage.documents.get(runs, 'job-1'),
          storage.documents.get(steering, 'job-1'),
          storage.documents.get(runs, 'job-2'),
          storage.documents.get(steering, 'job-404'),
        ]);
        expect(reads).toEqual([job('job-2'), undefined, job('job-1'), job('job-2'), { run: 1 }, 'stop', undefined, undefined]);

        const event = (i: number): StepEvent => ({ step: `s${i}`, ok: true, at: i });
        const streams = ['a', 'b', 'c'].map((n) => steps(`together-${n}`));
        await Promise.all(
          range(0, 30).map((i) => storage.streams.append(streams[i % 3] as (typeof streams)[number], event(i), 4)),
        );
        for (const [n, s] of streams.entries())
          expect(await storage.streams.list(s)).toEqual(
            range(18, 30)
              .filter((i) => i % 3 === n)
              .map(event),
          );
      }),
    );

    it(
      `keeps the newest ${DISPATCH_LOG_LIMIT} dispatch log entries, newest first, in pages`,
      withSubject(async ({ storage }) => {
        expect(await storage.dispatchLog.list()).toEqual([]);
        const total = DISPATCH_LOG_LIMIT + 20;
        for (let i = 0; i < total; i++) await storage.dispatchLog.append(logEntry(i));
        const log = await storage.dispatchLog.list();
        expect(log).toHaveLength(DISPATCH_LOG_LIMIT);
        expect(log.map((e) => e.at)).toEqual(range(20, total).reverse());
        expect(log[0]).toEqual(logEntry(total - 1));
        expect((await storage.dispatchLog.list({ limit: 3 })).map((e) => e.at)).toEqual([total - 1, total - 2, total - 3]);
        expect((await storage.dispatchLog.list({ limit: 2, offset: 10 })).map((e) => e.at)).toEqual([total - 11, total - 12]);
        expect((await storage.dispatchLog.list({ offset: DISPATCH_LOG_LIMIT - 1 })).map((e) => e.at)).toEqual([20]);
        expect(await storage.dispatchLog.list({ offset: DISPATCH_LOG_LIMIT })).toEqual([]);
      }),
    );

    it(
      'never hands out or keeps a live reference',
      withSubject(async ({ storage }) => {
        const put = mapping('ENG');
        await storage.mappings.put(put);
        put.extraEnv.INJECTED = 'after put';
        const got = await storage.mappings.get('ENG');
        expect(got?.extraEnv).toEqual({ FOO: 'bar' });
        if (got) got.extraEnv.CHANGED = 'yes';
        const [listed] = await storage.mappings.list();
        if (listed) listed.owner = 'mutated';
        expect(await storage.mappings.get('ENG')).toEqual(mapping('ENG'));

        const j = job('job-1');
        await storage.jobs.put(j);
        j.status = 'failed';
        const [listedJob] = await storage.jobs.list();
        if (listedJob) listedJob.status = 'failed';
        expect((await storage.jobs.get('job-1'))?.status).toBe('dispatched');

        await storage.dedup.put(dedup('issue-a'));
        const [entry] = await storage.dedup.list();
        if (entry) entry.title = 'mutated';
        expect((await storage.dedup.list())[0]?.title).toBe('Issue issue-a');

        await storage.dispatchLog.append(logEntry(1));
        const [logged] = await storage.dispatchLog.list();
        if (logged) logged.identifier = 'mutated';
        expect((await storage.dispatchLog.list())[0]).toEqual(logEntry(1));

        const doc: Pull = { number: 1, state: 'open', labels: ['a'] };
        await storage.documents.put(pulls, 'r', doc);
        doc.labels.push('after put');
        (await storage.documents.get(pulls, 'r'))?.labels.push('after get');
        (await storage.documents.list(pulls))[0]?.labels.push('after list');
        expect(await storage.documents.get(pulls, 'r')).toEqual({ number: 1, state: 'open', labels: ['a'] });

        const event = { step: 'plan', ok: true, at: 1 };
        await storage.streams.append(steps('s'), event, 5);
        event.ok = false;
        const [first] = await storage.streams.list(steps('s'));
        if (first) first.at = 99;
        expect(await storage.streams.list(steps('s'))).toEqual([{ step: 'plan', ok: true, at: 1 }]);

        const lease = await storage.leases.acquire('reconcile', 'node-a', 1000);
        if (lease) lease.fence = 99;
        expect((await storage.leases.current('reconcile'))?.fence).not.toBe(99);
      }),
    );

    it(
      'lets exactly one of 50 concurrent claims of one key win, and a released claim be claimed again',
      withSubject(async ({ storage }) => {
        const results = await Promise.all(range(0, 50).map(() => storage.claims.claimOnce('token:abc')));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await storage.claims.claimOnce('token:abc')).toBe(false);
        expect(await storage.claims.claimOnce('token:def')).toBe(true);

        await storage.claims.release('token:abc');
        const again = await Promise.all(range(0, 20).map(() => storage.claims.claimOnce('token:abc')));
        expect(again.filter(Boolean)).toHaveLength(1);
        await storage.claims.release('never-claimed');
      }),
    );

    it(
      'lets a claim with a ttl lapse on the clock, and one without a ttl live on',
      withSubject(async ({ storage, clock }) => {
        expect(await storage.claims.claimOnce('short', 150)).toBe(true);
        expect(await storage.claims.claimOnce('forever')).toBe(true);
        clock.advance(149);
        expect(await storage.claims.claimOnce('short', 150)).toBe(false);
        clock.advance(1);
        expect(await storage.claims.claimOnce('forever')).toBe(false);
        const results = await Promise.all(range(0, 20).map(() => storage.claims.claimOnce('short', 10_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
        clock.advance(1_000_000_000);
        expect(await storage.claims.claimOnce('forever')).toBe(false);
        await expect(storage.claims.claimOnce('bad', 0)).rejects.toThrow(RangeError);
      }),
    );

    it(
      'counts atomically: 100 concurrent next() return 1..100 without a duplicate',
      withSubject(async ({ storage }) => {
        const values = await Promise.all(range(0, 100).map(() => storage.counters.next('dispatch')));
        expect([...values].sort((a, b) => a - b)).toEqual(range(1, 101));
        expect(await storage.counters.next('dispatch')).toBe(101);
        expect(await storage.counters.next('other')).toBe(1);
      }),
    );

    it(
      'holds a lease exclusively, hands a lapsed one to another owner with a higher fence, and frees it on release',
      withSubject(async ({ storage, clock }) => {
        expect(await storage.leases.current('reconcile')).toBeUndefined();
        const a = await storage.leases.acquire('reconcile', 'node-a', 1000);
        expect(a).toEqual({ name: 'reconcile', owner: 'node-a', fence: expect.any(Number), expiresAt: clock.now() + 1000 });
        if (!a) return;
        expect(await storage.leases.acquire('reconcile', 'node-b', 1000)).toBeUndefined();
        expect(await storage.leases.current('reconcile')).toEqual(a);
        // Another lease name is another lease.
        expect(await storage.leases.acquire('reaper', 'node-b', 1000)).toMatchObject({ owner: 'node-b' });

        clock.advance(600);
        const renewed = await storage.leases.renew(a, 1000);
        expect(renewed).toEqual({ ...a, expiresAt: clock.now() + 1000 });
        clock.advance(600);
        expect(await storage.leases.acquire('reconcile', 'node-b', 1000)).toBeUndefined();

        clock.advance(400);
        expect(await storage.leases.current('reconcile')).toBeUndefined();
        const b = await storage.leases.acquire('reconcile', 'node-b', 1000);
        expect(b?.owner).toBe('node-b');
        expect(b?.fence).toBeGreaterThan(a.fence);
        // The old holder woke up: it cannot renew, release or re-take what it lost.
        expect(await storage.leases.renew(a, 1000)).toBeUndefined();
        await storage.leases.release(a);
        expect(await storage.leases.current('reconcile')).toEqual(b);
        expect(await storage.leases.acquire('reconcile', 'node-a', 1000)).toBeUndefined();

        if (!b) return;
        await storage.leases.release(b);
        expect(await storage.leases.current('reconcile')).toBeUndefined();
        expect(await storage.leases.renew(b, 1000)).toBeUndefined();
        const c = await storage.leases.acquire('reconcile', 'node-a', 1000);
        expect(c?.fence).toBeGreaterThan(b.fence);
      }),
    );

    it(
      'lets the same owner re-acquire its lease at once: a live one keeps its fence, a lapsed one gets a new fence',
      withSubject(async ({ storage, clock }) => {
        const first = await storage.leases.acquire('watcher', 'node-a', 1000);
        if (!first) throw new Error('the first acquire must succeed');
        clock.advance(500);
        // A restarted node (same owner) takes its own live lease without waiting for the ttl.
        const again = await storage.leases.acquire('watcher', 'node-a', 1000);
        expect(again).toEqual({ ...first, expiresAt: clock.now() + 1000 });
        clock.advance(5000);
        const later = await storage.leases.acquire('watcher', 'node-a', 1000);
        expect(later?.fence).toBeGreaterThan(first.fence);
        expect(await storage.leases.renew(first, 1000)).toBeUndefined();
      }),
    );

    it(
      'lets exactly one of 20 concurrent owners take a free lease',
      withSubject(async ({ storage }) => {
        const results = await Promise.all(range(0, 20).map((i) => storage.leases.acquire('singleton', `node-${i}`, 5000)));
        const held = results.filter((r) => r !== undefined);
        expect(held).toHaveLength(1);
        expect(await storage.leases.current('singleton')).toEqual(held[0]);
      }),
    );

    it(
      'records a dispatch whole: claim, job, dedup entry and log entry together',
      withSubject(async ({ storage, clock }) => {
        const d = dispatch('job-1', 'dispatch:issue-job-1:planning');
        expect(await storage.recordDispatch(d)).toBe('recorded');
        expect(await storage.jobs.get('job-1')).toEqual(d.job);
        expect(await storage.dedup.list()).toEqual([d.dedup]);
        expect(await storage.dispatchLog.list()).toEqual([d.log]);
        expect(await storage.claims.claimOnce(d.claimKey)).toBe(false);

        // The claim is held: a second dispatch under it writes nothing at all.
        const rival = dispatch('job-2', d.claimKey);
        expect(await storage.recordDispatch(rival)).toBe('claimed');
        expect(await storage.jobs.get('job-2')).toBeUndefined();
        expect(await storage.dedup.list()).toEqual([d.dedup]);
        expect(await storage.dispatchLog.list()).toEqual([d.log]);

        // Once the claim lapses it may be taken again.
        clock.advance(d.claimTtlMs);
        expect(await storage.recordDispatch(rival)).toBe('recorded');
        expect((await storage.dispatchLog.list()).map((e) => e.jobId)).toEqual(['job-2', 'job-1']);
      }),
    );

    it(
      'refuses a dispatch while a job of the same issue and phase is in flight, whatever its claim',
      withSubject(async ({ storage }) => {
        const first = dispatch('job-1', 'dispatch:issue-1:implementation:1', {
          job: job('job-1', { issueId: 'issue-1', phase: 'implementation', status: 'running' }),
        });
        expect(await storage.recordDispatch(first)).toBe('recorded');
        const second = dispatch('job-2', 'dispatch:issue-1:implementation:2', {
          job: job('job-2', { issueId: 'issue-1', phase: 'implementation', dispatchNumber: 2 }),
        });
        expect(await storage.recordDispatch(second)).toBe('in-flight');
        expect(await storage.jobs.get('job-2')).toBeUndefined();
        expect(await storage.claims.claimOnce(second.claimKey)).toBe(true);
        await storage.claims.release(second.claimKey);
        // Another phase of the issue is not held back by it; a finished job holds back nothing.
        const planning = dispatch('job-3', 'dispatch:issue-1:planning:1', { job: job('job-3', { issueId: 'issue-1' }) });
        expect(await storage.recordDispatch(planning)).toBe('recorded');
        expect(await storage.jobs.updateIf({ ...first.job, status: 'failed' }, ['running'])).toBe(true);
        expect(await storage.recordDispatch(second)).toBe('recorded');
      }),
    );

    it(
      'lets exactly one of 50 concurrent dispatches under one claim record, and the others write nothing',
      withSubject(async ({ storage }) => {
        const attempts = range(0, 50).map((i) => dispatch(`job-${i}`, 'dispatch:one'));
        const results = await Promise.all(attempts.map((d) => storage.recordDispatch(d)));
        expect(results.filter((r) => r === 'recorded')).toHaveLength(1);
        expect(results.filter((r) => r === 'claimed')).toHaveLength(49);
        const winner = attempts[results.indexOf('recorded')];
        expect(await storage.jobs.list()).toEqual([winner?.job]);
        expect(await storage.dedup.list()).toEqual([winner?.dedup]);
        expect(await storage.dispatchLog.list()).toEqual([winner?.log]);
      }),
    );

    it(
      'writes nothing for a dispatch fenced off by a lost lease, and commits one carrying the live fence',
      withSubject(async ({ storage, clock }) => {
        const a = await storage.leases.acquire('reconcile', 'node-a', 1000);
        if (!a) throw new Error('acquire failed');
        const fenced = dispatch('job-1', 'claim:1', { fence: { lease: 'reconcile', token: a.fence } });
        clock.advance(1000);
        const b = await storage.leases.acquire('reconcile', 'node-b', 1000);
        if (!b) throw new Error('acquire failed');

        expect(await storage.recordDispatch(fenced)).toBe('fenced');
        expect(await storage.jobs.list()).toEqual([]);
        expect(await storage.dedup.list()).toEqual([]);
        expect(await storage.dispatchLog.list()).toEqual([]);
        // Nor was the claim taken.
        expect(
          await storage.recordDispatch(dispatch('job-2', 'claim:1', { fence: { lease: 'reconcile', token: b.fence } })),
        ).toBe('recorded');
        expect((await storage.jobs.list()).map((j) => j.id)).toEqual(['job-2']);
        // A fence on a lease nobody ever held fences too.
        expect(await storage.recordDispatch(dispatch('job-3', 'claim:3', { fence: { lease: 'nothing', token: 1 } }))).toBe(
          'fenced',
        );
        // A lapsed holder is fenced even before anyone else takes the lease.
        clock.advance(1000);
        expect(
          await storage.recordDispatch(dispatch('job-4', 'claim:4', { fence: { lease: 'reconcile', token: b.fence } })),
        ).toBe('fenced');
        expect((await storage.jobs.list()).map((j) => j.id)).toEqual(['job-2']);
      }),
    );

    it(
      'writes nothing of a dispatch that fails half-way (a job that cannot be stored)',
      withSubject(async ({ storage }) => {
        const broken = dispatch('job-1', 'claim:broken', { job: { ...job('job-1'), runId: 10n as never } });
        await expect(storage.recordDispatch(broken)).rejects.toBeInstanceOf(StorageError);
        expect(await storage.jobs.list()).toEqual([]);
        expect(await storage.dedup.list()).toEqual([]);
        expect(await storage.dispatchLog.list()).toEqual([]);
        expect(await storage.claims.claimOnce('claim:broken')).toBe(true);
      }),
    );

    it(
      'loses no write when 100 jobs, 50 log entries and 50 stream entries are written concurrently',
      withSubject(async ({ storage }) => {
        const jobs = range(0, 100).map((i) => job(`job-${String(i).padStart(3, '0')}`));
        const numbers = stream<number>('numbers');
        await Promise.all([
          ...jobs.map((j) => storage.jobs.put(j)),
          ...range(0, 50).map((i) => storage.dispatchLog.append(logEntry(i))),
          ...range(0, 50).map((i) => storage.streams.append(numbers, i, 100)),
        ]);
        expect(byKey(await storage.jobs.list(), 'id')).toEqual(jobs);
        expect((await storage.dispatchLog.list()).map((e) => e.at).sort((a, b) => a - b)).toEqual(range(0, 50));
        expect((await storage.streams.list(numbers)).sort((a, b) => a - b)).toEqual(range(0, 50));
      }),
    );

    it(
      'rejects calls once closed with a StorageError',
      withSubject(async ({ storage }) => {
        await storage.jobs.put(job('job-1'));
        await storage.close();
        await expect(storage.jobs.get('job-1')).rejects.toThrow(StorageError);
        await expect(storage.jobs.put(job('job-2'))).rejects.toThrow(/closed/);
        await expect(storage.claims.claimOnce('k')).rejects.toThrow(/closed/);
        await expect(storage.recordDispatch(dispatch('job-3', 'c'))).rejects.toThrow(/closed/);
      }),
    );

    it(
      'imports the JSON store of earlier versions whole, and renames the file',
      withSubject(async ({ storage }) => {
        const dir = await mkdtemp(join(tmpdir(), 'ai-implement-import-'));
        try {
          const file = join(dir, 'ai-implement.json');
          const old = legacyJsonStore();
          await writeFile(file, JSON.stringify(old));
          expect(await storage.isEmpty()).toBe(true);
          expect(await importJsonStore(storage, file)).toEqual({
            mappings: 2,
            jobs: 3,
            dedup: 1,
            dispatchLog: 3,
            settings: 2,
            claims: 2,
            documents: 2,
            streamEntries: 2,
            counters: 0,
            usage: 0,
          });
          expect(existsSync(file)).toBe(false);
          expect(existsSync(`${file}.imported`)).toBe(true);

          expect(await storage.mappings.list()).toEqual([old.mappings.ENG, old.mappings.OPS]);
          expect(await storage.jobs.list()).toEqual([old.jobs['job-2'], old.jobs['job-1'], old.jobs['job-3']]);
          expect(await storage.jobs.count({ statuses: ['running'] })).toBe(1);
          expect(await storage.dedup.list()).toEqual([old.dedup['issue-a']]);
          expect(await storage.dispatchLog.list()).toEqual(old.dispatchLog);
          expect(await storage.settings.get('runnerMode')).toBe('shadow');
          expect(await storage.settings.get('count')).toBe('7');
          expect(await storage.claims.claimOnce('token:live')).toBe(false);
          expect(await storage.claims.claimOnce('token:ttl')).toBe(false);
          expect(await storage.documents.list(collection('pulls'))).toEqual(Object.values(old.records.pulls));
          expect(await storage.streams.list(steps('job-1'))).toEqual(old.recordLogs['steps:job-1']);
          // What was imported goes on as usual.
          await storage.dispatchLog.append(logEntry(4));
          expect((await storage.dispatchLog.list()).map((e) => e.at)).toEqual([4, 3, 2, 1]);
          expect(await storage.isEmpty()).toBe(false);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );

    it(
      'imports a lowdb file of this version too, counters included',
      withSubject(async ({ storage }) => {
        const dir = await mkdtemp(join(tmpdir(), 'ai-implement-import-'));
        try {
          const file = join(dir, 'store.json');
          await writeFile(file, JSON.stringify({ version: 2, counters: { dispatch: 41 }, settings: { a: 'b' } }));
          expect(await importJsonStore(storage, file)).toMatchObject({ counters: 1, settings: 1, jobs: 0 });
          expect(await storage.counters.next('dispatch')).toBe(42);
          expect(await storage.settings.get('a')).toBe('b');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );

    it(
      'imports the runs’ usage of a lowdb file into the usage store; the connector and security event logs are not carried',
      withSubject(async ({ storage }) => {
        const dir = await mkdtemp(join(tmpdir(), 'ai-implement-import-'));
        try {
          const file = join(dir, 'store.json');
          const priced: RunUsageRecord = {
            jobId: 'job-1',
            issueId: 'issue-a',
            identifier: 'ENG-1',
            teamKey: 'ENG',
            phase: 'implementation',
            model: 'claude-sonnet-4',
            day: '2026-12-06',
            inputTokens: 1200,
            outputTokens: 340,
            cacheReadTokens: 5000,
            cacheCreationTokens: 10,
            costUsd: 1.75,
            turns: 12,
            reportedAt: 1_000,
            final: true,
            stoppedByBudget: true,
          };
          const unpriced: RunUsageRecord = {
            jobId: 'job-2',
            issueId: 'issue-b',
            identifier: 'OPS-2',
            teamKey: 'OPS',
            phase: 'planning',
            day: '2026-12-06',
            inputTokens: 1,
            outputTokens: 2,
            cacheReadTokens: 0,
            cacheCreationTokens: 0,
            reportedAt: 2_000,
            final: false,
            stoppedByBudget: false,
          };
          await writeFile(
            file,
            JSON.stringify({
              version: 2,
              records: {
                'usage-runs': { 'job-1': priced, 'job-2': unpriced },
                'connector-events': { e1: { id: 'e1', source: 'linear', receivedAt: 1 } },
                'security-events': { s1: { id: 's1', kind: 'x', lastSeen: 1 } },
                pulls: { p1: { n: 1 } },
              },
            }),
          );
          expect(await importJsonStore(storage, file)).toMatchObject({ usage: 2, documents: 1 });
          expect(await storage.usage.get('job-1')).toEqual(priced);
          expect(await storage.usage.get('job-2')).toEqual(unpriced);
          expect(await storage.usage.spendOn('2026-12-06')).toEqual({ ENG: 1.75 });
          expect(
            await storage.usage.list({ from: '2026-12-06', to: '2026-12-06', stoppedByBudget: true }, { limit: 10, offset: 0 }),
          ).toEqual([priced]);
          expect((await storage.connectorEvents.list()).items).toEqual([]);
          expect((await storage.securityEvents.list()).items).toEqual([]);
          expect(await storage.documents.list(collection('connector-events'))).toEqual([]);
          expect(await storage.documents.list(collection('pulls'))).toEqual([{ n: 1 }]);
          // An import lands in a store that then counts as holding data.
          expect(await storage.isEmpty()).toBe(false);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );

    it(
      'refuses a corrupt or misshapen JSON store, or a store that holds data, and changes nothing',
      withSubject(async ({ storage }) => {
        const dir = await mkdtemp(join(tmpdir(), 'ai-implement-import-'));
        try {
          const file = join(dir, 'ai-implement.json');
          await writeFile(file, '{"jobs": {"job-1": {"id": "job-1"');
          await expect(importJsonStore(storage, file)).rejects.toThrow(StorageError);
          const misshapen = legacyJsonStore() as Record<string, unknown>;
          misshapen.jobs = { 'job-1': { ...job('job-1'), dispatchedAt: 'yesterday' } };
          await writeFile(file, JSON.stringify(misshapen));
          await expect(importJsonStore(storage, file)).rejects.toThrow(/jobs\[0\]\.dispatchedAt/);
          expect(await storage.isEmpty()).toBe(true);
          expect(existsSync(file)).toBe(true);

          // A value that fails only while being written (the last document): nothing stays.
          const snapshot = {
            mappings: [mapping('ENG')],
            jobs: [job('job-1')],
            dedup: [],
            dispatchLog: [logEntry(1)],
            settings: [{ key: 'a', value: 'b' }],
            claims: [],
            documents: [{ collection: 'c', id: 'x', value: { big: 1n } }],
            streams: [],
          };
          await expect(storage.importSnapshot(snapshot)).rejects.toThrow(StorageError);
          expect(await storage.isEmpty()).toBe(true);
          expect(await storage.mappings.list()).toEqual([]);

          await storage.settings.set('runnerMode', 'fly');
          await writeFile(file, JSON.stringify(legacyJsonStore()));
          await expect(importJsonStore(storage, file)).rejects.toThrow(/already holds data/);
          expect(await storage.jobs.list()).toEqual([]);
          expect(existsSync(file)).toBe(true);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );

    if (features.durable) {
      it(
        'still holds everything after close and reopen',
        withSubject(async (subject, opened) => {
          const { storage, clock } = subject;
          expect(subject.reopen, 'a durable subject must provide reopen').toBeDefined();
          await storage.mappings.put(mapping('ENG'));
          await storage.mappings.put(mapping('GONE'));
          await storage.mappings.delete('GONE');
          await storage.jobs.put(job('job-1'));
          await storage.dedup.put(dedup('issue-a'));
          for (let i = 0; i < 3; i++) await storage.dispatchLog.append(logEntry(i));
          await storage.settings.set('runnerMode', 'shadow');
          await storage.documents.put(pulls, 'a/b', { number: 1, state: 'open', labels: [] });
          for (let i = 0; i < 4; i++) await storage.streams.append(stream<number>('events'), i, 3);
          expect(await storage.claims.claimOnce('consumed')).toBe(true);
          expect(await storage.claims.claimOnce('brief', 150)).toBe(true);
          expect(await storage.counters.next('n')).toBe(1);
          const lease = await storage.leases.acquire('reconcile', 'node-a', 1000);
          expect(await storage.recordDispatch(dispatch('job-2', 'claim:d'))).toBe('recorded');
          await storage.close();

          const again = await (subject.reopen as () => Promise<ContractStorage>)();
          opened.push(again);
          expect(await again.mappings.list()).toEqual([mapping('ENG')]);
          expect(await again.jobs.get('job-1')).toEqual(job('job-1'));
          expect(await again.jobs.get('job-2')).toEqual(dispatch('job-2', 'claim:d').job);
          expect(byKey(await again.dedup.list(), 'issueId')).toEqual([dedup('issue-a'), dispatch('job-2', 'claim:d').dedup]);
          expect((await again.dispatchLog.list()).map((e) => e.id)).toEqual(['log-job-2', 'log-2', 'log-1', 'log-0']);
          expect(await again.settings.get('runnerMode')).toBe('shadow');
          expect(await again.documents.get(pulls, 'a/b')).toEqual({ number: 1, state: 'open', labels: [] });
          expect(await again.streams.list(stream<number>('events'))).toEqual([1, 2, 3]);
          expect(await again.counters.next('n')).toBe(2);
          expect(await again.leases.current('reconcile')).toEqual(lease);
          // A claim outlives the restart, and so does its expiry.
          expect(await again.claims.claimOnce('consumed')).toBe(false);
          expect(await again.claims.claimOnce('claim:d')).toBe(false);
          expect(await again.claims.claimOnce('brief', 150)).toBe(false);
          clock.advance(150);
          expect(await again.claims.claimOnce('brief', 150)).toBe(true);
        }),
      );
    }

    if (features.shared) {
      it(
        'is atomic across two instances on one store: claims, counters, compare-and-set, leases',
        withSubject(async (subject, opened) => {
          const one = subject.storage;
          const two = await openTwin(subject, opened);
          const both = <T>(n: number, call: (s: ContractStorage, i: number) => Promise<T>) =>
            Promise.all(range(0, n).map((i) => call(i % 2 ? two : one, i)));

          for (let round = 0; round < 3; round++) {
            const results = await both(50, (s) => s.claims.claimOnce(`leader:${round}`, 5000));
            expect(results.filter(Boolean)).toHaveLength(1);
          }
          const values = await both(100, (s) => s.counters.next('n'));
          expect([...values].sort((a, b) => a - b)).toEqual(range(1, 101));

          await one.jobs.put(job('job-1'));
          const cas = await both(50, (s, i) =>
            s.jobs.updateIf({ ...job('job-1'), status: 'failed', error: `${i}` }, ['dispatched']),
          );
          expect(cas.filter(Boolean)).toHaveLength(1);

          const leases = await both(20, (s, i) => s.leases.acquire('singleton', `node-${i}`, 5000));
          expect(leases.filter((l) => l !== undefined)).toHaveLength(1);
          // What one instance writes, the other reads.
          await two.dispatchLog.append(logEntry(1));
          expect(await one.dispatchLog.list()).toEqual([logEntry(1)]);
        }),
      );

      it(
        'lets exactly one of 50 dispatches under one claim from two instances record, and the rest write nothing',
        withSubject(async (subject, opened) => {
          const two = await openTwin(subject, opened);
          const attempts = range(0, 50).map((i) => dispatch(`job-${i}`, 'dispatch:shared'));
          const results = await Promise.all(attempts.map((d, i) => (i % 2 ? two : subject.storage).recordDispatch(d)));
          expect(results.filter((r) => r === 'recorded')).toHaveLength(1);
          const winner = attempts[results.indexOf('recorded')];
          expect(await two.jobs.list()).toEqual([winner?.job]);
          expect(await subject.storage.dispatchLog.list()).toEqual([winner?.log]);
          expect(await two.dedup.list()).toEqual([winner?.dedup]);
        }),
      );
    }
  });
  // The operations stores (connector events, security events) are members of Storage too.
  operationsEventsContract(name, make, features);
}
