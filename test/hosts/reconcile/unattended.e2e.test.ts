import { afterEach, describe, expect, it } from 'vitest';
import { type FakeLinear, type FakeLinearOptions, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';

/**
 * Issue 12, items 1 and 2, through the whole orchestrator: the real @linear/sdk against the
 * wire-level fake Linear, the embedded tracker, the shadow runner, and the composition root's
 * request governors on the harness's manual clock.
 */
const CANDIDATES = 'AiImplementTeamsCandidates';
type Connection = { id: string; service: string; state: string; until?: number };
let h: Harness | undefined;
let linear: FakeLinear | undefined;
afterEach(async () => {
  await h?.close();
  await linear?.close();
  h = undefined;
  linear = undefined;
});

async function start(fakeOptions: FakeLinearOptions = {}) {
  linear = await startFakeLinear(fakeOptions);
  linear.store.addTeam('ENG');
  const eng = linear.store.addIssue({ teamKey: 'ENG', title: 'linear work', labels: ['AI-Implement'] });
  h = await startHarness('memory', {
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    RUNNER_MODE: 'shadow',
    LINEAR_API_KEY: linear.apiKey,
    LINEAR_API_URL: linear.url,
    POLL_INTERVAL_MS: '1000',
  });
  const token = await h.login();
  for (const body of [
    { teamKey: 'ENG', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' },
    { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main' },
  ]) {
    const res = await h.call('POST', '/api/mappings', { token, body });
    expect(res.status, JSON.stringify(body)).toBe(200);
  }
  const local = await h.orchestrator.cradle.trackerStore.create({
    teamKey: 'LOC',
    title: 'local work',
    labels: ['AI-Implement'],
  });
  if ('missing' in local) throw new Error('unexpected');
  return { h, linear, token, local, eng };
}

describe('no outside service stalls the engine', () => {
  it('a Linear that accepts and never answers delays no local dispatch past its fetch deadline, and gets no pile of requests', async () => {
    const { h, linear, local } = await start();
    linear.failEvery({ kind: 'hang' });

    const started = performance.now();
    const first = await h.orchestrator.cradle.reconcile.request();
    const elapsed = performance.now() - started;
    expect(first.dispatched).toEqual([expect.objectContaining({ identifier: local.identifier, phase: 'planning' })]);
    expect(first.errors).toEqual({ ENG: 'Linear: no answer within 500 ms' });
    // Within one 1 s poll (the deadline is half of it), not Node's 300 s header timeout.
    expect(elapsed).toBeLessThan(1_000);

    const second = await h.orchestrator.cradle.reconcile.request();
    expect(second.errors).toEqual({ ENG: 'Linear: still fetching since an earlier cycle' });
    // The hung request is waited on again, not sent twice.
    expect(linear.requests).toHaveLength(1);
  });

  it('a slow Linear answer that misses its cycle is planned in the next one, without asking again', async () => {
    const { h, linear, eng } = await start({ latencyMs: 700 });
    const first = await h.orchestrator.cradle.reconcile.request();
    expect(first.errors).toEqual({ ENG: 'Linear: no answer within 500 ms' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await h.orchestrator.cradle.reconcile.request();
    expect(second.errors).toEqual({});
    expect(second.dispatched).toEqual([expect.objectContaining({ identifier: eng.identifier, phase: 'planning' })]);
    expect(linear.requestsNamed(CANDIDATES)).toHaveLength(1);
  });

  it("every Linear answer 429 Retry-After 30 and a 1 s poll: one request per window, the others' dispatch unaffected", async () => {
    const { h, linear } = await start();
    linear.failEvery({ kind: 'rateLimited', status: 429, retryAfterSeconds: 30 });
    const sentAt: number[] = [];
    const push = linear.requests.push.bind(linear.requests);
    const t0 = h.clock.now();
    linear.requests.push = (...records) => {
      sentAt.push(h!.clock.now() - t0);
      return push(...records);
    };
    let dispatchedLocal = 0;
    for (let poll = 0; poll < 95; poll++) {
      const report = await h.orchestrator.cradle.reconcile.request();
      dispatchedLocal += report.dispatched.length;
      // The very first answer may miss the 500 ms deadline of a cold process; it is then taken in the next cycle.
      expect(report.errors.ENG).toMatch(poll === 0 ? /rate limit|no answer/i : /rate limit/i);
      h.clock.advance(1_000);
    }
    expect(dispatchedLocal).toBe(1);
    expect(sentAt).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('what the operator sees of a rate-limited Linear: config-status, /api/v1/state, /metrics and the Blockers view', async () => {
    const { h, linear, token } = await start();
    linear.failEvery({ kind: 'rateLimited', retryAfterSeconds: 150, resetInMs: 150_000 });
    await h.orchestrator.cradle.reconcile.request();
    h.clock.advance(1_000);
    await h.orchestrator.cradle.reconcile.request();
    const until = h.clock.now() - 1_000 + 150_000; // the harness clock: 00:00:00 UTC + 150 s

    const status = (await (await h.call('GET', '/api/admin/config-status', { token })).json()) as { connections: Connection[] };
    expect(status.connections).toEqual([
      expect.objectContaining({ service: 'linear', baseUrl: linear.url, state: 'limited', until, remaining: 0 }),
    ]);
    expect(JSON.stringify(status)).not.toContain(linear.apiKey);

    const state = (await (await h.call('GET', '/api/v1/state', { token })).json()) as {
      connections: Connection[];
      lastReconcile: { errors: Record<string, string> };
    };
    expect(state.connections).toEqual([expect.objectContaining({ service: 'linear', state: 'limited', until })]);
    expect(state.lastReconcile.errors.ENG).toBe('Linear rate limited until 00:02:30 UTC');

    const metrics = await (await h.call('GET', '/metrics', { token })).text();
    const id = status.connections[0]!.id.split('#')[1]!;
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(metrics).not.toContain(linear.url);
    expect(metrics).toContain(`ai_implement_connection_state{service="linear",connection="${id}",state="limited"} 1`);
    expect(metrics).toContain(`ai_implement_connection_state{service="linear",connection="${id}",state="ok"} 0`);
    expect(metrics).toContain(
      `ai_implement_connection_blocked_until_seconds{service="linear",connection="${id}"} ${until / 1000}`,
    );
    expect(metrics).toContain(`ai_implement_connection_requests_remaining{service="linear",connection="${id}"} 0`);

    const blockers = (await (await h.call('GET', '/api/blockers', { token })).json()) as { mappings: unknown[] };
    expect(blockers.mappings).toEqual([
      { mapping: 'ENG', teamKey: 'ENG', reason: 'rate-limited', message: 'Linear rate limited until 00:03 UTC', until },
    ]);
    expect(linear.requests).toHaveLength(1);
  });
});
