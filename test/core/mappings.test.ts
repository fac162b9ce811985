import { describe, expect, it } from 'vitest';
import {
  applyMappingPatch,
  branchPrefixProblem,
  MAPPING_DEFAULTS,
  validateMappingInput,
  validateMappingPatch,
} from '../../core/domain/mappings.js';
import type { Mapping } from '../../core/domain/model.js';

const NOW = 1_700_000_000_000;
const base = { teamKey: 'ENG', owner: 'acme', repo: 'web', defaultBranch: 'main' };

function valid(body: Record<string, unknown>, existing?: Mapping, now = NOW): Mapping {
  const result = validateMappingInput(body, existing, now);
  if (result.isErr()) throw new Error(`expected ok, got: ${result.error}`);
  return result.value;
}

function problem(body: unknown, existing?: Mapping): string {
  const result = validateMappingInput(body, existing, NOW);
  if (result.isOk()) throw new Error('expected an error');
  return result.error;
}

describe('validateMappingInput', () => {
  it('fills every default of the spec table for a minimal body', () => {
    expect(valid(base)).toEqual({
      teamKey: 'ENG',
      owner: 'acme',
      repo: 'web',
      defaultBranch: 'main',
      ticketing: 'linear',
      forge: 'github',
      workflowFile: 'claude-implement.yml',
      branchPrefix: 'ai-implement/',
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
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(MAPPING_DEFAULTS.defaultBranch).toBe('main');
  });

  it.each<[string, unknown, string]>([
    ['a non-object body', [base], 'Invalid request body'],
    ['null', null, 'Invalid request body'],
    ['a string', 'ENG', 'Invalid request body'],
    ['missing teamKey', { ...base, teamKey: undefined }, 'teamKey, owner, and repo are required'],
    ['blank owner', { ...base, owner: '  ' }, 'teamKey, owner, and repo are required'],
    ['missing repo', { teamKey: 'ENG', owner: 'acme', defaultBranch: 'main' }, 'teamKey, owner, and repo are required'],
    ['numeric teamKey', { ...base, teamKey: 7 }, 'teamKey, owner, and repo are required'],
    ['missing defaultBranch', { ...base, defaultBranch: undefined }, 'defaultBranch is required'],
    ['blank defaultBranch', { ...base, defaultBranch: '' }, 'defaultBranch is required'],
    ['bad provider', { ...base, provider: 'openai' }, "provider must be 'anthropic' or 'bedrock'"],
    ['bedrock without region', { ...base, provider: 'bedrock' }, "awsRegion is required when provider is 'bedrock'"],
    [
      'bedrock on fly',
      { ...base, provider: 'bedrock', awsRegion: 'us-east-1', executionMode: 'fly-machines' },
      "provider 'bedrock' is not supported with executionMode 'fly-machines'",
    ],
    ['bad executionMode', { ...base, executionMode: 'k8s' }, "executionMode must be 'github-actions' or 'fly-machines'"],
    ['zero cpus', { ...base, machineCpus: 0 }, 'machineCpus must be a positive integer'],
    ['fractional cpus', { ...base, machineCpus: 1.5 }, 'machineCpus must be a positive integer'],
    ['string cpus', { ...base, machineCpus: '2' }, 'machineCpus must be a positive integer'],
    ['small memory', { ...base, machineMemoryMb: 255 }, 'machineMemoryMb must be an integer >= 256'],
    ['fractional memory', { ...base, machineMemoryMb: 512.5 }, 'machineMemoryMb must be an integer >= 256'],
    ['bad sessionMode', { ...base, sessionMode: 'manual' }, "sessionMode must be 'autonomous', 'interactive', or 'hybrid'"],
    ['branchPrefix with space', { ...base, branchPrefix: 'ai implement/' }, 'branchPrefix invalid: must not contain spaces'],
    ['branchPrefix with ..', { ...base, branchPrefix: 'ai..x/' }, "branchPrefix invalid: must not contain '..'"],
    ['branchPrefix numeric', { ...base, branchPrefix: 5 }, 'branchPrefix invalid: must be a string'],
    ['extraEnv array', { ...base, extraEnv: ['A=1'] }, 'extraEnv must be a plain object'],
    ['extraEnv string', { ...base, extraEnv: 'A=1' }, 'extraEnv must be a plain object'],
    ['extraEnv number value', { ...base, extraEnv: { A: 1 } }, 'extraEnv values must all be strings'],
    ['cap zero', { ...base, maxInProgressAiIssues: 0 }, 'maxInProgressAiIssues must be a positive integer'],
    ['cap negative', { ...base, maxInProgressAiIssues: -2 }, 'maxInProgressAiIssues must be a positive integer'],
    [
      'planning on without file',
      { ...base, planningEnabled: true, planningWorkflowFile: '' },
      'planningWorkflowFile is required when planningEnabled is true',
    ],
    [
      'planning on with null file',
      { ...base, planningWorkflowFile: null },
      'planningWorkflowFile is required when planningEnabled is true',
    ],
    ['bad ticketing', { ...base, ticketing: 'trello' }, "ticketing must be 'linear', 'jira', 'github' or 'local'"],
    [
      'bad issuesRepo',
      { ...base, ticketing: 'github', issuesRepo: 'a/b' },
      "issuesRepo must be a repository name (letters, digits, '.', '-' and '_')",
    ],
    ['jira without jql', { ...base, ticketing: 'jira', repoFieldValue: 'web' }, "jql is required when ticketing is 'jira'"],
    [
      'jira without repo field',
      { ...base, ticketing: 'jira', jql: 'project = ENG' },
      "repoFieldValue is required when ticketing is 'jira'",
    ],
    [
      'teamKey with a dash',
      { ...base, teamKey: 'EN-G' },
      'teamKey must start with a letter and contain only letters and digits (at most 32)',
    ],
    [
      'teamKey with underscore',
      { ...base, teamKey: 'EN_G' },
      'teamKey must start with a letter and contain only letters and digits (at most 32)',
    ],
    ['maxTurns zero', { ...base, maxTurns: 0 }, 'maxTurns must be a positive integer'],
    ['maxIterations string', { ...base, maxIterations: 'three' }, 'maxIterations must be a positive integer'],
    ['maxJobMinutes fractional', { ...base, maxJobMinutes: 1.5 }, 'maxJobMinutes must be a positive integer'],
    ['maxJobMinutes past a timer’s reach', { ...base, maxJobMinutes: 35792 }, 'maxJobMinutes must be at most 35791'],
    ['maxJobMinutes 1e308', { ...base, maxJobMinutes: 1e308 }, 'maxJobMinutes must be at most 35791'],
    ['planningEnabled as string', { ...base, planningEnabled: 'yes' }, 'planningEnabled must be a boolean'],
    ['repo with a slash', { ...base, repo: '../etc' }, "repo must be a repository name (letters, digits, '.', '-' and '_')"],
  ])('rejects %s with the spec message', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });

  it('accepts maxJobMinutes up to the longest timer a run can set (about 24.8 days)', () => {
    expect(valid({ ...base, maxJobMinutes: 35791 }).maxJobMinutes).toBe(35791);
  });

  it('accepts bedrock with a region on GitHub Actions, and Jira with its scope', () => {
    expect(valid({ ...base, provider: 'bedrock', awsRegion: 'eu-west-1' }).awsRegion).toBe('eu-west-1');
    const jira = valid({ ...base, ticketing: 'jira', jql: 'project = WEB', repoFieldValue: 'web' });
    expect([jira.ticketing, jira.jql, jira.repoFieldValue]).toEqual(['jira', 'project = WEB', 'web']);
  });

  it('accepts GitHub Issues, with or without another repository of the owner for the issues', () => {
    expect(valid({ ...base, ticketing: 'github' })).not.toHaveProperty('issuesRepo');
    const tracker = valid({ ...base, ticketing: 'github', issuesRepo: ' web-issues ' });
    expect([tracker.ticketing, tracker.issuesRepo]).toEqual(['github', 'web-issues']);
    const cleared = validateMappingInput({ ...base, issuesRepo: null }, tracker, 1);
    expect(cleared._unsafeUnwrap()).not.toHaveProperty('issuesRepo');
    const kept = validateMappingInput({ ...base }, tracker, 1);
    expect(kept._unsafeUnwrap().issuesRepo).toBe('web-issues');
  });

  it('allows planning off without a planning workflow file', () => {
    const m = valid({ ...base, planningEnabled: false, planningWorkflowFile: '' });
    expect([m.planningEnabled, m.planningWorkflowFile]).toEqual([false, '']);
  });

  it('treats blank or null run caps as the default and keeps given ones', () => {
    expect(valid({ ...base, maxTurns: null, maxIterations: '', maxJobMinutes: 45 })).toMatchObject({ maxJobMinutes: 45 });
    const m = valid({ ...base, maxTurns: null });
    expect('maxTurns' in m).toBe(false);
  });

  it('merges an update onto the existing mapping, keeping createdAt', () => {
    const first = valid({ ...base, maxInProgressAiIssues: 5, extraEnv: { A: '1' }, maxTurns: 20 });
    const second = valid({ teamKey: 'ENG', sessionMode: 'hybrid' }, first, NOW + 10);
    expect(second).toEqual({ ...first, sessionMode: 'hybrid', updatedAt: NOW + 10 });
    expect(second.createdAt).toBe(NOW);
  });

  it('uses the stored defaultBranch when the update omits it, and requires one otherwise', () => {
    const first = valid({ ...base, defaultBranch: 'development' });
    expect(valid({ teamKey: 'ENG', defaultBranch: '' }, first).defaultBranch).toBe('development');
    expect(problem({ teamKey: 'ENG', owner: 'acme', repo: 'web' })).toBe('defaultBranch is required');
  });

  it('clears a run cap with null on update', () => {
    const first = valid({ ...base, maxTurns: 20 });
    expect('maxTurns' in valid({ teamKey: 'ENG', maxTurns: null }, first)).toBe(false);
  });

  it('ignores fields the spec does not name', () => {
    // JSON.parse makes "__proto__" an own property, as a request body would.
    const body = JSON.parse(
      '{"teamKey":"ENG","owner":"acme","repo":"web","defaultBranch":"main","createdAt":1,"evil":"x","__proto__":{"polluted":true},"extraEnv":{"A":"x"}}',
    );
    const m = valid(body);
    expect(m.createdAt).toBe(NOW);
    expect('evil' in m).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s as an extraEnv name, as a request body carries it', (name) => {
    // JSON.parse makes "__proto__" an own key, which `env[name] = value` would turn into the prototype.
    const body = JSON.parse(`{"teamKey":"ENG","owner":"acme","repo":"web","defaultBranch":"main","extraEnv":{"${name}":"x"}}`);
    expect(problem(body)).toBe(`extraEnv must not use ${name} (__proto__, constructor and prototype are reserved names)`);
  });
});

describe('branchPrefixProblem', () => {
  it.each([
    ['ai-implement/', undefined],
    ['bots/ai-', undefined],
    ['', 'must not be empty'],
    ['/ai', "must not start with '/'"],
    ['-ai', "must not start with '-'"],
    ['a//b', "must not contain '//'"],
    ['a@{b', "must not contain '@{'"],
    ['a~b', "must not contain '~'"],
    ['a:b', "must not contain ':'"],
    ['a\tb', 'must not contain control characters'],
    ['.ai/', "no path component may start with '.'"],
    ['x/.y', "no path component may start with '.'"],
    ['x.lock/', "no path component may end with '.lock'"],
    ['a'.repeat(101), 'must be at most 100 characters'],
  ])('%j → %s', (prefix, expected) => {
    expect(branchPrefixProblem(prefix)).toBe(expected);
  });
});

describe('validateMappingPatch', () => {
  it.each<[unknown, string]>([
    [{ paused: true, maxInProgressAiIssues: 2 }, 'Specify either paused or maxInProgressAiIssues, not both'],
    [{ paused: 'x', maxInProgressAiIssues: 'y' }, 'Specify either paused or maxInProgressAiIssues, not both'],
    [{ maxInProgressAiIssues: 0 }, 'maxInProgressAiIssues must be a positive integer'],
    [{ maxInProgressAiIssues: 2.5 }, 'maxInProgressAiIssues must be a positive integer'],
    [{ maxInProgressAiIssues: '2' }, 'maxInProgressAiIssues must be a positive integer'],
    [{ maxInProgressAiIssues: null }, 'maxInProgressAiIssues must be a positive integer'],
    [{ paused: 'true' }, 'paused must be a boolean'],
    [{}, 'Specify either paused or maxInProgressAiIssues'],
    [[], 'Invalid request body'],
    [42, 'Invalid request body'],
  ])('%j → %s', (body, message) => {
    const result = validateMappingPatch(body);
    expect(result.isErr() && result.error).toBe(message);
  });

  it('applies one change and stamps updatedAt', () => {
    const m = valid(base);
    const cap = validateMappingPatch({ maxInProgressAiIssues: 7 })._unsafeUnwrap();
    expect(applyMappingPatch(m, cap, NOW + 5)).toEqual({ ...m, maxInProgressAiIssues: 7, updatedAt: NOW + 5 });
    const pause = validateMappingPatch({ paused: true })._unsafeUnwrap();
    expect(applyMappingPatch(m, pause, NOW + 6)).toEqual({ ...m, paused: true, updatedAt: NOW + 6 });
  });
});
