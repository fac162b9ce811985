import { afterEach, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, jsonOf, startHarness } from '../harness.js';

let h: Harness | undefined;
let linear: FakeLinear | undefined;
let jira: FakeJira | undefined;
afterEach(async () => {
  await h?.close();
  await linear?.close();
  await jira?.close();
  h = linear = jira = undefined;
});

/**
 * A Linear team ENG and a Jira project ENG (mapped as JENG): both trackers have an ENG-1, and
 * the reconcile dispatches both.
 */
async function twoTrackersSharingAKey() {
  linear = await startFakeLinear({ apiKey: 'lin_api_test' });
  linear.store.addTeam('ENG');
  const fromLinear = linear.store.addIssue({ teamKey: 'ENG', title: 'linear work', labels: ['AI-Implement'] });
  linear.store.addIssue({ teamKey: 'ENG', title: 'only in linear', labels: [] });
  jira = await startFakeJira({ projects: ['ENG'] });
  const fromJira = jira.store.createIssue({ project: 'ENG', summary: 'jira work', status: 'Ready', repo: 'api' });
  h = await startHarness(
    'memory',
    {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      LINEAR_API_KEY: linear.apiKey,
      LINEAR_API_URL: linear.url,
      JIRA_HOST: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
    },
    heldShadowRunner(),
  );
  const token = await h.login();
  for (const body of [
    { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' },
    {
      teamKey: 'JENG',
      ticketing: 'jira',
      jql: 'project = ENG',
      repoFieldValue: 'api',
      owner: 'acme',
      repo: 'api',
      defaultBranch: 'main',
    },
  ]) {
    const res = await h.call('POST', '/api/mappings', { token, body });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  }
  const report = await h.orchestrator.cradle.reconcile.request();
  expect(report.dispatched.map((d) => d.identifier).sort()).toEqual(['ENG-1', 'ENG-1']);
  expect(fromLinear.identifier).toBe('ENG-1');
  expect(fromJira.key).toBe('ENG-1');
  return { token };
}

describe('/api/v1/:id when a Linear team key equals a Jira project key (issue 12 item 8)', () => {
  it('answers 409 naming both issues for the bare identifier, and each one for its tracker-qualified identifier', async () => {
    const { token } = await twoTrackersSharingAKey();
    const get = (id: string) => h!.call('GET', `/api/v1/${id}`, { token });

    const ambiguous = await get('ENG-1');
    expect(ambiguous.status).toBe(409);
    expect(await jsonOf(ambiguous)).toEqual({
      error: 'ENG-1 names more than one issue: linear:ENG-1, jira:ENG-1; ask for one by its tracker, e.g. linear:ENG-1',
    });

    const fromLinear = await jsonOf(await get('linear:ENG-1'));
    expect(fromLinear).toMatchObject({ identifier: 'ENG-1', teamKey: 'ENG', title: 'linear work' });
    const fromJira = await jsonOf(await get('jira:ENG-1'));
    expect(fromJira).toMatchObject({ identifier: 'ENG-1', teamKey: 'JENG', title: 'jira work' });
    expect(fromJira.id).not.toBe(fromLinear.id);

    // Every /api/v1/:id route reads the identifier the same way.
    const attempts = await jsonOf(await h!.call('GET', '/api/v1/jira:ENG-1/attempts', { token }));
    expect(attempts).toMatchObject({ identifier: 'ENG-1', attempts: [expect.objectContaining({ phase: 'planning' })] });
    expect((await h!.call('GET', '/api/v1/ENG-1/attempts', { token })).status).toBe(409);
    // By issue id, as before.
    expect((await jsonOf(await get(String(fromJira.id)))).title).toBe('jira work');
  });

  it('keeps a bare identifier working where only one tracker has it', async () => {
    const { token } = await twoTrackersSharingAKey();
    const res = await h!.call('GET', '/api/v1/ENG-2', { token });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ identifier: 'ENG-2', title: 'only in linear' });
    expect((await h!.call('GET', '/api/v1/jira:ENG-2', { token })).status).toBe(404);
  });
});
