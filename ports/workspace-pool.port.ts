/** One working directory a local session made (`ai-implement-<IDENTIFIER>-xxxxxx`). */
export interface WorkspaceInfo {
  /** The directory's name: the key `DELETE /api/v1/workspaces/:key` takes. */
  key: string;
  path: string;
  /** The issue identifier in its name, when it has one. */
  identifier?: string;
  sizeBytes: number;
  /** Last modification (epoch ms). */
  lastUsedAt: number;
}

/** WorkspacePool — the local runs' working directories on this node's disk. */
export interface WorkspacePool {
  list(): Promise<WorkspaceInfo[]>;
  /** Removes the directory and what is in it; false when there was none. */
  remove(key: string): Promise<boolean>;
}
