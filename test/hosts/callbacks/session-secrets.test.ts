import { afterEach, describe, expect, it } from 'vitest';
import { type CallbackHarness, startCallbackHarness } from './callbacks-harness.js';

let h: CallbackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the session environment', () => {
  it("carries the team's secrets and extraEnv, never another team's, and never the orchestrator's own", async () => {
    h = await startCallbackHarness();
    for (const [key, value] of [
      ['ENG_API_KEY', 'eng-secret-value'],
      ['OPS_API_KEY', 'ops-secret-value'],
    ]) {
      const res = await h.call('POST', `/api/v1/secrets/${key}`, { token: h.admin, body: { value } });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
    }
    await h.createIssue();
    const run = await h.dispatch();
    expect(run.env.ENG_API_KEY).toBe('eng-secret-value');
    expect(run.env.OPS_API_KEY).toBeUndefined();
    const values = Object.values(run.env);
    expect(values).not.toContain('ops-secret-value');
    expect(values.join('\n')).not.toContain('runner-token-secret');
  });
});
