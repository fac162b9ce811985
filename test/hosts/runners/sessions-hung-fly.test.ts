import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR_CALL_DEADLINE_MS } from '../../../core/app/operations/fly-sessions.js';
import { OPERATOR_FLY_REQUEST_TIMEOUT_MS } from '../../../hosts/composition/fly-sessions.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

/**
 * An operator's Fly call against a hung Machines API answers promptly: one attempt, bounded by
 * the operator request timeout (5 s), then the spec's 500 with the underlying message. Before,
 * the listing was retried (3 × 15 s) until the circuit opened.
 */
let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const timed = async <T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
};
const fakeRequests = (method: string, path: string | RegExp) => (r: { method: string; path: string }) =>
  r.method === method && (typeof path === 'string' ? r.path.endsWith(path) : path.test(r.path));

describe('operator calls on a hung Fly', () => {
  it('GET /api/sessions answers 500 with the timeout after one request, within the operator deadline', async () => {
    h = await startRunnersHarness();
    h.fly.failNext({ status: 0, hang: true, method: 'GET', times: 10 });
    const before = h.fly.requests.length;
    const { value: res, ms } = await timed(() => h!.api('GET', '/api/sessions'));
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^Fly API GET \/v1\/apps\/[^/]+\/machines failed: .*(timeout|aborted)/i);
    expect(ms).toBeGreaterThanOrEqual(OPERATOR_FLY_REQUEST_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(OPERATOR_FLY_REQUEST_TIMEOUT_MS + 2_000);
    expect(h.fly.requests.slice(before).filter(fakeRequests('GET', '/machines'))).toHaveLength(1);
  });

  it('DELETE /api/sessions/:machineId answers 500 when the delete hangs, and resets nothing', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    const machineId = job?.runId as string;
    h.fly.failNext({ status: 0, hang: true, method: 'DELETE', times: 10 });
    const before = h.fly.requests.length;
    const { value: res, ms } = await timed(() => h!.api('DELETE', `/api/sessions/${machineId}`));
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^Fly API DELETE .* failed: .*(timeout|aborted)/i);
    expect(ms).toBeLessThan(OPERATOR_CALL_DEADLINE_MS);
    expect(h.fly.requests.slice(before).filter(fakeRequests('DELETE', machineId))).toHaveLength(1);
    expect((await h.issue(issue.id)).labels).toContain('AI-Working');
    expect(await h.orchestrator.cradle.storage.dedup.list()).toHaveLength(1);
  });

  it('a team’s Fly secrets listing answers 500 with the timeout after one request', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    h.fly.failNext({ status: 0, hang: true, method: 'GET', path: '/secrets', times: 10 });
    const before = h.fly.requests.length;
    const { value: res, ms } = await timed(() => h!.api('GET', '/api/mappings/ENG/secrets'));
    expect(res.status).toBe(500);
    expect(ms).toBeLessThan(OPERATOR_FLY_REQUEST_TIMEOUT_MS + 2_000);
    expect(h.fly.requests.slice(before).filter(fakeRequests('GET', /\/secrets$/))).toHaveLength(1);
  });
});
