import type { Kysely } from 'kysely';
import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../../core/domain/model.js';
import { DISPATCH_LOG_LIMIT } from '../../../ports/storage.port.js';
import type { StoreSnapshot } from '../snapshot.js';
import type { SqlDatabase } from './sql-schema.js';
import { usageRecord } from './sql-usage.js';

type Db = Kysely<SqlDatabase>;

/**
 * Reads what an import carries out of the SQL store, inside the caller's transaction so the
 * snapshot is of one moment. Whole tables: an export is an operator's one-off, not a hot path.
 */
export async function exportSnapshot(db: Db): Promise<StoreSnapshot> {
  const parsed = <T>(rows: { data: string }[]) => rows.map((r) => JSON.parse(r.data) as T);
  const streams = new Map<string, unknown[]>();
  for (const row of await db.selectFrom('stream_entries').select(['stream', 'data']).orderBy('stream').orderBy('pos').execute()) {
    const list = streams.get(row.stream) ?? [];
    list.push(JSON.parse(row.data));
    streams.set(row.stream, list);
  }
  return {
    mappings: parsed<Mapping>(await db.selectFrom('mappings').select('data').orderBy('team_key').execute()),
    jobs: parsed<Job>(await db.selectFrom('jobs').select('data').orderBy('id').execute()),
    dedup: parsed<DedupEntry>(await db.selectFrom('dedup').select('data').orderBy('issue_id').execute()),
    dispatchLog: parsed<DispatchLogEntry>(
      await db.selectFrom('dispatch_log').select('data').orderBy('seq', 'desc').limit(DISPATCH_LOG_LIMIT).execute(),
    ),
    settings: await db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute(),
    claims: (await db.selectFrom('claims').select(['key', 'expires_at']).orderBy('key').execute()).map((c) => ({
      key: c.key,
      expiresAt: c.expires_at === null ? null : Number(c.expires_at),
    })),
    documents: (
      await db.selectFrom('documents').select(['collection', 'id', 'data']).orderBy('collection').orderBy('id').execute()
    ).map((d) => ({ collection: d.collection, id: d.id, value: JSON.parse(d.data) as unknown })),
    streams: [...streams].map(([name, entries]) => ({ name, entries })),
    counters: (await db.selectFrom('counters').select(['name', 'value']).orderBy('name').execute()).map((c) => ({
      name: c.name,
      value: Number(c.value),
    })),
    usage: (await db.selectFrom('usage_runs').selectAll().orderBy('job_id').execute()).map(usageRecord),
  };
}
