/** Builders of core values for tests: sensible defaults, override what the test is about. */
import type { DedupEntry, Job, Mapping, TicketIssue } from '../../core/domain/model.js';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const HOUR = 60 * 60 * 1000;

export function mapping(overrides: Partial<Mapping> = {}): Mapping {
  return {
    teamKey: 'ENG',
    ticketing: 'linear',
    forge: 'github',
    owner: 'acme',
    repo: 'app',
    workflowFile: 'claude-implement.yml',
    defaultBranch: 'main',
    branchPrefix: 'ai/',
    maxInProgressAiIssues: 3,
    executionMode: 'github-actions',
    sessionMode: 'autonomous',
    machineCpus: 2,
    machineMemoryMb: 4096,
    planningEnabled: true,
    planningWorkflowFile: 'claude-plan.yml',
    autoApprovePlans: true,
    provider: 'anthropic',
    extraEnv: {},
    paused: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function issue(overrides: Partial<TicketIssue> & { id: string }): TicketIssue {
  const identifier = overrides.identifier ?? `ENG-${overrides.id.replace(/\D/g, '') || '1'}`;
  return {
    identifier,
    teamKey: 'ENG',
    title: `Issue ${identifier}`,
    url: `https://tracker.test/${identifier}`,
    priority: 3,
    createdAt: T0,
    stage: 'triggered',
    labels: ['AI-Implement'],
    blockedBy: [],
    ...overrides,
  };
}

export function job(overrides: Partial<Job> & { id: string; issueId: string }): Job {
  return {
    identifier: 'ENG-1',
    teamKey: 'ENG',
    owner: 'acme',
    repo: 'app',
    phase: 'planning',
    status: 'dispatched',
    dispatchNumber: 1,
    runner: 'github-actions',
    dispatchedAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function dedupEntry(overrides: Partial<DedupEntry> & { issueId: string }): DedupEntry {
  return {
    identifier: 'ENG-1',
    title: 'Issue',
    teamKey: 'ENG',
    phase: 'planning',
    dispatchedAt: T0,
    ...overrides,
  };
}
