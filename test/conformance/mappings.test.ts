import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';

const BASE = { teamKey: 'ENG', owner: 'acme', repo: 'widgets', defaultBranch: 'main' };

let s: ServerProcess;
beforeAll(async () => {
  s = await startServerProcess({ ADMIN_ACCESS_CODE: ACCESS_CODE, STORAGE_URL: 'memory:' });
});
afterAll(() => s.close());

const post = (body: unknown) => s.call('POST', '/api/mappings', { body, token: true });
const mappingOf = async (teamKey: string) => {
  const list = await s.call('GET', '/api/mappings', { token: true });
  expect(list.status).toBe(200);
  return (list.body.mappings as Record<string, unknown>[]).find((m) => m.teamKey === teamKey);
};

describe('admin-ui-earlier-version.txt: mapping fields and their defaults', () => {
  it('a mapping given only teamKey, owner, repo and defaultBranch takes every default of the table', async () => {
    const res = await post({ ...BASE, teamKey: 'DEF' });
    expect(res.status).toBe(200);
    const stored = await mappingOf('DEF');
    expect(stored).toMatchObject({
      teamKey: 'DEF',
      owner: 'acme',
      repo: 'widgets',
      workflowFile: 'claude-implement.yml',
      defaultBranch: 'main',
      maxInProgressAiIssues: 3,
      executionMode: 'github-actions',
      sessionMode: 'autonomous',
      machineCpus: 2,
      machineMemoryMb: 4096,
      planningEnabled: true,
      planningWorkflowFile: 'claude-plan.yml',
      autoApprovePlans: true,
      provider: 'anthropic',
    });
    // awsRegion and extraEnv have no default ("—").
    expect(stored?.awsRegion ?? null).toBeNull();
    expect(Object.keys((stored?.extraEnv as object | undefined) ?? {})).toEqual([]);
  });

  it('every field of the table is stored as given', async () => {
    const full = {
      teamKey: 'FULL',
      owner: 'acme',
      repo: 'gadgets',
      workflowFile: 'implement.yml',
      defaultBranch: 'development',
      maxInProgressAiIssues: 5,
      executionMode: 'fly-machines',
      sessionMode: 'hybrid',
      machineCpus: 4,
      machineMemoryMb: 8192,
      planningEnabled: true,
      planningWorkflowFile: 'plan.yml',
      autoApprovePlans: false,
      provider: 'anthropic',
      extraEnv: { FOO: 'bar' },
      maxTurns: 20,
      maxIterations: 1,
      maxJobMinutes: 30,
    };
    expect((await post(full)).status).toBe(200);
    expect(await mappingOf('FULL')).toMatchObject(full);
  });

  it('POST /api/mappings creates or updates: a second POST with the same teamKey updates that mapping', async () => {
    expect((await post({ ...BASE, teamKey: 'UPD' })).status).toBe(200);
    expect((await post({ teamKey: 'UPD', owner: 'acme', repo: 'widgets', maxInProgressAiIssues: 7 })).status).toBe(200);
    const list = await s.call('GET', '/api/mappings', { token: true });
    const upd = (list.body.mappings as { teamKey: string }[]).filter((m) => m.teamKey === 'UPD');
    expect(upd).toHaveLength(1);
    // defaultBranch was not given again: the mapping's own is kept.
    expect(upd[0]).toMatchObject({ maxInProgressAiIssues: 7, defaultBranch: 'main' });
  });

  it('the run-cap fields are optional: blank leaves them to their defaults', async () => {
    expect((await post({ ...BASE, teamKey: 'CAPS', maxTurns: '', maxIterations: null })).status).toBe(200);
    const stored = await mappingOf('CAPS');
    expect(stored?.maxTurns ?? null).toBeNull();
    expect(stored?.maxIterations ?? null).toBeNull();
  });
});

describe('error-codes…txt: POST /api/mappings', () => {
  const cases: [row: string, body: unknown, error: string][] = [
    ['400 defaultBranch is required', { teamKey: 'NEWA', owner: 'acme', repo: 'widgets' }, 'defaultBranch is required'],
    [
      '400 teamKey, owner, and repo are required (teamKey)',
      { owner: 'acme', repo: 'w', defaultBranch: 'main' },
      'teamKey, owner, and repo are required',
    ],
    [
      '400 teamKey, owner, and repo are required (owner)',
      { teamKey: 'X', repo: 'w', defaultBranch: 'main' },
      'teamKey, owner, and repo are required',
    ],
    [
      '400 teamKey, owner, and repo are required (repo)',
      { teamKey: 'X', owner: 'acme', defaultBranch: 'main' },
      'teamKey, owner, and repo are required',
    ],
    [
      "400 awsRegion is required when provider is 'bedrock'",
      { ...BASE, provider: 'bedrock' },
      "awsRegion is required when provider is 'bedrock'",
    ],
    [
      "400 provider 'bedrock' is not supported with executionMode 'fly-machines'",
      { ...BASE, provider: 'bedrock', awsRegion: 'us-east-1', executionMode: 'fly-machines' },
      "provider 'bedrock' is not supported with executionMode 'fly-machines'",
    ],
    [
      "400 provider must be 'anthropic' or 'bedrock'",
      { ...BASE, provider: 'openai' },
      "provider must be 'anthropic' or 'bedrock'",
    ],
    [
      "400 executionMode must be 'github-actions' or 'fly-machines'",
      { ...BASE, executionMode: 'lambda' },
      "executionMode must be 'github-actions' or 'fly-machines'",
    ],
    ['400 machineCpus must be a positive integer (0)', { ...BASE, machineCpus: 0 }, 'machineCpus must be a positive integer'],
    ['400 machineCpus must be a positive integer (1.5)', { ...BASE, machineCpus: 1.5 }, 'machineCpus must be a positive integer'],
    [
      '400 machineMemoryMb must be an integer >= 256 (255)',
      { ...BASE, machineMemoryMb: 255 },
      'machineMemoryMb must be an integer >= 256',
    ],
    [
      '400 machineMemoryMb must be an integer >= 256 (512.5)',
      { ...BASE, machineMemoryMb: 512.5 },
      'machineMemoryMb must be an integer >= 256',
    ],
    [
      "400 sessionMode must be 'autonomous', 'interactive', or 'hybrid'",
      { ...BASE, sessionMode: 'manual' },
      "sessionMode must be 'autonomous', 'interactive', or 'hybrid'",
    ],
    ['400 extraEnv must be a plain object', { ...BASE, extraEnv: ['A=1'] }, 'extraEnv must be a plain object'],
    ['400 extraEnv must be a plain object (string)', { ...BASE, extraEnv: 'A=1' }, 'extraEnv must be a plain object'],
    ['400 extraEnv values must all be strings', { ...BASE, extraEnv: { A: 1 } }, 'extraEnv values must all be strings'],
    [
      '400 maxInProgressAiIssues must be a positive integer (0)',
      { ...BASE, maxInProgressAiIssues: 0 },
      'maxInProgressAiIssues must be a positive integer',
    ],
    [
      '400 maxInProgressAiIssues must be a positive integer (2.5)',
      { ...BASE, maxInProgressAiIssues: 2.5 },
      'maxInProgressAiIssues must be a positive integer',
    ],
    [
      '400 planningWorkflowFile is required when planningEnabled is true',
      { ...BASE, planningEnabled: true, planningWorkflowFile: '' },
      'planningWorkflowFile is required when planningEnabled is true',
    ],
  ];

  it.each(cases)('%s', async (_row, body, error) => {
    expectAnswer(await post(body), 400, { error });
  });

  it('400 branchPrefix invalid: {detail}', async () => {
    const res = await post({ ...BASE, branchPrefix: 'bad prefix..' });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/^branchPrefix invalid: .+/);
  });

  it('400 Invalid request body when the body could not be parsed as JSON', async () => {
    expectAnswer(await s.call('POST', '/api/mappings', { raw: '{"teamKey":', token: true }), 400, {
      error: 'Invalid request body',
    });
  });

  it('400 (ticketing validation message) for an invalid ticketing configuration', async () => {
    const res = await post({ ...BASE, ticketing: 'jira' });
    expect(res.status).toBe(400);
    expect(typeof res.body.error).toBe('string');
  });

  it('a refused mapping is not stored', async () => {
    await post({ ...BASE, teamKey: 'NOPE', provider: 'openai' });
    expect(await mappingOf('NOPE')).toBeUndefined();
  });
});

describe('error-codes…txt: PATCH and DELETE /api/mappings/{teamKey}', () => {
  beforeAll(async () => {
    expect((await post({ ...BASE, teamKey: 'PAT' })).status).toBe(200);
  });

  it('PATCH updates the concurrency cap', async () => {
    const res = await s.call('PATCH', '/api/mappings/PAT', { body: { maxInProgressAiIssues: 9 }, token: true });
    expect(res.status).toBe(200);
    expect(await mappingOf('PAT')).toMatchObject({ maxInProgressAiIssues: 9 });
  });

  it('PATCH updates the paused state', async () => {
    const res = await s.call('PATCH', '/api/mappings/PAT', { body: { paused: true }, token: true });
    expect(res.status).toBe(200);
    expect(await mappingOf('PAT')).toMatchObject({ paused: true });
  });

  it('400 Invalid request body', async () => {
    expectAnswer(await s.call('PATCH', '/api/mappings/PAT', { raw: 'paused=true', token: true }), 400, {
      error: 'Invalid request body',
    });
  });

  it.each([0, -1, 1.5, '3'])('400 maxInProgressAiIssues must be a positive integer (%j)', async (value) => {
    const res = await s.call('PATCH', '/api/mappings/PAT', { body: { maxInProgressAiIssues: value }, token: true });
    expectAnswer(res, 400, { error: 'maxInProgressAiIssues must be a positive integer' });
  });

  it('400 Specify either paused or maxInProgressAiIssues, not both', async () => {
    const res = await s.call('PATCH', '/api/mappings/PAT', { body: { paused: false, maxInProgressAiIssues: 2 }, token: true });
    expectAnswer(res, 400, { error: 'Specify either paused or maxInProgressAiIssues, not both' });
  });

  it('404 Team not found', async () => {
    const res = await s.call('PATCH', '/api/mappings/GHOST', { body: { paused: true }, token: true });
    expectAnswer(res, 404, { error: 'Team not found' });
  });

  it('DELETE removes a mapping', async () => {
    expect((await post({ ...BASE, teamKey: 'DEL' })).status).toBe(200);
    const res = await s.call('DELETE', '/api/mappings/DEL', { token: true });
    expect(res.status).toBe(200);
    expect(await mappingOf('DEL')).toBeUndefined();
  });

  it('DELETE returns 404 with { "deleted": false } (no error field) when the mapping does not exist', async () => {
    expectAnswer(await s.call('DELETE', '/api/mappings/GHOST', { token: true }), 404, { deleted: false });
  });
});

describe('error-codes…txt: POST /api/mappings/{teamKey}/sync-workflows', () => {
  it('404 Team not found', async () => {
    expectAnswer(await s.call('POST', '/api/mappings/GHOST/sync-workflows', { token: true }), 404, { error: 'Team not found' });
  });
});
