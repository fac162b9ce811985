/**
 * Usage accounting on real stores (issue 17 "Budgets"): a progress report with usage is one
 * conditional write — no read of the run's record nor of the day's spend per report — while
 * the budget events stay exact on one replica and reach every replica sharing the database
 * within SPEND_REFRESH_MS, once each (the store's claim), never counting a dollar twice.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgresStorage, openSqliteStorage } from '../../adapters/storage/sql/sql.adapter.js';
import { createUsageAccounting, SPEND_REFRESH_MS } from '../../core/app/usage/usage-accounting.service.js';
import { createUsageMetrics } from '../../core/app/usage/usage-metrics.js';
import { createUsageSettings } from '../../core/app/usage/usage-settings.js';
import { utcDay } from '../../core/domain/budget.js';
import type { Job } from '../../core/domain/model.js';
import type { OrchestratorEvent } from '../../ports/event-bus.port.js';
import type { Storage } from '../../ports/storage.port.js';
import { tempDir } from '../adapters/storage/temp-dir.js';
import { job, mapping } from '../core/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres-database.js';

const NOON = Date.UTC(2026, 11, 6, 12, 0, 0);
const DAY = utcDay(NOON);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

type BudgetEvent = Extract<OrchestratorEvent, { type: 'budget.warning' | 'budget.reached' }>;

/** Every store read the usage path can make, counted. */
interface Reads {
  get: number;
  spendOn: number;
  runSpendOn: number;
}

function counted(storage: Storage): { storage: Storage; reads: Reads } {
  const reads: Reads = { get: 0, spendOn: 0, runSpendOn: 0 };
  const usage = storage.usage;
  const count =
    <A extends unknown[], R>(name: keyof Reads, read: (...args: A) => R) =>
    (...args: A) => {
      reads[name]++;
      return read(...args);
    };
  const wrapped: Storage['usage'] = {
    ...usage,
    get: count('get', usage.get),
    spendOn: count('spendOn', usage.spendOn),
    runSpendOn: count('runSpendOn', usage.runSpendOn),
  };
  return { storage: Object.assign(Object.create(storage) as Storage, { usage: wrapped }), reads };
}

/** One orchestrator replica's usage accounting over its own connection to the shared store. */
function replica(store: Storage, clock: { now(): number }, globalDailyBudgetUsd?: number) {
  const { storage, reads } = counted(store);
  const events: BudgetEvent[] = [];
  const accounting = createUsageAccounting({
    storage,
    clock,
    logger: silent,
    eventBus: {
      publish: (e) => {
        if (e.type === 'budget.warning' || e.type === 'budget.reached') events.push(e);
      },
      subscribe: () => () => undefined,
    },
    usageSettings: createUsageSettings({ config: { dailyBudgetUsd: globalDailyBudgetUsd }, clock }),
    usageMetrics: createUsageMetrics(),
    steering: { abort: async () => undefined },
    jobOutcome: { record: async () => undefined },
    runnerRegistry: { get: () => undefined },
  });
  const report = (j: Job, costUsd: number) =>
    accounting.progress(j, { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd });
  return { accounting, events, reads, report };
}

const seen = (events: BudgetEvent[]) => events.map((e) => [e.type, e.data.scope, Number(e.data.spentUsd.toFixed(6))]);
const runJob = (n: number) => job({ id: `job-${n}`, issueId: `issue-${n}`, identifier: `ENG-${n}`, status: 'running' });

interface Backend {
  name: string;
  /** Two connections to one fresh database, as two replicas have. */
  open(): Promise<{ a: Storage; b: Storage; close(): Promise<void> }>;
}

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(inject('postgresUrl'));
});
afterAll(() => database?.drop());

const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = await tempDir();
      const file = join(dir.path, 'ai-implement.db');
      const a = await openSqliteStorage(file);
      const b = await openSqliteStorage(file);
      return {
        a,
        b,
        close: async () => {
          await Promise.all([a.close(), b.close()]);
          await dir.remove();
        },
      };
    },
  },
  {
    name: 'postgresql',
    async open() {
      const schema = await database!.schema();
      const a = await openPostgresStorage(schema.url);
      const b = await openPostgresStorage(schema.url);
      return {
        a,
        b,
        close: async () => {
          await Promise.all([a.close(), b.close()]);
          await schema.drop();
        },
      };
    },
  },
];

describe.each(backends)('usage accounting on $name', (backend) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  async function setup(budgets: { dailyBudgetUsd?: number; globalDailyBudgetUsd?: number }) {
    const stores = await backend.open();
    closers.push(stores.close);
    await stores.a.mappings.put(mapping({ dailyBudgetUsd: budgets.dailyBudgetUsd }));
    const clock = { at: NOON, now: () => clock.at };
    return {
      clock,
      a: replica(stores.a, clock, budgets.globalDailyBudgetUsd),
      b: replica(stores.b, clock, budgets.globalDailyBudgetUsd),
      truth: async () => (await stores.a.usage.spendOn(DAY)).ENG ?? 0,
    };
  }

  it('publishes on the very report that crosses, reading a run once and the day once per refresh', async () => {
    const { clock, a, truth } = await setup({ dailyBudgetUsd: 10 });
    const [one, two] = [runJob(1), runJob(2)];
    for (const usd of [1, 5, 7.9]) {
      clock.at += 100;
      await a.report(one, usd);
    }
    expect(a.events).toEqual([]);
    clock.at += 100;
    await a.report(one, 8);
    expect(seen(a.events)).toEqual([['budget.warning', 'team', 8]]);
    clock.at += 100;
    await a.report(two, 2.5);
    expect(seen(a.events)).toEqual([
      ['budget.warning', 'team', 8],
      ['budget.reached', 'team', 10.5],
    ]);
    expect(await truth()).toBeCloseTo(10.5, 9);
    // The run's record was read on its first report only; the day once (all within 2 s); never summed.
    expect(a.reads).toEqual({ get: 2, spendOn: 0, runSpendOn: 1 });

    // Past the refresh the day is read again, once; a report that adds no dollars reads nothing.
    clock.at += SPEND_REFRESH_MS;
    await a.report(one, 8);
    expect(a.reads.runSpendOn).toBe(1);
    await a.report(one, 9);
    expect(a.reads).toEqual({ get: 2, spendOn: 0, runSpendOn: 2 });
    expect(a.events).toHaveLength(2);
  });

  it('sees another replica’s spend within SPEND_REFRESH_MS, publishing once across both', async () => {
    const { clock, a, b, truth } = await setup({ dailyBudgetUsd: 100 });
    const [one, two, three] = [runJob(1), runJob(2), runJob(3)];
    await b.report(three, 1); // b reads the day: $1
    await a.report(one, 70); // a reads the day: $71
    clock.at += SPEND_REFRESH_MS / 2;
    // b's view still lacks a's $70: $16 of $100 as b sees it, $86 in the store. The warning waits.
    await b.report(two, 15);
    expect(await truth()).toBeCloseTo(86, 9);
    expect([...a.events, ...b.events]).toEqual([]);

    // Within the bound, b's next report reads the day again: the warning, with the store's sum.
    clock.at += SPEND_REFRESH_MS / 2;
    await b.report(two, 16);
    expect(seen(b.events)).toEqual([['budget.warning', 'team', 87]]);
    // a's own next report crosses too as a now sees it, but the claim makes the warning once.
    await a.report(one, 71);
    expect(a.events).toEqual([]);

    // a's view now holds b's runs as read and its own run once, at its newest report.
    clock.at += 100;
    await a.report(one, 82);
    expect(a.events).toEqual([]);
    await a.report(one, 83);
    expect(seen(a.events)).toEqual([['budget.reached', 'team', 100]]);
    expect(await truth()).toBeCloseTo(100, 9);
    expect(b.events).toHaveLength(1);
  });

  it('keeps a run’s spend exact when both replicas store its reports', async () => {
    const { clock, a, b, truth } = await setup({ globalDailyBudgetUsd: 10 });
    const one = runJob(1);
    // The run's reports alternate between the replicas (a load balancer in front): each replica
    // finds its remembered record outdated, reads the store and counts only what was added.
    for (const [i, usd] of [1, 2, 3, 4, 5, 6, 7, 7.5, 8].entries()) {
      clock.at += 300;
      await (i % 2 === 0 ? a : b).report(one, usd);
    }
    expect(await truth()).toBeCloseTo(8, 9);
    const events = [...a.events, ...b.events];
    expect(seen(events)).toEqual([['budget.warning', 'global', 8]]);
    // Each replica read the run on every report after the other had stored it.
    expect(a.reads.get + b.reads.get).toBe(9);
    clock.at += 300;
    await b.report(one, 10);
    expect(seen([...a.events, ...b.events])).toEqual([
      ['budget.warning', 'global', 8],
      ['budget.reached', 'global', 10],
    ]);
  });
});
