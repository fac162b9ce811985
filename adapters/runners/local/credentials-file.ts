import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run's callback credentials, which a process session gets in a file instead of its environment. */
const CREDENTIAL_KEYS = ['AI_IMPLEMENT_RESULT_TOKEN', 'AI_IMPLEMENT_PROGRESS_TOKEN', 'AI_IMPLEMENT_NONCE'];

export interface CredentialsHandOff {
  /** The session's environment: the credentials replaced by `AI_IMPLEMENT_CREDENTIALS_FILE`. */
  env: Record<string, string>;
  /** Removes the file's directory (the session deletes the file itself when it starts). */
  cleanup(): void;
}

/**
 * Moves the run's credentials out of the environment into a 0600 file in a 0700 directory,
 * which the session reads and deletes at start (hosts/session/run-credentials.ts). So they are
 * never in `/proc/<session>/environ`, where anything running as the same user could read them.
 */
export function handOffCredentials(runEnv: Record<string, string>): CredentialsHandOff {
  const present = CREDENTIAL_KEYS.filter((k) => runEnv[k] !== undefined);
  if (present.length === 0) return { env: runEnv, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-run-'));
  const file = join(dir, 'credentials.json');
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(runEnv)) {
    if (present.includes(key)) secrets[key] = value;
    else env[key] = value;
  }
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
  env.AI_IMPLEMENT_CREDENTIALS_FILE = file;
  return { env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where a container session reads its credentials: its standard input, which the runner writes once and closes. */
export const CONTAINER_CREDENTIALS_PATH = '/dev/stdin';

/**
 * A container session's credentials go over its standard input (a pipe from this process):
 * never `-e` on the CLI's argv or in the CLI's environment (where `/proc/<cli>/environ` and
 * `docker inspect` would show them), and no file of this machine is mounted. The session reads
 * `AI_IMPLEMENT_CREDENTIALS_FILE=/dev/stdin` as it reads the process runner's file.
 */
export function credentialsOverStdin(runEnv: Record<string, string>): { env: Record<string, string>; input?: string } {
  const present = CREDENTIAL_KEYS.filter((k) => runEnv[k] !== undefined);
  if (present.length === 0) return { env: runEnv };
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(runEnv)) {
    if (present.includes(key)) secrets[key] = value;
    else env[key] = value;
  }
  env.AI_IMPLEMENT_CREDENTIALS_FILE = CONTAINER_CREDENTIALS_PATH;
  return { env, input: JSON.stringify(secrets) };
}
