// @ts-check
/**
 * The JSON API client. The bearer token lives in sessionStorage (gone when the tab closes);
 * any 401 means it expired or was revoked, so the token is dropped and the app goes back to
 * the login form. Answers are results, never exceptions: `{ ok, status, data }` or
 * `{ ok: false, status, error }` with the API's own `error` text.
 */

const TOKEN_KEY = 'ai-implement.admin.token';

/**
 * @typedef {{ ok: true, status: number, data: any }} ApiOk
 * @typedef {{ ok: false, status: number, error: string, data?: any }} ApiFail
 * @typedef {ApiOk | ApiFail} ApiResult
 */

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  /** @param {string} value */
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Listeners told when the session ends (a 401). @type {Set<() => void>} */
const expiredListeners = new Set();

/** @param {() => void} listener */
export function onSessionExpired(listener) {
  expiredListeners.add(listener);
}

/**
 * Milliseconds to add to this browser's clock to get the server's, from each answer's Date
 * header; durations ("running for 4m") use it so a browser with a wrong clock still shows them right.
 */
let serverSkewMs = 0;
export const serverNow = () => Date.now() + serverSkewMs;

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<ApiResult>}
 */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const bearer = token.get();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    return { ok: false, status: 0, error: 'Could not reach the orchestrator' };
  }
  const date = Date.parse(res.headers.get('date') ?? '');
  if (Number.isFinite(date)) {
    const skew = date - Date.now();
    serverSkewMs = Math.abs(skew) > 5_000 ? skew : 0; // the header has whole seconds: ignore jitter
  }
  const data = await res.json().catch(() => undefined);
  if (res.status === 401 && path !== '/api/auth') {
    token.clear();
    for (const listener of expiredListeners) listener();
  }
  if (res.ok) return { ok: true, status: res.status, data };
  const error = data && typeof data.error === 'string' ? data.error : `Request failed (HTTP ${res.status})`;
  return { ok: false, status: res.status, error, data };
}

/**
 * Reads that are slow and rarely change (template status reads every mapped repository from
 * its forge): a live redraw reuses an answer younger than a minute instead of asking again.
 */
const SLOW_READS = new Set(['/api/admin/template-status']);
const SLOW_READ_MAX_AGE_MS = 60_000;
/** @type {Map<string, { at: number, result: ApiResult }>} */
const slowReads = new Map();
let reusingSlowReads = 0;

/**
 * Runs `work` (a live redraw) with slow reads answered from the last minute's answers.
 * @template T
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function reuseSlowReads(work) {
  reusingSlowReads += 1;
  try {
    return await work();
  } finally {
    reusingSlowReads -= 1;
  }
}

/** @param {string} path */
async function get(path) {
  if (!SLOW_READS.has(path)) return request('GET', path);
  const kept = slowReads.get(path);
  if (reusingSlowReads > 0 && kept && Date.now() - kept.at < SLOW_READ_MAX_AGE_MS) return kept.result;
  const result = await request('GET', path);
  if (result.ok) slowReads.set(path, { at: Date.now(), result });
  return result;
}

export const api = {
  /** @param {string} path */
  get,
  /** @param {string} path @param {unknown} [body] */
  post: (path, body) => request('POST', path, body ?? {}),
  /** @param {string} path @param {unknown} body */
  patch: (path, body) => request('PATCH', path, body),
  /** @param {string} path */
  del: (path) => request('DELETE', path),
};

/** A path segment: team keys, machine ids and secret names are always encoded. @param {string} value */
export const seg = (value) => encodeURIComponent(value);
