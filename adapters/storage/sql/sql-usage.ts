import { type Kysely, sql } from 'kysely';
import type { Phase } from '../../../core/domain/model.js';
import type {
  RunSpend,
  RunUsageRecord,
  UsageGroup,
  UsageGroupBy,
  UsageQuery,
  UsageStore,
} from '../../../ports/usage-store.port.js';
import { assertPage } from '../plain.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';
import { createUsageReplace } from './sql-usage-replace.js';

type Db = Kysely<SqlDatabase>;
type Row = SqlDatabase['usage_runs'];
type Run = <T>(what: string, task: () => Promise<T>) => Promise<T>;

const GROUP_COLUMN = {
  team: 'team_key',
  mapping: 'team_key',
  model: 'model',
  day: 'day',
  issue: 'identifier',
} as const satisfies Record<UsageGroupBy, keyof Row>;

/** A usage record as its `usage_runs` row (also what an import writes). */
export function usageRow(u: RunUsageRecord): Row {
  return {
    job_id: u.jobId,
    issue_id: u.issueId,
    identifier: u.identifier,
    team_key: u.teamKey,
    phase: u.phase,
    model: u.model ?? '',
    day: u.day,
    reported_at: u.reportedAt,
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cache_read_tokens: u.cacheReadTokens,
    cache_creation_tokens: u.cacheCreationTokens,
    cost_usd: u.costUsd ?? null,
    turns: u.turns ?? null,
    final: u.final ? 1 : 0,
    stopped: u.stoppedByBudget ? 1 : 0,
  };
}

/** A `usage_runs` row as its usage record (also what an export reads). */
export function usageRecord(r: Row): RunUsageRecord {
  const record: RunUsageRecord = {
    jobId: r.job_id,
    issueId: r.issue_id,
    identifier: r.identifier,
    teamKey: r.team_key,
    phase: r.phase as Phase,
    day: r.day,
    reportedAt: Number(r.reported_at),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cacheReadTokens: Number(r.cache_read_tokens),
    cacheCreationTokens: Number(r.cache_creation_tokens),
    final: Number(r.final) === 1,
    stoppedByBudget: Number(r.stopped) === 1,
  };
  if (r.model) record.model = r.model;
  if (r.cost_usd !== null) record.costUsd = Number(r.cost_usd);
  if (r.turns !== null) record.turns = Number(r.turns);
  return record;
}

/** The usage store on the SQL adapter's `usage_runs` table (migration 0004-usage). */
export function createSqlUsageStore(db: Db, run: Run, kind: SqlKind): UsageStore {
  const replace = createUsageReplace(db, kind);
  const inDays = (query: UsageQuery) => {
    let q = db.selectFrom('usage_runs').where('day', '>=', query.from).where('day', '<=', query.to);
    if (query.teamKey !== undefined) q = q.where('team_key', '=', query.teamKey);
    return q;
  };
  return {
    record: (usage) =>
      run('usage.record', async () => {
        const { job_id, day: _day, stopped: _stopped, ...changes } = usageRow(usage);
        const result = await db
          .insertInto('usage_runs')
          .values(usageRow(usage))
          .onConflict((oc) => oc.column('job_id').doUpdateSet(changes).where('usage_runs.reported_at', '<=', usage.reportedAt))
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
      }),
    replace: (usage, expected) => run('usage.replace', () => replace(usageRow(usage), usageRow(expected))),
    get: (jobId) =>
      run('usage.get', async () => {
        const row = await db.selectFrom('usage_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
        return row ? usageRecord(row) : undefined;
      }),
    forJobs: (jobIds) =>
      run('usage.forJobs', async () => {
        if (jobIds.length === 0) return [];
        const rows = await db
          .selectFrom('usage_runs')
          .selectAll()
          .where('job_id', 'in', [...jobIds])
          .execute();
        return rows.map(usageRecord);
      }),
    markStopped: (jobId) =>
      run('usage.markStopped', async () => {
        await db.updateTable('usage_runs').set({ stopped: 1 }).where('job_id', '=', jobId).execute();
      }),
    spendOn: (day) =>
      run('usage.spendOn', async () => {
        const rows = await db
          .selectFrom('usage_runs')
          .select(['team_key', (eb) => eb.fn.sum<number>('cost_usd').as('usd')])
          .where('day', '=', day)
          .where('cost_usd', 'is not', null)
          .groupBy('team_key')
          .execute();
        return Object.fromEntries(rows.map((r) => [r.team_key, Number(r.usd)]));
      }),
    runSpendOn: (day) =>
      run('usage.runSpendOn', async () => {
        const rows = await db
          .selectFrom('usage_runs')
          .select(['job_id', 'team_key', 'reported_at', 'cost_usd'])
          .where('day', '=', day)
          .execute();
        return rows.map((r): RunSpend => {
          const spend: RunSpend = { jobId: r.job_id, teamKey: r.team_key, reportedAt: Number(r.reported_at) };
          if (r.cost_usd !== null) spend.costUsd = Number(r.cost_usd);
          return spend;
        });
      }),
    summarize: async (query, groupBy, limit) => {
      if (limit !== undefined) assertPage('limit', limit);
      return run('usage.summarize', async () => {
        const column = GROUP_COLUMN[groupBy];
        let q = inDays(query)
          .select([
            sql.ref<string>(column).as('key'),
            (eb) => eb.fn.countAll<number>().as('runs'),
            (eb) => eb.fn.sum<number>('input_tokens').as('input'),
            (eb) => eb.fn.sum<number>('output_tokens').as('output'),
            (eb) => eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
            (eb) => eb.fn.sum<number>('cache_creation_tokens').as('cache_creation'),
            sql<number>`coalesce(sum(cost_usd), 0)`.as('usd'),
            sql<number>`sum(case when cost_usd is null then 1 else 0 end)`.as('unpriced'),
          ])
          .groupBy(column)
          .orderBy(sql`coalesce(sum(cost_usd), 0)`, 'desc')
          .orderBy(column);
        if (limit !== undefined) q = q.limit(limit);
        const rows = await q.execute();
        return rows.map(
          (r): UsageGroup => ({
            key: r.key,
            runs: Number(r.runs),
            inputTokens: Number(r.input),
            outputTokens: Number(r.output),
            cacheReadTokens: Number(r.cache_read),
            cacheCreationTokens: Number(r.cache_creation),
            costUsd: Number(r.usd),
            unpricedRuns: Number(r.unpriced),
          }),
        );
      });
    },
    list: async (query, page) => {
      assertPage('limit', page.limit);
      assertPage('offset', page.offset);
      return run('usage.list', async () => {
        let q = inDays(query).selectAll();
        if (query.stoppedByBudget !== undefined) q = q.where('stopped', '=', query.stoppedByBudget ? 1 : 0);
        const rows = await q.orderBy('reported_at', 'desc').orderBy('job_id').limit(page.limit).offset(page.offset).execute();
        return rows.map(usageRecord);
      });
    },
  };
}
