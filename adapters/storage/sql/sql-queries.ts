import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { DedupEntry, DispatchLogEntry, Job } from '../../../core/domain/model.js';
import { DISPATCH_LOG_LIMIT, type JobQuery } from '../../../ports/storage.port.js';
import type { SqlDatabase, SqlKind } from './sql-schema.js';

/**
 * The queries more than one operation shares (a dispatch writes a claim, a job, a dedup entry
 * and a log entry; an import writes all of them too). Each takes the handle to run on, so the
 * same query runs alone or inside a transaction. One set of queries for both dialects.
 */
type Db = Kysely<SqlDatabase>;

export function jobRow(job: Job): SqlDatabase['jobs'] {
  return {
    id: job.id,
    issue_id: job.issueId,
    identifier: job.identifier.toUpperCase(),
    team_key: job.teamKey,
    phase: job.phase,
    status: job.status,
    dispatched_at: job.dispatchedAt,
    updated_at: job.updatedAt,
    machine_id: job.machineId ?? null,
    fly_run_id: job.runner === 'fly-machines' ? (job.runId ?? null) : null,
    data: JSON.stringify(job),
  };
}

export async function upsertJob(db: Db, job: Job): Promise<void> {
  const row = jobRow(job);
  const { id: _id, ...changes } = row;
  await db
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute();
}

export async function upsertDedup(db: Db, entry: DedupEntry): Promise<void> {
  const row = { issue_id: entry.issueId, dispatched_at: entry.dispatchedAt, data: JSON.stringify(entry) };
  await db
    .insertInto('dedup')
    .values(row)
    .onConflict((oc) => oc.column('issue_id').doUpdateSet({ dispatched_at: row.dispatched_at, data: row.data }))
    .execute();
}

/** Appends and drops everything older than the newest DISPATCH_LOG_LIMIT entries. */
export async function appendDispatchLog(db: Db, entry: DispatchLogEntry): Promise<void> {
  await db
    .insertInto('dispatch_log')
    .values({ data: JSON.stringify(entry) })
    .execute();
  await db
    .deleteFrom('dispatch_log')
    .where('seq', '<', (eb) =>
      eb
        .selectFrom('dispatch_log')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(DISPATCH_LOG_LIMIT - 1),
    )
    .execute();
}

/**
 * Takes the claim unless it is held: a row that exists and has not lapsed wins the conflict,
 * a lapsed one is replaced. One statement, so concurrent claimers (on PostgreSQL they queue
 * on the unique key) see exactly one success.
 */
export async function tryClaim(db: Db, key: string, expiresAt: number | null, now: number): Promise<boolean> {
  const taken = await db
    .insertInto('claims')
    .values({ key, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ expires_at: expiresAt })
        .where((eb) => eb.and([eb('claims.expires_at', 'is not', null), eb('claims.expires_at', '<=', now)])),
    )
    .returning('key')
    .executeTakeFirst();
  return taken !== undefined;
}

/**
 * True while `lease` is held, not lapsed, with `fence`. Written as an UPDATE that changes
 * nothing so that PostgreSQL locks the lease row until the transaction ends: a rival cannot
 * take the lease between this check and the commit.
 */
export async function fenceHolds(db: Db, lease: string, fence: number, now: number): Promise<boolean> {
  const held = await db
    .updateTable('leases')
    .set((eb) => ({ fence: eb.ref('fence') }))
    .where('name', '=', lease)
    .where('fence', '=', fence)
    .where('expires_at', '>', now)
    .returning('name')
    .executeTakeFirst();
  return held !== undefined;
}

/** True while a job of this issue and phase has not finished. */
export async function jobInFlight(db: Kysely<SqlDatabase>, issueId: string, phase: string): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('issue_id', '=', issueId)
    .where('phase', '=', phase)
    .where('status', 'in', ['unknown', 'dispatched', 'running'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The filters of a job query, on the listing or the count. An empty `statuses` matches nothing. */
export function whereJobs<O>(
  query: SelectQueryBuilder<SqlDatabase, 'jobs', O>,
  filter: Omit<JobQuery, 'limit'>,
  kind: SqlKind,
): SelectQueryBuilder<SqlDatabase, 'jobs', O> {
  let q = query;
  if (filter.issueIds) {
    q = filter.issueIds.length === 0 ? q.where(sql<SqlBool>`1 = 0`) : q.where('issue_id', 'in', filter.issueIds);
  }
  if (filter.newestOfIssueAmong) {
    const phases = filter.newestOfIssueAmong;
    q =
      phases.length === 0
        ? q.where(sql<SqlBool>`1 = 0`)
        : q.where('phase', 'in', phases).where(
            // One probe of (issue_id, dispatched_at) per row: is there a later job of the issue?
            sql<SqlBool>`not exists (select 1 from jobs newer where newer.issue_id = jobs.issue_id and newer.dispatched_at > jobs.dispatched_at and newer.phase in (${sql.join(phases)}))`,
          );
  }
  if (filter.openedPullRequest !== undefined) {
    const prUrl = kind === 'postgres' ? sql`(data::json->>'prUrl')` : sql`json_extract(data, '$.prUrl')`;
    q = q.where(filter.openedPullRequest ? sql<SqlBool>`${prUrl} is not null` : sql<SqlBool>`${prUrl} is null`);
  }
  if (filter.statuses) q = filter.statuses.length === 0 ? q.where(sql<SqlBool>`1 = 0`) : q.where('status', 'in', filter.statuses);
  if (filter.issueId !== undefined) q = q.where('issue_id', '=', filter.issueId);
  if (filter.identifier !== undefined) q = q.where('identifier', '=', filter.identifier.toUpperCase());
  if (filter.teamKey !== undefined) q = q.where('team_key', '=', filter.teamKey);
  if (filter.phase !== undefined) q = q.where('phase', '=', filter.phase);
  if (filter.updatedBefore !== undefined) q = q.where('updated_at', '<', filter.updatedBefore);
  if (filter.updatedAfter !== undefined) q = q.where('updated_at', '>', filter.updatedAfter);
  if (filter.machine !== undefined) {
    const machine = filter.machine;
    q = q.where((eb) => eb.or([eb('machine_id', '=', machine), eb('fly_run_id', '=', machine)]));
  }
  if (filter.ids) q = filter.ids.length === 0 ? q.where(sql<SqlBool>`1 = 0`) : q.where('id', 'in', filter.ids);
  return q;
}
