import type { ResultBody } from '../../core/app/runs/run-callback-bodies.js';
import type { PlanningContext } from '../../core/app/runs/run-callbacks.service.js';
import type { SteeringInstruction } from '../../core/app/runs/steering.service.js';
import type { ProgressEvent } from '../../core/domain/comments.js';
import type { UsageReport } from '../../core/domain/usage.js';
import type { StepReport } from '../../ports/pipeline.port.js';

/**
 * The session's side of the callback protocol (ARCHITECTURE.md "Callback protocol"):
 * - `POST /runner/progress` (progress token) for every step; the answer may carry steering
 *   messages and an abort;
 * - `GET /runner/planning-context` (progress token): the issue and the plan;
 * - `POST /api/step-report`, `POST /api/status`, `POST /api/token` (nonce);
 * - `POST /runner/result` (result token) — EXACTLY ONCE: a second call is a broken invariant.
 *
 * Reporting never throws: a lost progress call must not fail a run. The result is retried on
 * network failures and 5xx (the token is single-use, so a 409 `already_consumed` after a lost
 * answer means an earlier attempt got through).
 */
export interface CallbackClient {
  /** A step's report, with the run's usage so far when there is any; `step` undefined: usage alone. */
  progress(step: StepReport | undefined, usage?: UsageReport): Promise<SteeringInstruction[]>;
  stepReport(step: StepReport): Promise<void>;
  status(event: ProgressEvent): Promise<void>;
  planningContext(): Promise<PlanningContext | undefined>;
  repoToken(owner: string): Promise<{ ok: { token: string } } | { error: string }>;
  result(body: ResultBody): Promise<{ delivered: boolean; status?: number; error?: string }>;
}

export interface CallbackClientOptions {
  callbackUrl: string;
  resultToken: string;
  progressToken: string;
  nonce: string;
  log: (line: string) => void;
  fetch?: typeof fetch;
  /** Waits between result attempts (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  /** Per-request timeout (15 s). */
  timeoutMs?: number;
  /** Result attempts on network failures and 5xx (6). */
  resultAttempts?: number;
}

/** How long a session waits in all for a repository token while GitHub holds the orchestrator back. */
export const TOKEN_WAIT_BUDGET_MS = 5 * 60_000;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Status events in the body shape of `POST /api/status`: `{ nonce, event, …fields }`. */
function statusFields(event: ProgressEvent): Record<string, unknown> {
  const { type, ...fields } = event;
  return { event: type, ...fields };
}

export function createCallbackClient(options: CallbackClientOptions): CallbackClient {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = options.callbackUrl.replace(/\/+$/, '');
  let resultSent = false;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    bearer?: string,
  ): Promise<{ status: number; body: unknown; retryAfterMs?: number } | { network: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    try {
      const res = await doFetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
      return { status: res.status, body: parsed, ...(retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
    } catch (error) {
      return { network: error instanceof Error ? error.message : String(error) };
    }
  }

  const errorOf = (answer: { status: number; body: unknown } | { network: string }) =>
    'network' in answer
      ? answer.network
      : `HTTP ${answer.status}${typeof (answer.body as { error?: unknown })?.error === 'string' ? ` ${(answer.body as { error: string }).error}` : ''}`;

  /** A report: one retry on a network failure or 5xx, then it is logged and dropped. */
  async function report(method: 'GET' | 'POST', path: string, body: unknown, bearer?: string) {
    for (let attempt = 1; ; attempt++) {
      const answer = await call(method, path, body, bearer);
      if (!('network' in answer) && answer.status < 500) {
        if (answer.status >= 400) options.log(`${method} ${path} refused: ${errorOf(answer)}`);
        return answer;
      }
      // A Retry-After is the caller's to wait out, not half a second.
      if (attempt >= 2 || ('retryAfterMs' in answer && answer.retryAfterMs !== undefined)) {
        options.log(`${method} ${path} failed: ${errorOf(answer)}`);
        return answer;
      }
      await sleep(500);
    }
  }

  return {
    async progress(step, usage) {
      const body = { ...(step ? { step } : {}), ...(usage ? { usage } : {}) };
      const answer = await report('POST', '/runner/progress', body, options.progressToken);
      if ('network' in answer || answer.status !== 200) return [];
      const instructions = (answer.body as { instructions?: unknown })?.instructions;
      return Array.isArray(instructions) ? (instructions as SteeringInstruction[]) : [];
    },

    async stepReport(step) {
      await report('POST', '/api/step-report', { nonce: options.nonce, step });
    },

    async status(event) {
      await report('POST', '/api/status', { nonce: options.nonce, ...statusFields(event) });
    },

    async planningContext() {
      const answer = await report('GET', '/runner/planning-context', undefined, options.progressToken);
      if ('network' in answer || answer.status !== 200) return undefined;
      return answer.body as PlanningContext;
    },

    async repoToken(owner) {
      // A 500 with Retry-After: GitHub is holding the orchestrator back (a rate limit, an open
      // circuit) for a while. Waited out, within TOKEN_WAIT_BUDGET_MS in all, rather than failing the run.
      let waited = 0;
      let answer = await report('POST', '/api/token', { nonce: options.nonce, owner });
      while (!('network' in answer) && answer.status === 500 && answer.retryAfterMs !== undefined) {
        const wait = Math.max(1000, answer.retryAfterMs);
        if (waited + wait > TOKEN_WAIT_BUDGET_MS) break;
        options.log(`POST /api/token: GitHub is holding requests back; trying again in ${Math.round(wait / 1000)} s`);
        await sleep(wait);
        waited += wait;
        answer = await report('POST', '/api/token', { nonce: options.nonce, owner });
      }
      if ('network' in answer || answer.status !== 200) return { error: errorOf(answer) };
      const token = (answer.body as { token?: unknown })?.token;
      return typeof token === 'string' && token !== '' ? { ok: { token } } : { error: 'the answer carried no token' };
    },

    async result(body) {
      if (resultSent) throw new Error('the run result was already sent: a run reports exactly one result');
      resultSent = true;
      const attempts = options.resultAttempts ?? 6;
      let last: { status: number; body: unknown } | { network: string } = { network: 'not sent' };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        last = await call('POST', '/runner/result', body, options.resultToken);
        if (!('network' in last) && last.status < 500) {
          if (last.status === 200) return { delivered: true, status: 200 };
          // An earlier attempt whose answer was lost consumed the token: it got through.
          const consumed = last.status === 409 && attempt > 1;
          options.log(`POST /runner/result refused: ${errorOf(last)}`);
          return { delivered: consumed, status: last.status, error: errorOf(last) };
        }
        options.log(`POST /runner/result attempt ${attempt} failed: ${errorOf(last)}`);
        if (attempt < attempts) await sleep(Math.min(30_000, 1000 * 2 ** (attempt - 1)));
      }
      return { delivered: false, ...('network' in last ? {} : { status: last.status }), error: errorOf(last) };
    },
  };
}
