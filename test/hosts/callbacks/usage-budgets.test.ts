/**
 * Issue 17 end to end on the orchestrator: usage on /runner/progress and /runner/result is
 * stored per attempt and shown (state, issue detail, attempts, /metrics, /api/usage and its CSV);
 * a run whose report crosses its mapping's maxCostUsd is aborted (steering abort on that answer,
 * runner destroy, failed) within 5 s; a team past its daily budget is held with the `budget`
 * blocker (runs in flight go on) until 00:00 UTC; 80 % and 100 % publish budget events once,
 * which are audit entries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import type { OrchestratorEvent } from '../../../ports/event-bus.port.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { type CallbackHarness, EXTRA_SECRET, resultBody, startCallbackHarness, TEAM, validStep } from './callbacks-harness.js';

type BudgetEvent = Extract<OrchestratorEvent, { type: 'budget.warning' | 'budget.reached' }>;
const harnesses: CallbackHarness[] = [];
afterEach(async () => {
  while (harnesses.length > 0) await harnesses.pop()!.close();
});

async function harness(mapping: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const h = await startCallbackHarness({ mapping, env });
  harnesses.push(h);
  const events: BudgetEvent[] = [];
  h.orchestrator.cradle.eventBus.subscribe((e) => {
    if (e.type === 'budget.warning' || e.type === 'budget.reached') events.push(e);
  });
  return { h, events };
}

const usage = (costUsd: number | undefined, extra: Record<string, unknown> = {}) => ({
  inputTokens: 1000,
  outputTokens: 200,
  cacheReadTokens: 3000,
  cacheCreationTokens: 100,
  model: 'claude-sonnet-4-5-20250929',
  ...(costUsd === undefined ? {} : { costUsd }),
  ...extra,
});

async function started(h: CallbackHarness, title = 'Spin the widget'): Promise<RunLaunch> {
  await h.createIssue(title);
  return h.dispatch();
}
const progress = (h: CallbackHarness, run: RunLaunch, body: unknown) =>
  h.runner('POST', '/runner/progress', run.env[RUN_ENV.progressToken], body);
const get = async (h: CallbackHarness, path: string) => {
  const res = await h.call('GET', path, { token: h.admin });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('usage per attempt', () => {
  it('stores what progress and the result report, and shows it; a run that reported nothing is null, not zero', async () => {
    const { h } = await harness();
    const quiet = await started(h, 'Quiet run');
    const run = await started(h);

    let state = await get(h, '/api/v1/state');
    expect(state.body.tokens).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheCreation: 0,
      total: 0,
      costUsd: 0,
      reported: false,
    });

    expect((await progress(h, run, { step: validStep({ status: 'running' }), usage: usage(0.25) })).status).toBe(200);
    // A report of usage alone records no step.
    expect((await progress(h, run, { usage: usage(0.5, { inputTokens: 2000 }) })).status).toBe(200);
    expect(await h.orchestrator.cradle.stepHistory.list(run.job.id)).toHaveLength(1);
    // A body with neither is still step_required; a malformed usage is dropped, the step kept.
    expect((await progress(h, run, {})).status).toBe(400);
    expect((await progress(h, run, { step: validStep(), usage: { inputTokens: 'lots' } })).status).toBe(200);

    state = await get(h, '/api/v1/state');
    expect(state.body.tokens).toMatchObject({
      input: 2000,
      output: 200,
      cacheRead: 3000,
      cacheCreation: 100,
      total: 5300,
      reported: true,
    });
    expect(state.body.tokens.costUsd).toBeCloseTo(0.5, 9);
    const rows = [...state.body.running] as { jobId: string; usage: Record<string, unknown> | null }[];
    expect(rows.find((r) => r.jobId === quiet.job.id)?.usage).toBeNull();
    expect(rows.find((r) => r.jobId === run.job.id)?.usage).toMatchObject({ totalTokens: 5300, costUsd: 0.5, final: false });

    const result = await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], {
      ...resultBody(run.job.phase),
      usage: usage(0.75, { inputTokens: 4000, turns: 7 }),
    });
    expect(result.status).toBe(200);
    const detail = await get(h, `/api/v1/${run.job.identifier}`);
    expect(detail.status).toBe(200);
    expect(detail.body.attempts[0].usage).toMatchObject({ inputTokens: 4000, costUsd: 0.75, turns: 7, final: true });
    expect(detail.body.usage).toMatchObject({ input: 4000, costUsd: 0.75, reported: true });
    const attempts = await get(h, `/api/v1/${quiet.job.identifier}/attempts`);
    expect(attempts.body.attempts[0].usage).toBeNull();

    const metrics = await (await h.call('GET', '/metrics')).text();
    expect(metrics).toContain(`ai_implement_tokens_total{team="${TEAM}",model="claude-sonnet-4-5-20250929",kind="input"} 4000`);
    expect(metrics).toContain(
      `ai_implement_tokens_total{team="${TEAM}",model="claude-sonnet-4-5-20250929",kind="cache_read"} 3000`,
    );
    expect(metrics).toContain(`ai_implement_cost_usd_total{team="${TEAM}",model="claude-sonnet-4-5-20250929"} 0.75`);
  });

  it('prices tokens by the model table when the agent gives no dollars, and the overlay’s MODEL_PRICES beats it', async () => {
    const { h } = await harness();
    const run = await started(h);
    await progress(h, run, {
      usage: { inputTokens: 1_000_000, outputTokens: 0, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    });
    expect((await h.orchestrator.cradle.storage.usage.get(run.job.id))?.costUsd).toBeCloseTo(3, 9);
    // A model nobody priced: tokens kept, dollars unknown (null), never 0.
    await progress(h, run, { usage: { inputTokens: 2_000_000, model: 'some-other-model' } });
    const state = await get(h, '/api/v1/state');
    expect(state.body.running[0].usage).toMatchObject({ inputTokens: 2_000_000, costUsd: null });

    const put = await h.call('PUT', '/api/v1/config/overlay', {
      token: h.admin,
      body: { MODEL_PRICES: JSON.stringify({ 'some-other-model': { input: 1, output: 2 } }) },
    });
    expect(put.status).toBe(200);
    h.clock.advance(10_000); // past the settings' cache
    await progress(h, run, { usage: { inputTokens: 3_000_000, model: 'some-other-model' } });
    expect((await h.orchestrator.cradle.storage.usage.get(run.job.id))?.costUsd).toBeCloseTo(3, 9);
  });

  it('keeps a run’s secrets out of the model name it reports, and prices the model it named', async () => {
    // A mapping value that is also a model name: the run is priced by what it named, shown redacted.
    const model = 'claude-sonnet-4-5-20250929';
    const { h } = await harness({ extraEnv: { DEPLOY_KEY: EXTRA_SECRET, AGENT_MODEL: model } });
    const run = await started(h);
    await progress(h, run, { usage: { inputTokens: 1_000_000, model } });
    expect((await h.orchestrator.cradle.storage.usage.get(run.job.id))?.costUsd).toBeCloseTo(3, 9);
    await progress(h, run, { usage: { inputTokens: 1_000_000, model: `m-${EXTRA_SECRET}` } });
    const result = resultBody('planning', { usage: { inputTokens: 1_000_000, model: `final-${EXTRA_SECRET}` } });
    expect((await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], result)).status).toBe(200);
    const shown = [
      JSON.stringify((await get(h, `/api/v1/${run.job.identifier}/attempts`)).body),
      await (await h.call('GET', '/api/usage/export?format=csv', { token: h.admin })).text(),
      await (await h.call('GET', '/metrics')).text(),
    ];
    for (const text of shown) expect(text).not.toContain(EXTRA_SECRET);
    expect(shown[0]).toContain('"model":"final-[REDACTED]"');
    expect(shown[1]).toContain(',final-[REDACTED],');
    expect(shown[2]).toContain('model="m-[REDACTED]"');
  });
});

describe('the run budget (maxCostUsd, maxTokens)', () => {
  it('aborts a run whose report crosses maxCostUsd: abort on that answer, runner destroyed, failed within 5 s', async () => {
    const { h, events } = await harness({ maxCostUsd: 1 });
    const run = await started(h);
    expect(run.env[RUN_ENV.maxCostUsd]).toBe('1');
    const below = (await (await progress(h, run, { step: validStep(), usage: usage(0.85) })).json()) as {
      instructions: unknown[];
    };
    expect(below.instructions).toEqual([]);
    expect(events.map((e) => [e.type, e.data.scope])).toEqual([['budget.warning', 'run']]);

    const began = Date.now();
    const crossing = (await (await progress(h, run, { usage: usage(1.2) })).json()) as { instructions: unknown[] };
    expect(crossing.instructions).toEqual([{ type: 'abort', reason: 'Reached budget ($1.20)', at: h.clock.now() }]);
    await h.orchestrator.cradle.usageAccounting.idle();
    expect(Date.now() - began).toBeLessThan(5_000);
    const job = await h.job(run.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe('Reached budget ($1.20)');
    if (job.runId ?? job.machineId) expect(h.destroyed).toContain(job.runId ?? job.machineId);
    expect(events.map((e) => [e.type, e.data.scope, e.data.budgetUsd])).toEqual([
      ['budget.warning', 'run', 1],
      ['budget.reached', 'run', 1],
    ]);
    // Still answered with the abort afterwards, and counted once only.
    const again = (await (await progress(h, run, { usage: usage(1.4) })).json()) as { instructions: { type: string }[] };
    expect(again.instructions.map((i) => i.type)).toEqual(['abort']);
    expect(events).toHaveLength(2);

    await h.orchestrator.cradle.audit.idle();
    const audit = await h.orchestrator.cradle.audit.list({}, { limit: 50, offset: 0 });
    const budgetEntries = (audit.entries as { action: string; detail?: Record<string, unknown> }[]).filter((e) =>
      e.action.startsWith('budget.'),
    );
    expect(budgetEntries.map((e) => e.action).sort()).toEqual(['budget.reached', 'budget.warning']);
    expect(budgetEntries.find((e) => e.action === 'budget.reached')?.detail).toMatchObject({ scope: 'run', budgetUsd: 1 });

    const summary = await get(h, '/api/usage');
    expect(summary.body.stoppedByBudget.map((r: { jobId: string }) => r.jobId)).toEqual([run.job.id]);
  });

  it('aborts at maxTokens (every kind counted) even without dollars', async () => {
    const { h } = await harness({ maxTokens: 5000 });
    const run = await started(h);
    const answer = (await (
      await progress(h, run, { usage: { inputTokens: 1000, outputTokens: 1000, cacheReadTokens: 3000, model: 'unpriced-model' } })
    ).json()) as { instructions: { type: string; reason?: string }[] };
    expect(answer.instructions).toEqual([expect.objectContaining({ type: 'abort', reason: 'Reached budget ($0.00)' })]);
  });

  it('keeps the budget fields on the mapping, validates them, and clears them with null', async () => {
    const { h } = await harness({ maxCostUsd: 2.5, maxTokens: 100000, dailyBudgetUsd: 40 });
    const list = await get(h, '/api/mappings');
    expect(list.body.mappings[0]).toMatchObject({ maxCostUsd: 2.5, maxTokens: 100000, dailyBudgetUsd: 40 });
    const bad = await h.call('POST', '/api/mappings', {
      token: h.admin,
      body: { teamKey: TEAM, owner: 'acme', repo: 'widgets', maxCostUsd: -1 },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'maxCostUsd must be a positive number of dollars' });
    const badTokens = await h.call('POST', '/api/mappings', {
      token: h.admin,
      body: { teamKey: TEAM, owner: 'acme', repo: 'widgets', maxTokens: 1.5 },
    });
    expect(await badTokens.json()).toEqual({ error: 'maxTokens must be a positive integer' });
    const cleared = await h.call('POST', '/api/mappings', {
      token: h.admin,
      body: { teamKey: TEAM, owner: 'acme', repo: 'widgets', maxCostUsd: null, dailyBudgetUsd: null },
    });
    expect(cleared.status).toBe(200);
    const mapping = ((await cleared.json()) as { mapping: Record<string, unknown> }).mapping;
    expect(mapping).not.toHaveProperty('maxCostUsd');
    expect(mapping).not.toHaveProperty('dailyBudgetUsd');
    expect(mapping.maxTokens).toBe(100000);
  });
});

describe('daily budgets', () => {
  it('holds a team past its dailyBudgetUsd with the budget blocker until 00:00 UTC; the run in flight goes on', async () => {
    const { h, events } = await harness({ dailyBudgetUsd: 2 });
    const run = await started(h);
    await progress(h, run, { step: validStep({ status: 'running' }), usage: usage(1.7) });
    expect(events.map((e) => [e.type, e.data.scope])).toEqual([['budget.warning', 'team']]);
    const answer = (await (await progress(h, run, { usage: usage(2.5) })).json()) as { instructions: unknown[] };
    expect(answer.instructions).toEqual([]); // a daily budget never stops a run in flight
    expect(events.map((e) => [e.type, e.data.scope, e.teamKey])).toEqual([
      ['budget.warning', 'team', TEAM],
      ['budget.reached', 'team', TEAM],
    ]);

    const next = await h.createIssue('Another widget');
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toEqual([]);
    const blockers = await get(h, '/api/blockers');
    expect(blockers.body.blockers).toEqual([
      expect.objectContaining({
        identifier: next.identifier,
        reason: 'budget',
        message: `Daily budget reached for team ${TEAM} ($2.50/$2.00). Resets at 00:00 UTC.`,
      }),
    ]);
    expect(blockers.body.kpis).toMatchObject({ totalBlocked: 1, blockedByBudget: 1 });
    expect((await h.job(run.job.id)).status).toBe('running');

    const today = await get(h, '/api/usage');
    expect(today.body.today.teams).toEqual([{ teamKey: TEAM, spentUsd: 2.5, budgetUsd: 2 }]);

    h.clock.advance(24 * 60 * 60 * 1000);
    const tomorrow = await h.orchestrator.cradle.reconcile.request();
    expect(tomorrow.dispatched.map((d) => d.identifier)).toEqual([next.identifier]);
  });

  it('holds every team past the global DAILY_BUDGET_USD, the message naming the global spend', async () => {
    const { h, events } = await harness({}, { DAILY_BUDGET_USD: '1' });
    const run = await started(h);
    await progress(h, run, { usage: usage(1.5) });
    expect(events.map((e) => [e.type, e.data.scope])).toEqual([
      ['budget.warning', 'global'],
      ['budget.reached', 'global'],
    ]);
    await h.createIssue('Another widget');
    await h.orchestrator.cradle.reconcile.request();
    const blockers = await get(h, '/api/blockers');
    expect(blockers.body.blockers[0]).toMatchObject({
      reason: 'budget',
      message: `Daily budget reached for team ${TEAM} ($1.50/$1.00). Resets at 00:00 UTC.`,
    });
    const summary = await get(h, '/api/usage');
    expect(summary.body.today.global).toEqual({ spentUsd: 1.5, budgetUsd: 1 });
  });
});

describe('GET /api/usage and /api/usage/export', () => {
  it('groups by team, model and day, and exports the runs as CSV', async () => {
    const { h } = await harness();
    const run = await started(h);
    await progress(h, run, { usage: usage(0.5) });
    const byTeam = await get(h, '/api/usage?groupBy=team');
    expect(byTeam.body.groups).toEqual([
      {
        key: TEAM,
        runs: 1,
        inputTokens: 1000,
        outputTokens: 200,
        cacheReadTokens: 3000,
        cacheCreationTokens: 100,
        costUsd: 0.5,
        unpricedRuns: 0,
      },
    ]);
    expect(byTeam.body.topIssues[0]).toMatchObject({ key: run.job.identifier, costUsd: 0.5 });
    expect((await get(h, '/api/usage?groupBy=model')).body.groups[0].key).toBe('claude-sonnet-4-5-20250929');
    expect((await get(h, '/api/usage?groupBy=day')).body.groups[0].key).toBe('2026-01-01');
    expect((await get(h, '/api/usage?groupBy=day&from=2026-01-02&to=2026-01-03')).body.groups).toEqual([]);

    const csv = await h.call('GET', '/api/usage/export?format=csv', { token: h.admin });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="ai-implement-usage-/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'day,team,issue,job_id,phase,model,input_tokens,output_tokens,cache_read_tokens,cache_creation_tokens,total_tokens,cost_usd,turns,final,stopped_by_budget',
    );
    expect(lines[1]).toBe(
      `2026-01-01,${TEAM},${run.job.identifier},${run.job.id},${run.job.phase},claude-sonnet-4-5-20250929,1000,200,3000,100,4300,0.500000,,false,false`,
    );
  });

  it('answers 400 for a bad range, groupBy or format', async () => {
    const { h } = await harness();
    const error = async (path: string) => {
      const res = await h.call('GET', path, { token: h.admin });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await error('/api/usage?groupBy=planet')).toEqual([400, 'groupBy must be one of: team, mapping, model, day']);
    expect(await error('/api/usage?from=yesterday')).toEqual([400, 'from must be a date (YYYY-MM-DD)']);
    expect(await error('/api/usage?to=2026-02-30')).toEqual([400, 'to must be a date (YYYY-MM-DD)']);
    expect(await error('/api/usage?from=2026-01-05&to=2026-01-01')).toEqual([400, 'from must not be after to']);
    expect(await error('/api/usage?from=2024-01-01&to=2026-01-01')).toEqual([400, 'from and to may span at most 366 days']);
    expect(await error('/api/usage/export?format=xlsx')).toEqual([400, 'format must be csv']);
    expect((await h.call('GET', '/api/usage')).status).toBe(401);
  });
});
