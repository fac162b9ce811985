import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The run's callback credentials, which a session never gets in its environment. */
const CREDENTIAL_KEYS = ['AI_IMPLEMENT_RESULT_TOKEN', 'AI_IMPLEMENT_PROGRESS_TOKEN', 'AI_IMPLEMENT_NONCE'];

/**
 * What travels in the file (or over standard input) instead of the environment: the run's
 * callback credentials and every variable that is not one of the run's own `AI_IMPLEMENT_*`
 * settings — the team's secrets and the mapping's `extraEnv` (an API key among them). The
 * settings (job id, phase, repository, caps…) stay variables: they are no secret.
 */
export function isHandedOff(name: string): boolean {
  return CREDENTIAL_KEYS.includes(name) || !name.startsWith('AI_IMPLEMENT_');
}

function split(runEnv: Record<string, string>): { env: Record<string, string>; secrets: Record<string, string> } {
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(runEnv)) {
    if (isHandedOff(key)) secrets[key] = value;
    else env[key] = value;
  }
  return { env, secrets };
}

export interface CredentialsHandOff {
  /** The session's environment: the handed-off values replaced by `AI_IMPLEMENT_CREDENTIALS_FILE`. */
  env: Record<string, string>;
  /** Removes the file's directory (the session deletes the file itself when it starts). */
  cleanup(): void;
}

/**
 * Moves the run's credentials and secrets out of the environment into a 0600 file in a 0700
 * directory, which the session reads and deletes at start (hosts/session/run-credentials.ts).
 * So they are never in `/proc/<session>/environ`, where anything running as the same user
 * could read them.
 */
export function handOffCredentials(runEnv: Record<string, string>): CredentialsHandOff {
  const { env, secrets } = split(runEnv);
  if (Object.keys(secrets).length === 0) return { env: runEnv, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'ai-implement-run-'));
  const file = join(dir, 'credentials.json');
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
  env.AI_IMPLEMENT_CREDENTIALS_FILE = file;
  return { env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where a container session reads its credentials: its standard input, which the runner writes once and closes. */
export const CONTAINER_CREDENTIALS_PATH = '/dev/stdin';

/**
 * A container session's credentials and secrets go over its standard input (a pipe from this
 * process): never `-e` on the CLI's argv or in the CLI's environment (where
 * `/proc/<cli>/environ` and `docker inspect` would show them), and no file of this machine is
 * mounted. The session reads `AI_IMPLEMENT_CREDENTIALS_FILE=/dev/stdin` as it reads the process
 * runner's file.
 */
export function credentialsOverStdin(runEnv: Record<string, string>): { env: Record<string, string>; input?: string } {
  const { env, secrets } = split(runEnv);
  if (Object.keys(secrets).length === 0) return { env: runEnv };
  env.AI_IMPLEMENT_CREDENTIALS_FILE = CONTAINER_CREDENTIALS_PATH;
  return { env, input: JSON.stringify(secrets) };
}
