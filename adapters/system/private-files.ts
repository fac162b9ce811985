import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/**
 * The orchestrator's own files are its user's alone: DATA_DIR (and a store's directory) 0700,
 * the store file 0600. Files SQLite creates beside its database (`-wal`, `-shm`) take the
 * database file's mode.
 */

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Creates `dir` (and missing parents) 0700; an existing `dir` open to group or others is
 * tightened to 0700 — unless it is the working directory or one of its ancestors (a DATA_DIR
 * of `.` is the operator's choice, not the orchestrator's to lock), or a shared directory with
 * the sticky bit (a DATA_DIR of `/tmp` locked 0700 would lock every other user out of it; the
 * files inside are 0600 all the same).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  const rel = relative(resolve(dir), process.cwd());
  const holdsCwd = rel === '' || !rel.startsWith('..');
  const { mode } = statSync(dir);
  if (!holdsCwd && (mode & STICKY) === 0 && (mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR);
}

const STICKY = 0o1000;

/** Creates `file` empty with mode 0600, or tightens an existing one to 0600. */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE));
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE);
}

/** Tightens every file of `files` that exists to 0600. */
export function restrictExisting(files: readonly string[]): void {
  for (const file of files) if (existsSync(file)) ensurePrivateFile(file);
}
