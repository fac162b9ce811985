/**
 * Issue 17 in the session runtime: the agent's stream-json usage (the fake speaks the real
 * fields) rides on every step report and the result; a run past its own `maxCostUsd` or
 * `maxTokens` is stopped and fails with `Reached budget ($X.XX)`; an agent that reports nothing
 * sends no usage at all (not zeros).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCallbackOptions } from './fake-callback-server.js';
import { type SessionFixture, sessionFixture } from './session-fixture.js';

const fixtures: SessionFixture[] = [];
afterEach(async () => {
  while (fixtures.length > 0) await fixtures.pop()?.cleanup();
});
async function fixture(options: FakeCallbackOptions = {}) {
  const f = await sessionFixture(options);
  fixtures.push(f);
  return f;
}
const resultBody = (f: SessionFixture) =>
  f.server.to('/runner/result').find((c) => c.status === 200)?.body as Record<string, unknown>;
type Usage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd?: number;
};
/** Sonnet's price, per million tokens, as the fake agent charges. */
const sonnet = (u: Usage) =>
  (u.inputTokens * 3 + u.outputTokens * 15 + u.cacheReadTokens * 0.3 + u.cacheCreationTokens * 3.75) / 1e6;

describe('usage in a session', { timeout: 60_000 }, () => {
  it('reports the usage so far with every step after the agent spent, and the total with the result', async () => {
    const f = await fixture();
    const outcome = await f.run({ env: { FAKE_AGENT_TURNS: '2', FAKE_AGENT_TOKENS_PER_TURN: '1000' } });
    expect(outcome.outcome).toBe('success');
    const usage = resultBody(f).usage as Usage & { turns: number; model: string };
    // Two invocations (implement, post-push review), two turns each.
    expect(usage).toMatchObject({
      inputTokens: 4000,
      outputTokens: 800,
      cacheReadTokens: 8000,
      cacheCreationTokens: 400,
      turns: 4,
    });
    expect(usage.model).toBe('claude-impl-test'); // the model WORKFLOW.md names, as the agent said it ran
    expect(usage.costUsd).toBeCloseTo(sonnet(usage), 9);

    const steps = f.server.to('/runner/progress').map((c) => c.body as { step: { id: string; status: string }; usage?: Usage });
    const before = steps.filter(
      (b) => ['clone', 'setup'].includes(b.step.id) || (b.step.id === 'implement' && b.step.status === 'running'),
    );
    expect(before.every((b) => b.usage === undefined)).toBe(true);
    const implemented = steps.find((b) => b.step.id === 'implement' && b.step.status === 'succeeded');
    expect(implemented?.usage).toMatchObject({ inputTokens: 2000, outputTokens: 400 });
  });

  it('stops a runaway agent at maxCostUsd and fails with "Reached budget ($X.XX)"', async () => {
    const f = await fixture();
    const began = Date.now();
    const outcome = await f.run({
      mode: 'spend',
      env: { FAKE_AGENT_TOKENS_PER_TURN: '10000' },
      // A model the price table knows: mid-run, dollars come from the tokens at its price.
      config: { budget: { maxCostUsd: 0.3 }, model: 'claude-sonnet-4-5' },
      caps: { maxTurns: 1000 },
    });
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(outcome.outcome).toBe('failure');
    expect(outcome.reason).toMatch(/^Reached budget \(\$0\.(3\d|4\d)\)$/);
    const body = resultBody(f);
    expect(body.error).toBe(outcome.reason);
    const usage = body.usage as Usage;
    expect(usage.costUsd).toBeGreaterThanOrEqual(0.3);
    // Stopped on the turn that crossed: at 0.06975 $ a turn, at most one more streamed meanwhile.
    expect(usage.costUsd).toBeLessThan(0.3 + 2 * 0.07);
  });

  it('stops at maxTokens, tokens of every kind counted', async () => {
    const f = await fixture();
    const outcome = await f.run({
      mode: 'spend',
      env: { FAKE_AGENT_TOKENS_PER_TURN: '1000' },
      config: { budget: { maxTokens: 10_000 } },
      caps: { maxTurns: 1000 },
    });
    expect(outcome.reason).toMatch(/^Reached budget \(\$\d+\.\d\d\)$/);
    const usage = resultBody(f).usage as Usage;
    expect(usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens).toBeGreaterThanOrEqual(
      10_000,
    );
  });

  it('reports a spending agent’s usage on its own between step reports', async () => {
    const f = await fixture();
    await f.run({
      mode: 'spend',
      env: { FAKE_AGENT_TOKENS_PER_TURN: '1000' },
      config: { budget: { maxCostUsd: 0.2 }, model: 'claude-sonnet-4-5' },
      caps: { maxTurns: 1000 },
      usageReportMs: 100,
    });
    const alone = f.server.to('/runner/progress').filter((c) => (c.body as { step?: unknown }).step === undefined);
    expect(alone.length).toBeGreaterThan(0);
    const costs = alone.map((c) => (c.body as { usage: Usage }).usage.costUsd ?? 0);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
  });

  it('fails with the orchestrator’s budget reason when its progress answer aborts for a budget', async () => {
    const f = await fixture({ instructionsAt: { 5: [{ type: 'abort', reason: 'Reached budget ($1.23)', at: 1 }] } });
    const outcome = await f.run();
    expect(outcome.reason).toBe('Reached budget ($1.23)');
    expect(resultBody(f).error).toBe('Reached budget ($1.23)');
  });

  it('sends no usage at all when the agent reported none', async () => {
    const f = await fixture();
    await f.run({ env: { FAKE_AGENT_USAGE: 'off' } });
    expect(resultBody(f)).not.toHaveProperty('usage');
    expect(f.server.to('/runner/progress').every((c) => !Object.hasOwn(c.body as object, 'usage'))).toBe(true);
  });
});
