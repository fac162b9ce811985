import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR_CALL_DEADLINE_MS } from '../../../core/app/operations/operator-deadline.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, jsonOf, startHarness } from '../harness.js';

let h: Harness | undefined;
let linear: FakeLinear | undefined;
afterEach(async () => {
  await h?.close();
  await linear?.close();
  h = linear = undefined;
});

/** A server with an ENG mapping on the fake Linear (holding one issue when given), and the admin token. */
async function linearMapping({ issue }: { issue?: string }) {
  const fake = await startFakeLinear({ apiKey: 'lin_api_test' });
  linear = fake;
  fake.store.addTeam('ENG');
  if (issue) fake.store.addIssue({ teamKey: 'ENG', title: issue, labels: ['AI-Implement'] });
  const server = await startHarness(
    'memory',
    { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_MODE: 'shadow', LINEAR_API_KEY: fake.apiKey, LINEAR_API_URL: fake.url },
    heldShadowRunner(),
  );
  h = server;
  const token = await server.login();
  const body = { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' };
  expect((await server.call('POST', '/api/mappings', { token, body })).status).toBe(200);
  return { server, fake, token };
}

describe('GET /api/v1/:id on a hung tracker', () => {
  it('answers from the last poll’s snapshot once the tracker has not answered within the operator deadline', async () => {
    const { server, fake, token } = await linearMapping({ issue: 'linear work' });
    await server.orchestrator.cradle.reconcile.request();

    fake.failEvery({ kind: 'hang' });
    const started = performance.now();
    const res = await server.call('GET', '/api/v1/ENG-1', { token });
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ identifier: 'ENG-1', teamKey: 'ENG', title: 'linear work' });
    expect(ms).toBeGreaterThanOrEqual(OPERATOR_CALL_DEADLINE_MS - 100);
    expect(ms).toBeLessThan(OPERATOR_CALL_DEADLINE_MS + 3_000);
  });

  it('an issue no poll has seen is not found once the tracker has not answered within the operator deadline', async () => {
    const { server, fake, token } = await linearMapping({});

    fake.failEvery({ kind: 'hang' });
    const started = performance.now();
    const res = await server.call('GET', '/api/v1/ENG-77', { token });
    const ms = performance.now() - started;
    expect(res.status).toBe(404);
    expect(ms).toBeGreaterThanOrEqual(OPERATOR_CALL_DEADLINE_MS - 100);
    expect(ms).toBeLessThan(OPERATOR_CALL_DEADLINE_MS + 3_000);
  }, 40_000);
});
