import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../testing/fakes/fly/fake-fly.server.js';
import { type FakeLinear, startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';
import { waitFor } from './world.js';

/**
 * admin-ui-and-api.txt, the views behind two panels, seen through the API with Linear and Fly
 * faked: "Issues" (each issue's current state: started / completed / cancelled) and "Sessions"
 * (every Fly Machine session in the started, starting or created state).
 */

let s: ServerProcess;
let linear: FakeLinear;
let fly: FakeFly;
beforeAll(async () => {
  [linear, fly] = await Promise.all([startFakeLinear(), startFakeFly()]);
  s = await startServerProcess({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    STORAGE_URL: 'memory:',
    LINEAR_API_KEY: linear.apiKey,
    LINEAR_API_URL: linear.url,
    FLY_API_TOKEN: fly.token,
    FLY_API_URL: fly.url,
    FLY_SESSIONS_APP: FAKE_FLY_APP,
    POLL_INTERVAL_MS: '3600000',
  });
  s.neverReveal(linear.apiKey, fly.token);
}, 60_000);
afterAll(async () => {
  await s?.close();
  await Promise.all([linear?.close(), fly?.close()]);
});

describe('GET /api/issues: the current state of each issue is started / completed / cancelled', () => {
  it('a Linear issue in each state type (Linear spells one `canceled`)', async () => {
    // `Ready for Review` (PR opened) keeps them in the lifecycle without starting any run.
    const issues = {
      started: linear.store.addIssue({
        teamKey: 'ENG',
        title: 'in progress',
        state: 'In Progress',
        labels: ['Ready for Review'],
      }),
      completed: linear.store.addIssue({ teamKey: 'ENG', title: 'done', state: 'Done', labels: ['Ready for Review'] }),
      cancelled: linear.store.addIssue({ teamKey: 'ENG', title: 'canceled', state: 'Canceled', labels: ['Ready for Review'] }),
    };
    const saved = await s.call('POST', '/api/mappings', {
      token: true,
      body: { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'widgets', defaultBranch: 'main' },
    });
    expect(saved.status, saved.text).toBe(200);
    expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);

    const rows = await waitFor(async () => {
      const res = await s.call('GET', '/api/issues', { token: true });
      const list = (res.body.issues ?? []) as { identifier: string; state: string | null }[];
      return res.status === 200 && list.length === 3 ? list : undefined;
    }, 'the three issues in /api/issues');
    const stateOf = (identifier: string) => rows.find((r) => r.identifier === identifier)?.state;
    for (const [state, issue] of Object.entries(issues)) expect(stateOf(issue.identifier), state).toBe(state);
  }, 30_000);
});

describe('GET /api/sessions: sessions in the started, starting or created state', () => {
  it('lists those machines and no stopping, stopped or destroyed one', async () => {
    const states = ['created', 'starting', 'started', 'stopping', 'stopped', 'destroyed'] as const;
    const seeded = states.map((state) => ({ state, id: fly.seedMachine(FAKE_FLY_APP, { state }).id }));
    const res = await s.call('GET', '/api/sessions', { token: true });
    expect(res.status, res.text).toBe(200);
    const listed = (res.body.sessions as { machineId: string; state: string }[]).filter((row) =>
      seeded.some((m) => m.id === row.machineId),
    );
    expect(listed.map((row) => row.state).sort()).toEqual(['created', 'started', 'starting']);
    for (const row of listed) expect(seeded.find((m) => m.id === row.machineId)?.state).toBe(row.state);
  });
});

describe('GET /api/issues and /api/blockers: paging parameters out of range are a 400 naming them', () => {
  it.each([
    ['/api/issues?limit=abc', 'limit must be an integer from 0 to 1000'],
    ['/api/issues?limit=1001', 'limit must be an integer from 0 to 1000'],
    ['/api/issues?limit=10&offset=-1', 'offset must be an integer from 0 to 9007199254740991'],
    ['/api/blockers?limit=-5', 'limit must be an integer from 0 to 1000'],
  ])('%s', async (path, error) => {
    expectAnswer(await s.call('GET', path, { token: true }), 400, { error });
  });
});
