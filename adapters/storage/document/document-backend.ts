/**
 * The little a key-value backend must offer for the typed stores of document-storage.ts:
 * values by (table, id), a table's entries, and a batch of changes. Everything atomic is done
 * above it, under one in-process mutex, so a backend needs no locking of its own.
 */
export type FixedTable =
  | 'mappings'
  | 'jobs'
  | 'dedup'
  | 'settings'
  | 'claims'
  | 'leases'
  | 'counters'
  | 'streams'
  | 'meta'
  | 'notifications';

/** `documents:<collection>` holds one collection of the document store. */
export type Table = FixedTable | `documents:${string}`;

export const documentsTable = (collection: string): Table => `documents:${collection}`;

/** `meta` holds single values: the dispatch log lives under this id. */
export const DISPATCH_LOG_ID = 'dispatchLog';

/** One write; `value` undefined removes the entry. */
export interface Change {
  table: Table;
  id: string;
  value: unknown;
}

export interface DocumentBackend {
  /** The stored value, or undefined. May be a live reference: callers copy. */
  get(table: Table, id: string): Promise<unknown>;
  /** Every [id, value] of the table, in no particular order. */
  entries(table: Table): Promise<[string, unknown][]>;
  /**
   * Applies the changes together. Backends that can make that atomic on disk say so (lowdb
   * writes one file); the others apply them in order.
   */
  write(changes: readonly Change[]): Promise<void>;
  /** True when nothing at all is stored. */
  isEmpty(): Promise<boolean>;
  /** The collections of the document store that hold an entry (`documents:<collection>`). */
  collections(): Promise<string[]>;
  close(): Promise<void>;
}
