import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import { StorageError } from '../../../ports/storage.port.js';
import type { SqlKind } from './sql-schema.js';

/**
 * Forward-only migrations, inline so that nothing is read from disk at run time. A published
 * migration is never edited: a change of schema is a new entry at the end of the list.
 * The DDL is the only place the two dialects differ: an auto-incrementing key, and a binary
 * collation on PostgreSQL so that "in id order" means the same as on SQLite.
 */
function migrations(kind: SqlKind): Record<string, Migration> {
  const pg = kind === 'postgres';
  const seqType = pg ? 'bigserial' : 'integer';
  const ordered = sql`collate "C"`;
  return {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        const s = db.schema;
        await s
          .createTable('mappings')
          .addColumn('team_key', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();

        await s
          .createTable('jobs')
          .addColumn('id', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('issue_id', 'text', (c) => c.notNull())
          .addColumn('team_key', 'text', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('dispatched_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        // What jobs.list and jobs.count filter on, each with the listing order behind it.
        await s.createIndex('jobs_by_status').on('jobs').columns(['status', 'dispatched_at']).execute();
        await s.createIndex('jobs_by_issue').on('jobs').columns(['issue_id', 'dispatched_at']).execute();
        await s.createIndex('jobs_by_team').on('jobs').columns(['team_key', 'dispatched_at']).execute();
        await s.createIndex('jobs_by_updated').on('jobs').column('updated_at').execute();
        await s.createIndex('jobs_by_dispatched').on('jobs').column('dispatched_at').execute();

        await s
          .createTable('dedup')
          .addColumn('issue_id', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('dispatched_at', 'bigint', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await s.createIndex('dedup_by_dispatched').on('dedup').column('dispatched_at').execute();

        await s
          .createTable('dispatch_log')
          .addColumn('seq', seqType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();

        await s
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await s
          .createTable('claims')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint')
          .execute();
        await s.createIndex('claims_by_expiry').on('claims').column('expires_at').execute();

        await s
          .createTable('leases')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('fence', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();

        await s
          .createTable('counters')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'bigint', (c) => c.notNull())
          .execute();

        await s
          .createTable('documents')
          .addColumn('collection', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => (pg ? c.notNull().modifyEnd(ordered) : c.notNull()))
          .addColumn('data', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('documents_pk', ['collection', 'id'])
          .execute();

        await s
          .createTable('stream_entries')
          .addColumn('seq', seqType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await s.createIndex('stream_entries_by_stream').on('stream_entries').columns(['stream', 'seq']).execute();
      },
    },
    '0002-jobs-by-status-and-update': {
      // Retention and the recent-jobs views ask "finished, changed before/after T": with only
      // (status, dispatched_at) that walked every finished job of the status.
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('jobs_by_status_updated').on('jobs').columns(['status', 'updated_at']).execute();
        // The metrics gauges' grouped count reads this index alone.
        await db.schema.createIndex('jobs_by_phase_status').on('jobs').columns(['phase', 'status']).execute();
      },
    },
    '0003-jobs-by-identifier': {
      // An issue looked up by its identifier (ENG-12) found its jobs by reading every job.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('jobs')
          .addColumn('identifier', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        const fromData = pg ? sql`upper(data::json->>'identifier')` : sql`upper(json_extract(data, '$.identifier'))`;
        await sql`update jobs set identifier = coalesce(${fromData}, '')`.execute(db);
        await db.schema.createIndex('jobs_by_identifier').on('jobs').columns(['identifier', 'dispatched_at']).execute();
      },
    },
    '0004-usage': {
      // Tokens and dollars per run (issue 17): the day's spend per team is one indexed sum.
      async up(db: Kysely<unknown>) {
        const big = pg ? 'bigint' : 'integer';
        await db.schema
          .createTable('usage_runs')
          .addColumn('job_id', 'text', (c) => c.primaryKey())
          .addColumn('issue_id', 'text', (c) => c.notNull())
          .addColumn('identifier', 'text', (c) => c.notNull())
          .addColumn('team_key', 'text', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('reported_at', big, (c) => c.notNull())
          .addColumn('input_tokens', big, (c) => c.notNull())
          .addColumn('output_tokens', big, (c) => c.notNull())
          .addColumn('cache_read_tokens', big, (c) => c.notNull())
          .addColumn('cache_creation_tokens', big, (c) => c.notNull())
          .addColumn('cost_usd', pg ? 'double precision' : 'real')
          .addColumn('turns', 'integer')
          .addColumn('final', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('stopped', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('usage_runs_by_day_team').on('usage_runs').columns(['day', 'team_key']).execute();
        await db.schema.createIndex('usage_runs_by_reported').on('usage_runs').columns(['reported_at']).execute();
      },
    },
    '0005-connector-and-security-events': {
      // The connector event log and grouped security events (issue 18): paged, filtered and
      // pruned in SQL, each filter with the listing order behind it.
      async up(db: Kysely<unknown>) {
        const s = db.schema;
        await s
          .createTable('connector_events')
          .addColumn('id', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('direction', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('delivery_id', 'text')
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('body', 'text')
          .execute();
        await s.createIndex('connector_events_by_time').on('connector_events').columns(['received_at', 'id']).execute();
        await s.createIndex('connector_events_by_source').on('connector_events').columns(['source', 'received_at']).execute();
        await s.createIndex('connector_events_by_outcome').on('connector_events').columns(['outcome', 'received_at']).execute();
        await s.createIndex('connector_events_by_delivery').on('connector_events').columns(['source', 'delivery_id']).execute();

        await s
          .createTable('security_events')
          .addColumn('id', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('classification', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'bigint', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await s.createIndex('security_events_by_fingerprint').on('security_events').columns(['fingerprint', 'status']).execute();
        await s.createIndex('security_events_by_time').on('security_events').columns(['last_seen', 'id']).execute();
        await s.createIndex('security_events_by_status').on('security_events').columns(['status', 'last_seen']).execute();
        await s.createIndex('security_events_by_kind').on('security_events').columns(['kind', 'last_seen']).execute();
      },
    },
    '0006-notifications': {
      // The notification delivery queue (issue 18): workers of every replica claim due rows
      // by (status, next_attempt_at); the admin pages it newest first.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('notifications')
          .addColumn('id', 'text', (c) => (pg ? c.primaryKey().modifyEnd(ordered) : c.primaryKey()))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('claim_until', 'bigint')
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('notifications_due').on('notifications').columns(['status', 'next_attempt_at']).execute();
        await db.schema.createIndex('notifications_by_created').on('notifications').columns(['created_at', 'id']).execute();
        await db.schema
          .createIndex('notifications_by_status_updated')
          .on('notifications')
          .columns(['status', 'updated_at'])
          .execute();
      },
    },
    '0007-jobs-by-machine': {
      // An operator destroying a session that names no job found its job by reading every job.
      // Most jobs ran on no machine, so each index holds only the rows that did.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('jobs').addColumn('machine_id', 'text').execute();
        await db.schema.alterTable('jobs').addColumn('fly_run_id', 'text').execute();
        const field = (name: string) =>
          pg ? sql`(data::json->>${sql.lit(name)})` : sql`json_extract(data, ${sql.lit(`$.${name}`)})`;
        await sql`update jobs set machine_id = ${field('machineId')}, fly_run_id = case when ${field('runner')} = 'fly-machines' then ${field('runId')} end where ${field('machineId')} is not null or ${field('runner')} = 'fly-machines'`.execute(
          db,
        );
        for (const column of ['machine_id', 'fly_run_id']) {
          await db.schema
            .createIndex(`jobs_by_${column}`)
            .on('jobs')
            .column(column)
            .where(sql.ref(column), 'is not', null)
            .execute();
        }
      },
    },
    '0009-stream-positions': {
      // Every step append trimmed its stream by walking `keep` entries of (stream, seq) to find
      // the cutoff. A position per stream (1, 2, 3… in append order) makes the cutoff the new
      // entry's position minus `keep`: the trim is one index range. Listing orders by it too,
      // so the (stream, seq) index has no reader left.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('stream_entries')
          .addColumn('pos', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await sql`update stream_entries set pos = numbered.pos
          from (select seq, row_number() over (partition by stream order by seq) as pos from stream_entries) as numbered
          where stream_entries.seq = numbered.seq`.execute(db);
        await db.schema.createIndex('stream_entries_by_pos').on('stream_entries').columns(['stream', 'pos']).unique().execute();
        await db.schema.dropIndex('stream_entries_by_stream').execute();
      },
    },
    '0010-job-tally': {
      // The /metrics job gauges counted every job at each scrape (a GROUP BY over the whole
      // (phase, status) index: 100k jobs, tens of ms). The counts are kept by the database
      // itself, beside the jobs, by triggers: every writer is counted (another replica, an
      // import, a raw INSERT), in the writer's own transaction.
      up: (db: Kysely<unknown>) => (pg ? jobTallyPostgres(db) : jobTallySqlite(db)),
    },
    '0011-stream-entries-by-position': {
      // SQLite: the step history kept by (stream, pos) itself (WITHOUT ROWID). A row table with
      // an index wrote, for each step appended and trimmed, the table's tail page, the
      // AUTOINCREMENT counter, and per stream two index leaves and the page of the row trimmed;
      // clustered, a stream's newest and oldest leaves. Measured (raw statements, 7 streams a
      // commit): 12.1 → 9.4 µs an append, 50 → 30 µs a commit. PostgreSQL keeps its row table:
      // concurrent writers there are told apart by the unique (stream, pos) index.
      async up(db: Kysely<unknown>) {
        if (pg) return;
        await sql`create table stream_entries_by_position (stream text not null, pos integer not null,
          data text not null, primary key (stream, pos)) without rowid`.execute(db);
        await sql`insert into stream_entries_by_position (stream, pos, data)
          select stream, pos, data from stream_entries`.execute(db);
        await sql`drop table stream_entries`.execute(db);
        await sql`alter table stream_entries_by_position rename to stream_entries`.execute(db);
      },
    },
    '0012-change-notices': {
      // PostgreSQL: every write to a job or a document tells the other processes sharing the
      // database which row changed (LISTEN/NOTIFY, at its commit), so that they may keep the
      // hottest point reads in memory (sql-recent-reads.ts). SQLite has no other writer to hear.
      up: async (db: Kysely<unknown>) => {
        if (pg) await changeNoticesPostgres(db);
      },
    },
  };
}

/** The channel of 0012's notices: a JSON array naming the row (`["jobs", id]`, `["documents", collection, id]`), or `*`. */
export const CHANGE_CHANNEL = 'ai_implement_changes';
/** Past this many rows in one statement (an import, a purge) the notice is `*`: forget everything. */
const CHANGE_NOTICE_ROWS = 100;

/**
 * One trigger per table and kind of write, per statement, reading the rows it wrote from its
 * transition table (PostgreSQL allows one per trigger and event): a row-by-row notice up to
 * CHANGE_NOTICE_ROWS, one `*` beyond. Notices are sent at the commit, and not at all on a
 * rollback. Safe to run again (a store whose later migrations are redone).
 */
async function changeNoticesPostgres(db: Kysely<unknown>): Promise<void> {
  const notify = (table: string, key: string) =>
    sql.raw(`create or replace function ${table}_changed_notice() returns trigger language plpgsql set search_path from current as $$ begin
      if (select count(*) from changed) > ${CHANGE_NOTICE_ROWS} then perform pg_notify('${CHANGE_CHANNEL}', '*');
      else perform pg_notify('${CHANGE_CHANNEL}', json_build_array('${table}', ${key})::text) from changed; end if;
      return null; end $$`);
  await notify('jobs', 'id').execute(db);
  await notify('documents', 'collection, id').execute(db);
  for (const table of ['jobs', 'documents'])
    for (const [event, rows] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ]) {
      await sql.raw(`drop trigger if exists ${table}_${event}_notice on ${table}`).execute(db);
      await sql
        .raw(`create trigger ${table}_${event}_notice after ${event} on ${table} referencing ${rows} table as changed
          for each statement execute function ${table}_changed_notice()`)
        .execute(db);
    }
}

const FILL_TALLY = sql`insert into job_tally (phase, status, n) select phase, status, count(*) from jobs group by phase, status`;

/**
 * PostgreSQL runs the migration in one transaction. The triggers come before the fill: creating
 * them locks `jobs` against writers until the commit, so no write falls between the count and
 * the triggers. Inserts and deletes are counted per statement (an import of 100k jobs is one
 * grouped upsert per statement, not one per row on the same counter row); a change of phase
 * or status per row. Each adds to the counter rows in (phase, status) order, so two writers
 * never wait on each other's counter rows in opposite orders. The functions keep the search
 * path they were made with: a write from a session on another path (an operator's psql, with
 * the schema in the table's name) is counted in this installation's tally.
 */
async function jobTallyPostgres(db: Kysely<unknown>): Promise<void> {
  await sql`create table job_tally (phase text not null, status text not null, n bigint not null, primary key (phase, status))`.execute(
    db,
  );
  const add = (rows: ReturnType<typeof sql>) =>
    sql`insert into job_tally (phase, status, n) ${rows} order by 1, 2 on conflict (phase, status) do update set n = job_tally.n + excluded.n`;
  await sql`create function job_tally_inserted() returns trigger language plpgsql set search_path from current as $$ begin
    ${add(sql`select phase, status, count(*) from inserted group by phase, status`)}; return null; end $$`.execute(db);
  await sql`create function job_tally_deleted() returns trigger language plpgsql set search_path from current as $$ begin
    ${add(sql`select phase, status, -count(*) from deleted group by phase, status`)}; return null; end $$`.execute(db);
  await sql`create function job_tally_moved() returns trigger language plpgsql set search_path from current as $$ begin
    ${add(sql`select * from (values (old.phase, old.status, -1), (new.phase, new.status, 1)) as moved (phase, status, n)`)};
    return null; end $$`.execute(db);
  await sql`create trigger job_tally_insert after insert on jobs referencing new table as inserted
    for each statement execute function job_tally_inserted()`.execute(db);
  await sql`create trigger job_tally_delete after delete on jobs referencing old table as deleted
    for each statement execute function job_tally_deleted()`.execute(db);
  await sql`create trigger job_tally_update after update of phase, status on jobs for each row
    when (old.phase is distinct from new.phase or old.status is distinct from new.status)
    execute function job_tally_moved()`.execute(db);
  await FILL_TALLY.execute(db);
}

/**
 * SQLite runs migrations outside a transaction: this one is its own savepoint, and safe to run
 * again (Kysely records it after it ran). Its triggers are per row (SQLite has no other), an
 * upsert into a table of a few rows.
 */
async function jobTallySqlite(db: Kysely<unknown>): Promise<void> {
  const add = (phase: string, status: string, n: number) =>
    `insert into job_tally (phase, status, n) values (${phase}, ${status}, ${n}) on conflict (phase, status) do update set n = n + excluded.n;`;
  await sql`savepoint job_tally`.execute(db);
  try {
    await sql`create table if not exists job_tally (phase text not null, status text not null, n integer not null, primary key (phase, status))`.execute(
      db,
    );
    await sql
      .raw(`create trigger if not exists job_tally_insert after insert on jobs begin ${add('new.phase', 'new.status', 1)} end`)
      .execute(db);
    await sql
      .raw(`create trigger if not exists job_tally_delete after delete on jobs begin ${add('old.phase', 'old.status', -1)} end`)
      .execute(db);
    await sql
      .raw(
        `create trigger if not exists job_tally_update after update of phase, status on jobs
         when old.phase is not new.phase or old.status is not new.status
         begin ${add('old.phase', 'old.status', -1)} ${add('new.phase', 'new.status', 1)} end`,
      )
      .execute(db);
    await sql`delete from job_tally`.execute(db);
    await FILL_TALLY.execute(db);
    await sql`release job_tally`.execute(db);
  } catch (error) {
    await sql`rollback to job_tally`.execute(db);
    await sql`release job_tally`.execute(db);
    throw error;
  }
}

/**
 * Brings the schema to the latest version; runs at every open (a no-op when current). The
 * bookkeeping tables have names of their own so that an application keeping its own Kysely
 * migrations in the same database never meets ours. On PostgreSQL they are pinned to the
 * connection's current schema: Kysely looks for them in every schema otherwise, and another
 * installation in a neighbouring schema would make it believe they exist here.
 */
export function migrateToLatest(db: Kysely<unknown>, kind: SqlKind): Promise<void> {
  return migrate(db, kind, (migrator) => migrator.migrateToLatest());
}

/** Brings the schema to the migration named `name` and no further: a store as an older release left it (tests of a backfill). */
export function migrateUpTo(db: Kysely<unknown>, kind: SqlKind, name: string): Promise<void> {
  return migrate(db, kind, (migrator) => migrator.migrateTo(name));
}

async function migrate(db: Kysely<unknown>, kind: SqlKind, run: (migrator: Migrator) => Promise<MigrationResultSet>) {
  const all = migrations(kind);
  const provider: MigrationProvider = { getMigrations: async () => all };
  const schema =
    kind === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  if (await isCurrent(db, schema, Object.keys(all))) return;
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'ai_implement_migration',
    migrationLockTableName: 'ai_implement_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await run(migrator);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migration lock';
    throw new StorageError(`storage schema migration failed at ${failed}: ${(error as Error).message ?? error}`, error);
  }
}

/**
 * True when the store has run exactly these migrations: one read of the bookkeeping table.
 * The migrator would find the same and do nothing, but asks with nine statements on
 * PostgreSQL (two of them reading the catalog's every column) under an advisory lock: 41 ms of
 * each start against 1 ms (medians, README "Storage: measured"). Anything else (a missing
 * table, a pending or an unknown migration) goes to the migrator, which migrates or reports it.
 */
async function isCurrent(db: Kysely<unknown>, schema: string | undefined, names: readonly string[]): Promise<boolean> {
  const table = schema ? sql.id(schema, 'ai_implement_migration') : sql.id('ai_implement_migration');
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const done = new Set(rows.map((r) => r.name));
    return done.size === names.length && names.every((name) => done.has(name));
  } catch {
    return false;
  }
}
