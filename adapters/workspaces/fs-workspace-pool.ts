import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceInfo, WorkspacePool } from '../../ports/workspace-pool.port.js';

/**
 * What hosts/session/session-runtime.ts names a run's workspace: `ai-implement-<IDENTIFIER>-<random>`,
 * the identifier being a dispatched issue's `KEY-123` (a Jira key may hold `_`). Anything else in
 * the directory with that prefix is not a workspace (the OS temp dir also holds the local runner's
 * `ai-implement-run-XXXXXX` credential dirs, and other programs' `mkdtemp('ai-implement-…-')`).
 */
const WORKSPACE_NAME = /^ai-implement-([A-Za-z][A-Za-z0-9_]*-[0-9]+)-[A-Za-z0-9]{6}$/;

/** Bytes under `path`, symbolic links counted as themselves (never followed). */
async function sizeOf(path: string): Promise<number> {
  const stat = await lstat(path);
  if (!stat.isDirectory()) return stat.size;
  const entries = await readdir(path).catch(() => [] as string[]);
  let total = stat.size;
  for (const entry of entries) total += await sizeOf(join(path, entry)).catch(() => 0);
  return total;
}

/** Newest modification under `path` (directories included, links not followed). */
async function lastUsed(path: string, depth = 0): Promise<number> {
  const stat = await lstat(path);
  if (!stat.isDirectory() || depth > 2) return stat.mtimeMs;
  const entries = await readdir(path).catch(() => [] as string[]);
  let newest = stat.mtimeMs;
  for (const entry of entries) newest = Math.max(newest, await lastUsed(join(path, entry), depth + 1).catch(() => 0));
  return newest;
}

/**
 * The WorkspacePool port on a directory (`AI_IMPLEMENT_WORKSPACE_DIR`, else the OS temp dir):
 * the workspaces local sessions made there. Only names of that shape are listed or removed,
 * so nothing else in the directory is ever touched.
 */
export function createFsWorkspacePool(root: string): WorkspacePool {
  return {
    async list() {
      const names = await readdir(root).catch(() => [] as string[]);
      const found: WorkspaceInfo[] = [];
      for (const name of names) {
        const match = WORKSPACE_NAME.exec(name);
        if (!match) continue;
        const path = join(root, name);
        const stat = await lstat(path).catch(() => undefined);
        if (!stat?.isDirectory()) continue;
        found.push({
          key: name,
          path,
          ...(match[1] ? { identifier: match[1] } : {}),
          sizeBytes: await sizeOf(path).catch(() => 0),
          lastUsedAt: Math.round(await lastUsed(path).catch(() => stat.mtimeMs)),
        });
      }
      return found;
    },
    async remove(key) {
      if (!WORKSPACE_NAME.test(key)) return false;
      const path = join(root, key);
      const stat = await lstat(path).catch(() => undefined);
      if (!stat?.isDirectory()) return false;
      await rm(path, { recursive: true, force: true });
      return true;
    },
  };
}
