/**
 * The reads and writes every `/runner/progress` call makes, shared by the calls of one turn of
 * the event loop: each dialect runs them its fastest way (postgres-hot-path.ts,
 * sqlite-hot-path.ts). Every caller gets exactly the row it asked for, read after its call was
 * made, and its append committed (or the batch's failure).
 */
export interface HotPath {
  /** A job's or a document's `data`, by primary key. */
  pointRead(read: PointRead): Promise<string | undefined>;
  /** Appends at the stream's next position and keeps its newest `keep` entries. */
  append(append: StreamAppend): Promise<void>;
  /** The stream was deleted: whatever this process knew of it is stale. */
  forget?(stream: string): void;
}

export type PointRead = { table: 'jobs'; id: string } | { table: 'documents'; collection: string; id: string };

export interface StreamAppend {
  stream: string;
  data: string;
  keep: number;
}
