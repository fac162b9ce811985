import type { DedupEntry, DispatchLogEntry, Job, Mapping } from '../../../core/domain/model.js';
import type { RunUsageRecord } from '../../../ports/usage-store.port.js';
import { plain } from '../plain.js';
import type { StoreSnapshot } from '../snapshot.js';
import { DISPATCH_LOG_ID, type DocumentBackend, documentsTable, type Table } from './document-backend.js';
import { OPERATIONS_LOG_COLLECTIONS } from './document-operations-events.js';
import { USAGE_COLLECTION } from './document-usage.js';

/** Collections that are not documents of the document store: usage goes apart, the logs stay behind. */
const NOT_DOCUMENTS = new Set<string>([USAGE_COLLECTION, ...OPERATIONS_LOG_COLLECTIONS]);

/** Reads what an import carries out of a document backend; the caller holds the storage's mutex. */
export async function exportDocumentSnapshot(backend: DocumentBackend): Promise<StoreSnapshot> {
  const entries = async <T>(table: Table): Promise<[string, T][]> =>
    (await backend.entries(table)).map(([id, v]) => [id, plain(v as T)]);
  const values = async <T>(table: Table): Promise<T[]> => (await entries<T>(table)).map(([, v]) => v);
  const collections = (await backend.collections()).filter((c) => !NOT_DOCUMENTS.has(c)).sort();
  const documents = [];
  for (const collection of collections) {
    for (const [id, value] of await entries<unknown>(documentsTable(collection))) documents.push({ collection, id, value });
  }
  return {
    mappings: await values<Mapping>('mappings'),
    jobs: await values<Job>('jobs'),
    dedup: await values<DedupEntry>('dedup'),
    dispatchLog: plain(((await backend.get('meta', DISPATCH_LOG_ID)) as DispatchLogEntry[] | undefined) ?? []),
    settings: (await entries<string>('settings')).map(([key, value]) => ({ key, value })),
    claims: (await entries<{ expiresAt?: number | null }>('claims')).map(([key, c]) => ({ key, expiresAt: c.expiresAt ?? null })),
    documents,
    streams: (await entries<unknown[]>('streams')).map(([name, list]) => ({ name, entries: list })),
    counters: (await entries<number>('counters')).map(([name, value]) => ({ name, value })),
    usage: await values<RunUsageRecord>(documentsTable(USAGE_COLLECTION)),
  };
}
