import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../core/domain/model.js';
import { type DispatchRecord, stream } from '../../ports/storage.port.js';

/** Builders of plain domain values for the storage contract. */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export function byKey<T, K extends keyof T>(items: T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

/** A clock the test moves by hand: claims and leases lapse when it says so. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = 1_700_000_000_000): TestClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export function mapping(teamKey: string, extra: Partial<Mapping> = {}): Mapping {
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

export function job(id: string, extra: Partial<Job> = {}): Job {
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

export function dedup(issueId: string, extra: Partial<DedupEntry> = {}): DedupEntry {
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

export function logEntry(n: number): DispatchLogEntry {
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

/** A whole dispatch of job `id` under claim `claimKey`. */
export function dispatch(id: string, claimKey: string, extra: Partial<DispatchRecord> = {}): DispatchRecord {
  return {
    claimKey,
    claimTtlMs: 60_000,
    job: job(id),
    dedup: dedup(`issue-${id}`),
    log: { ...logEntry(0), id: `log-${id}`, jobId: id, issueId: `issue-${id}` },
    ...extra,
  };
}

export interface StepEvent {
  step: string;
  ok: boolean;
  at: number;
}
export const steps = (name: string) => stream<StepEvent>(`steps:${name}`);

/** The layout of the JSON store of earlier versions (lowdb, version 1), as a file held it. */
export function legacyJsonStore() {
  return {
    version: 1,
    mappings: { ENG: mapping('ENG'), OPS: mapping('OPS', { paused: true }) },
    jobs: {
      'job-1': job('job-1', { status: 'completed', dispatchedAt: 1_700_000_000_100 }),
      'job-2': job('job-2', { status: 'running', dispatchedAt: 1_700_000_000_200, runId: '42' }),
      'job-3': job('job-3', { status: 'failed', error: 'boom' }),
    },
    dedup: { 'issue-a': dedup('issue-a') },
    dispatchLog: [logEntry(3), logEntry(2), logEntry(1)],
    settings: { runnerMode: 'shadow', count: '7' },
    claims: { 'token:live': { expiresAt: null }, 'token:ttl': { expiresAt: 1_900_000_000_000 } },
    records: { pulls: { 'acme/eng#1': { number: 1, state: 'open' }, 'acme/eng#2': { number: 2, state: 'merged' } } },
    recordLogs: {
      'steps:job-1': [
        { step: 'plan', ok: true, at: 1 },
        { step: 'implement', ok: false, at: 2 },
      ],
    },
  };
}
