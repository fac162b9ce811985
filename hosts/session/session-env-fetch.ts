import { randomBytes } from 'node:crypto';

/** Where a Fly session takes its team secrets and extraEnv (hosts/http/routes/session-env.routes.ts). */
export const SESSION_ENV_PATH = '/runner/session-env';
/** The header carrying the session's fetch id: one random id for every attempt of one take. */
export const SESSION_ENV_FETCH_ID_HEADER = 'X-AI-Implement-Fetch-Id';

const ATTEMPTS = 4;
const TIMEOUT_MS = 15_000;
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Takes the run's team secrets and extraEnv from the orchestrator, once (`GET
 * /runner/session-env` with the progress token), for a session whose machine config must not
 * hold them. Network failures and 5xx are tried again (a machine may boot before its network
 * is up), every attempt with the same random fetch id, so that an attempt whose answer was
 * lost on the way (the orchestrator answered, the connection broke) is answered again; any
 * other refusal ends the session: 409 means the values were taken already, by someone else
 * holding this run's token, and the session must not run without them. No error names a value,
 * nor the fetch id.
 */
export async function fetchSessionEnv(
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch,
  sleep: (ms: number) => Promise<void> = realSleep,
  fetchId: string = randomBytes(16).toString('base64url'),
): Promise<{ values: Record<string, unknown> } | { error: string }> {
  const base = (env.AI_IMPLEMENT_CALLBACK_URL ?? '').trim().replace(/\/+$/, '');
  const token = (env.AI_IMPLEMENT_PROGRESS_TOKEN ?? '').trim();
  if (!/^https?:\/\/\S+$/.test(base) || !token)
    return { error: 'session: AI_IMPLEMENT_CALLBACK_URL and AI_IMPLEMENT_PROGRESS_TOKEN are needed to take the run environment' };
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(1000 * 2 ** (attempt - 2));
    let res: Response;
    try {
      res = await fetchImpl(`${base}${SESSION_ENV_PATH}`, {
        headers: { accept: 'application/json', authorization: `Bearer ${token}`, [SESSION_ENV_FETCH_ID_HEADER]: fetchId },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      continue;
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500) {
      last = `HTTP ${res.status}`;
      continue;
    }
    if (res.status === 409)
      return { error: `session: the run environment was already taken from ${SESSION_ENV_PATH} (409): not running without it` };
    if (res.status !== 200) return { error: `session: ${SESSION_ENV_PATH} answered ${res.status} ${errorCode(text)}`.trimEnd() };
    try {
      const values: unknown = JSON.parse(text);
      if (values && typeof values === 'object' && !Array.isArray(values)) return { values: values as Record<string, unknown> };
    } catch {
      // Reported below, without the body: it may hold the values.
    }
    return { error: `session: ${SESSION_ENV_PATH} answered something that is not a JSON object` };
  }
  return { error: `session: could not take the run environment from ${SESSION_ENV_PATH}: ${last}` };
}

/** The `error` code of a refusal (`{"error":"expired"}`), never the rest of the body. */
function errorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[\w .-]{1,80}$/.test(code) ? code : '';
  } catch {
    return '';
  }
}
