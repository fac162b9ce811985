import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, jsonOf, STORAGE_KINDS, startHarness, T0 } from './harness.js';

const ENG = { teamKey: 'ENG', owner: 'acme', repo: 'web', defaultBranch: 'main' };

describe.each(STORAGE_KINDS)('project mappings end to end (%s storage)', (kind) => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await startHarness(kind);
    token = await h.login();
  });
  afterEach(async () => {
    await h.close();
  });

  const post = (body: unknown) => h.call('POST', '/api/mappings', { body, token });
  const list = async () => (await jsonOf(await h.call('GET', '/api/mappings', { token }))).mappings as Record<string, unknown>[];

  it('creates with every default, lists, and answers the stored mapping', async () => {
    expect(await list()).toEqual([]);
    const res = await post(ENG);
    expect(res.status).toBe(200);
    const { mapping } = (await jsonOf(res)) as { mapping: Record<string, unknown> };
    expect(mapping).toMatchObject({
      ...ENG,
      workflowFile: 'claude-implement.yml',
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
    });
    expect(await list()).toEqual([mapping]);
    expect(await h.orchestrator.cradle.storage.mappings.get('ENG')).toEqual(mapping);
  });

  it('updates on a second POST with the same teamKey, merging onto the stored mapping', async () => {
    await post({ ...ENG, maxInProgressAiIssues: 5, extraEnv: { NODE_ENV: 'test' } });
    h.clock.advance(1000);
    const res = await post({ teamKey: 'ENG', sessionMode: 'hybrid', maxTurns: 20 });
    expect(res.status).toBe(200);
    const { mapping } = (await jsonOf(res)) as { mapping: Record<string, unknown> };
    expect(mapping).toMatchObject({
      ...ENG,
      maxInProgressAiIssues: 5,
      extraEnv: { NODE_ENV: 'test' },
      sessionMode: 'hybrid',
      maxTurns: 20,
    });
    expect([mapping.createdAt, mapping.updatedAt]).toEqual([T0, T0 + 1000]);
    expect(await list()).toHaveLength(1);
  });

  it('lists mappings ordered by team key', async () => {
    for (const teamKey of ['WEB', 'API', 'ENG']) await post({ ...ENG, teamKey });
    expect((await list()).map((m) => m.teamKey)).toEqual(['API', 'ENG', 'WEB']);
  });

  it.each<[string, unknown, string]>([
    ['no defaultBranch', { teamKey: 'ENG', owner: 'acme', repo: 'web' }, 'defaultBranch is required'],
    ['a blank defaultBranch', { ...ENG, defaultBranch: ' ' }, 'defaultBranch is required'],
    ['no owner', { teamKey: 'ENG', repo: 'web', defaultBranch: 'main' }, 'teamKey, owner, and repo are required'],
    ['no teamKey', { owner: 'acme', repo: 'web', defaultBranch: 'main' }, 'teamKey, owner, and repo are required'],
    ['no repo', { teamKey: 'ENG', owner: 'acme', defaultBranch: 'main' }, 'teamKey, owner, and repo are required'],
    ['bedrock without a region', { ...ENG, provider: 'bedrock' }, "awsRegion is required when provider is 'bedrock'"],
    [
      'bedrock on Fly Machines',
      { ...ENG, provider: 'bedrock', awsRegion: 'us-east-1', executionMode: 'fly-machines' },
      "provider 'bedrock' is not supported with executionMode 'fly-machines'",
    ],
    ['an unknown provider', { ...ENG, provider: 'openai' }, "provider must be 'anthropic' or 'bedrock'"],
    ['an unknown executionMode', { ...ENG, executionMode: 'lambda' }, "executionMode must be 'github-actions' or 'fly-machines'"],
    ['machineCpus 0', { ...ENG, machineCpus: 0 }, 'machineCpus must be a positive integer'],
    ['machineCpus 1.5', { ...ENG, machineCpus: 1.5 }, 'machineCpus must be a positive integer'],
    ['machineMemoryMb 128', { ...ENG, machineMemoryMb: 128 }, 'machineMemoryMb must be an integer >= 256'],
    ['an unknown sessionMode', { ...ENG, sessionMode: 'lazy' }, "sessionMode must be 'autonomous', 'interactive', or 'hybrid'"],
    ['a branchPrefix with a space', { ...ENG, branchPrefix: 'ai implement/' }, 'branchPrefix invalid: must not contain spaces'],
    ['a branchPrefix with ..', { ...ENG, branchPrefix: 'ai/../x' }, "branchPrefix invalid: must not contain '..'"],
    ['extraEnv as an array', { ...ENG, extraEnv: ['A=1'] }, 'extraEnv must be a plain object'],
    ['extraEnv as a string', { ...ENG, extraEnv: 'A=1' }, 'extraEnv must be a plain object'],
    ['an extraEnv number', { ...ENG, extraEnv: { A: 1 } }, 'extraEnv values must all be strings'],
    ['maxInProgressAiIssues 0', { ...ENG, maxInProgressAiIssues: 0 }, 'maxInProgressAiIssues must be a positive integer'],
    ['maxInProgressAiIssues "3"', { ...ENG, maxInProgressAiIssues: '3' }, 'maxInProgressAiIssues must be a positive integer'],
    // Past a timer's reach every run would stop as it starts, and past 1.5e8 its callbacks would be refused.
    ['maxJobMinutes 1e308', { ...ENG, maxJobMinutes: 1e308 }, 'maxJobMinutes must be at most 35791'],
    [
      'planning without a workflow file',
      { ...ENG, planningEnabled: true, planningWorkflowFile: '' },
      'planningWorkflowFile is required when planningEnabled is true',
    ],
    ['an unknown ticketing system', { ...ENG, ticketing: 'trello' }, "ticketing must be 'linear', 'jira', 'github' or 'local'"],
    ['jira without jql', { ...ENG, ticketing: 'jira', repoFieldValue: 'web' }, "jql is required when ticketing is 'jira'"],
  ])('answers 400 for %s with the spec message, storing nothing', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toEqual({ error: message });
    expect(await list()).toEqual([]);
  });

  it('answers 400 Unknown field for a field no mapping has, on create and on update, changing nothing', async () => {
    const typo = await post({ ...ENG, maxInProgressAiIssue: 5 });
    expect(typo.status).toBe(400);
    expect(await jsonOf(typo)).toEqual({ error: 'Unknown field: maxInProgressAiIssue' });
    expect(await list()).toEqual([]);

    await post(ENG);
    const update = await post({ teamKey: 'ENG', maxInProgressAiIssues: 2, machine_cpus: 4 });
    expect(await jsonOf(update)).toEqual({ error: 'Unknown field: machine_cpus' });
    const patch = await h.call('PATCH', '/api/mappings/ENG', { body: { maxInProgressAiIssue: 5 }, token });
    expect(patch.status).toBe(400);
    expect(await jsonOf(patch)).toEqual({ error: 'Unknown field: maxInProgressAiIssue' });
    expect((await list())[0]).toMatchObject({ maxInProgressAiIssues: 3 });
  });

  it('answers 400 for an extraEnv name JavaScript objects reserve, storing nothing', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      // Raw JSON: "__proto__" arrives as an own key, as any client's body would carry it.
      const raw = `{"teamKey":"ENG","owner":"acme","repo":"web","defaultBranch":"main","extraEnv":{"A":"1","${name}":"x"}}`;
      const res = await h.call('POST', '/api/mappings', { raw, token });
      expect(res.status, name).toBe(400);
      expect(await jsonOf(res)).toEqual({
        error: `extraEnv must not use ${name} (__proto__, constructor and prototype are reserved names)`,
      });
    }
    expect(await list()).toEqual([]);
  });

  it('takes back a mapping as GET listed it (every answered field is a known one)', async () => {
    await post({ ...ENG, ticketing: 'jira', jql: 'project = ENG', repoFieldValue: 'web', maxTurns: 40 });
    const [stored] = await list();
    const res = await post(stored);
    expect(res.status).toBe(200);
  });

  it.each(['{"teamKey":', '[]', '"ENG"', '42', 'null', ''])('answers 400 Invalid request body for POST %j', async (raw) => {
    const res = await h.call('POST', '/api/mappings', { raw, token });
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toEqual({ error: 'Invalid request body' });
  });

  it('keeps the stored defaultBranch on update, but a create without one is refused', async () => {
    await post({ ...ENG, defaultBranch: 'development' });
    const res = await post({ teamKey: 'ENG', defaultBranch: '' });
    expect(((await jsonOf(res)).mapping as Record<string, unknown>).defaultBranch).toBe('development');
    const other = await post({ teamKey: 'WEB', owner: 'acme', repo: 'site' });
    expect(await jsonOf(other)).toEqual({ error: 'defaultBranch is required' });
  });

  describe('PATCH /api/mappings/:teamKey', () => {
    beforeEach(async () => {
      await post(ENG);
      h.clock.advance(5);
    });
    const patch = (teamKey: string, body: unknown) => h.call('PATCH', `/api/mappings/${teamKey}`, { body, token });

    it('changes the concurrency cap', async () => {
      const res = await patch('ENG', { maxInProgressAiIssues: 7 });
      expect(res.status).toBe(200);
      const { mapping } = (await jsonOf(res)) as { mapping: Record<string, unknown> };
      expect([mapping.maxInProgressAiIssues, mapping.updatedAt]).toEqual([7, T0 + 5]);
      expect((await h.orchestrator.cradle.storage.mappings.get('ENG'))?.maxInProgressAiIssues).toBe(7);
    });

    it('pauses and resumes', async () => {
      expect(((await jsonOf(await patch('ENG', { paused: true }))).mapping as Record<string, unknown>).paused).toBe(true);
      expect(((await jsonOf(await patch('ENG', { paused: false }))).mapping as Record<string, unknown>).paused).toBe(false);
    });

    it.each<[string, unknown, number, Record<string, unknown>]>([
      [
        'both fields',
        { paused: true, maxInProgressAiIssues: 2 },
        400,
        { error: 'Specify either paused or maxInProgressAiIssues, not both' },
      ],
      ['a cap of 0', { maxInProgressAiIssues: 0 }, 400, { error: 'maxInProgressAiIssues must be a positive integer' }],
      ['a fractional cap', { maxInProgressAiIssues: 1.5 }, 400, { error: 'maxInProgressAiIssues must be a positive integer' }],
      ['a string cap', { maxInProgressAiIssues: 'many' }, 400, { error: 'maxInProgressAiIssues must be a positive integer' }],
      ['a string paused', { paused: 'yes' }, 400, { error: 'paused must be a boolean' }],
    ])('answers %s with the spec error and changes nothing', async (_name, body, status, expected) => {
      const before = await h.orchestrator.cradle.storage.mappings.get('ENG');
      const res = await patch('ENG', body);
      expect(res.status).toBe(status);
      expect(await jsonOf(res)).toEqual(expected);
      expect(await h.orchestrator.cradle.storage.mappings.get('ENG')).toEqual(before);
    });

    it.each(['{"paused":', '[true]', 'true'])('answers 400 Invalid request body for %j', async (raw) => {
      const res = await h.call('PATCH', '/api/mappings/ENG', { raw, token });
      expect(res.status).toBe(400);
      expect(await jsonOf(res)).toEqual({ error: 'Invalid request body' });
    });

    it('answers 404 Team not found for an unknown team', async () => {
      const res = await patch('NOPE', { paused: true });
      expect(res.status).toBe(404);
      expect(await jsonOf(res)).toEqual({ error: 'Team not found' });
      expect(await h.orchestrator.cradle.storage.mappings.get('NOPE')).toBeUndefined();
    });
  });

  describe('DELETE /api/mappings/:teamKey', () => {
    it('deletes and answers { deleted: true }', async () => {
      await post(ENG);
      const res = await h.call('DELETE', '/api/mappings/ENG', { token });
      expect(res.status).toBe(200);
      expect(await jsonOf(res)).toEqual({ deleted: true });
      expect(await list()).toEqual([]);
    });

    it('answers 404 with exactly { "deleted": false } for an unknown team', async () => {
      const res = await h.call('DELETE', '/api/mappings/ENG', { token });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('{"deleted":false}');
    });
  });
});

describe('mappings persist in the embedded store', () => {
  it('are still there after a restart on the same DATA_DIR', async () => {
    const h = await startHarness('sqlite');
    const token = await h.login();
    await h.call('POST', '/api/mappings', { body: ENG, token });
    const { loadConfig } = await import('../../hosts/config.js');
    const { createOrchestrator } = await import('../../hosts/container.js');
    await h.orchestrator.dispose();
    const again = await createOrchestrator(loadConfig({ DATA_DIR: h.dataDir })._unsafeUnwrap());
    expect((await again.cradle.mappings.list()).map((m) => m.teamKey)).toEqual(['ENG']);
    await again.dispose();
    await h.close();
  });
});
