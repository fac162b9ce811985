import { readFileSync, unlinkSync } from 'node:fs';
import { isRefusedEnvName, isReservedObjectKey } from '../../core/domain/mappings.js';
import { fetchSessionEnv } from './session-env-fetch.js';

/** The run's callback credentials: what must never sit in an environment a child can read. */
export const CREDENTIAL_KEYS = ['AI_IMPLEMENT_RESULT_TOKEN', 'AI_IMPLEMENT_PROGRESS_TOKEN', 'AI_IMPLEMENT_NONCE'] as const;
export const CREDENTIALS_FILE_KEY = 'AI_IMPLEMENT_CREDENTIALS_FILE';
/** The value of CREDENTIALS_FILE_KEY for a container session: the credentials arrive on its standard input. */
export const STDIN_CREDENTIALS = '/dev/stdin';
/**
 * The value of CREDENTIALS_FILE_KEY for a Fly session: the run's secrets wait at the
 * orchestrator, for one `GET /runner/session-env` (`receiveRunCredentials`); the credentials
 * are in the environment.
 */
export const CALLBACK_CREDENTIALS = 'callback';

/**
 * What the file may carry: the credentials, and the run's secrets (the team's, the mapping's
 * extraEnv) — never one of the session's own settings, nor a variable that changes what code
 * runs (`PATH`, `NODE_OPTIONS`, `LD_*`…), which a run's environment may not set.
 */
function handedOff(key: string): boolean {
  if ((CREDENTIAL_KEYS as readonly string[]).includes(key)) return true;
  return !key.startsWith('AI_IMPLEMENT_') && key !== 'HOME' && !isRefusedEnvName(key) && !isReservedObjectKey(key);
}

/**
 * Takes the run's credentials and secrets into this process only. The local runner hands them
 * over in a 0600 file (`AI_IMPLEMENT_CREDENTIALS_FILE`, a JSON object keyed like the variables), which
 * is read and deleted here, so they are in no `/proc/<pid>/environ`; credentials that came as
 * variables (Actions, containers) are taken out of `process.env` too, so nothing started later
 * inherits them. Returns the environment to read the session's settings from.
 */
export function takeRunCredentials(
  env: Record<string, string | undefined>,
  /** What the orchestrator handed over already (`receiveRunCredentials`), read as a file would be. */
  fetched?: Record<string, unknown>,
): { env: Record<string, string | undefined> } | { error: string } {
  // A null-prototype copy: a handed-over name is only ever a key, never the object's prototype.
  const out: Record<string, string | undefined> = Object.assign(Object.create(null), env);
  const file = fetched ? undefined : env[CREDENTIALS_FILE_KEY];
  delete out[CREDENTIALS_FILE_KEY];
  for (const [key, value] of Object.entries(fetched ?? {})) if (typeof value === 'string' && handedOff(key)) out[key] = value;
  if (file) {
    let parsed: unknown;
    // A container session gets them on its standard input (`/dev/stdin`): read fd 0 itself,
    // which also works when it is a socket, and there is no file to remove.
    const fromStdin = file === STDIN_CREDENTIALS;
    try {
      parsed = JSON.parse(readFileSync(fromStdin ? 0 : file, 'utf8'));
    } catch (error) {
      return { error: `session: cannot read ${CREDENTIALS_FILE_KEY}: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      try {
        if (!fromStdin) unlinkSync(file);
      } catch {
        // Already gone: nothing to leave behind.
      }
    }
    const values = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    for (const [key, value] of Object.entries(values)) if (typeof value === 'string' && handedOff(key)) out[key] = value;
  }
  for (const key of [...CREDENTIAL_KEYS, CREDENTIALS_FILE_KEY]) delete process.env[key];
  return { env: out };
}

/**
 * `takeRunCredentials`, for every way a runner hands them over: with `AI_IMPLEMENT_CREDENTIALS_FILE=callback`
 * (Fly) the team's secrets and extraEnv are taken from the orchestrator first (`fetchSessionEnv`).
 */
export async function receiveRunCredentials(
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch = fetch,
): Promise<{ env: Record<string, string | undefined> } | { error: string }> {
  if (env[CREDENTIALS_FILE_KEY] !== CALLBACK_CREDENTIALS) return takeRunCredentials(env);
  const fetched = await fetchSessionEnv(env, fetchImpl);
  if ('error' in fetched) {
    for (const key of [...CREDENTIAL_KEYS, CREDENTIALS_FILE_KEY]) delete process.env[key];
    return fetched;
  }
  return takeRunCredentials(env, fetched.values);
}
