import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * The orchestrator as an operator runs it: `node --import tsx hosts/cli/main.ts serve` in a
 * child process, configured by environment variables only, on a free loopback port. Tests talk
 * to it over real HTTP with fetch, as an outside test suite would; nothing here reaches into
 * the process.
 *
 * Every answer that passes through `call` is checked for leaked secrets: no value of a secret
 * environment variable given to the server (and no extra value the test names) may appear in
 * any response body or header.
 */

export const ACCESS_CODE = 'conformance-access-code-7f3a91';
export const RUNNER_SECRET = 'conformance-runner-secret-0c4d2e';

/** Environment variables whose values are secrets (ARCHITECTURE.md, configuration contract). */
const SECRET_VARS = [
  'ADMIN_ACCESS_CODE',
  'RUNNER_TOKEN_SECRET',
  'GITHUB_WEBHOOK_SECRET',
  'GAP_FILL_TRIGGER_SECRET',
  'LINEAR_API_KEY',
  'LINEAR_WEBHOOK_SECRET',
  'JIRA_API_TOKEN',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'FLY_API_TOKEN',
];

export interface CallOptions {
  /** JSON-encoded as the body. */
  body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  raw?: string | Uint8Array;
  /** `true`: log in first and use the admin token; a string: that bearer token. */
  token?: string | true;
  headers?: Record<string, string>;
  /** Abort after this many ms (a hang is a failure); 10 s unless told. */
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** `json` as an object (an empty one when it is not an object). */
  body: Record<string, unknown>;
}

export interface ServerProcess {
  url: string;
  env: Record<string, string>;
  output(): string;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** The admin bearer token (one login, cached). */
  adminToken(): Promise<string>;
  /** Adds values that must never appear in an answer (e.g. a secret value set through the API). */
  neverReveal(...values: string[]): void;
  close(): Promise<void>;
}

const LISTENING = /AI-Implement listening on (http:\/\/\S+)/;

/** Starts `ai-implement serve` with exactly `env` (plus PATH and HOME), on an ephemeral port. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-conformance-'));
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ...env,
  };
  // `--dotenv` names a file that is not there: a `.env` in the checkout (`ai-implement init`) stays out.
  const args = ['--import', 'tsx', 'hosts/cli/main.ts', 'serve', '--dotenv', join(dataDir, 'absent.env')];
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  const url = await waitForUrl(child, () => output);
  const secrets = SECRET_VARS.map((name) => fullEnv[name]).filter((v): v is string => typeof v === 'string' && v !== '');
  let token: Promise<string> | undefined;

  const call: ServerProcess['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const bearer = options.token === true ? await adminToken() : options.token;
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    let body: string | Uint8Array | undefined;
    if (method === 'GET' || method === 'HEAD') body = undefined;
    else if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer: Answer = {
      status: res.status,
      headers: res.headers,
      text,
      json,
      body: typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {},
    };
    expectNoSecret(answer, secrets, `${method} ${path}`);
    return answer;
  };

  function adminToken(): Promise<string> {
    token ??= (async () => {
      const res = await call('POST', '/api/auth', { body: { code: env.ADMIN_ACCESS_CODE } });
      if (res.status !== 200 || typeof res.body.token !== 'string') throw new Error(`login failed: ${res.status} ${res.text}`);
      return res.body.token;
    })();
    return token;
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    env: fullEnv,
    output: () => output,
    call,
    adminToken,
    neverReveal: (...values) => {
      secrets.push(...values.filter((v) => v.length >= 6));
    },
    close() {
      closed ??= stop(child).then(() => rmSync(dataDir, { recursive: true, force: true }));
      return closed;
    },
  };
}

function waitForUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`server did not start: ${output()}`));
    }, 25_000);
    const check = () => {
      const match = LISTENING.exec(output());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${output()}`));
    });
  });
}

/** SIGTERM the process we started (by its pid), SIGKILL if it lingers. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function expectNoSecret(answer: Answer, secrets: readonly string[], context: string): void {
  const headerText = [...answer.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  for (const secret of secrets) {
    expect(answer.text.includes(secret), `${context}: a secret value appears in the body`).toBe(false);
    expect(headerText.includes(secret), `${context}: a secret value appears in a header`).toBe(false);
  }
}

/** Status and exact body, in one assertion so a mismatch shows both. */
export function expectAnswer(answer: Answer, status: number, body: Record<string, unknown>): void {
  expect({ status: answer.status, body: answer.json }).toEqual({ status, body });
  expect(answer.headers.get('content-type') ?? '').toMatch(/^application\/json/);
}

/** A 4xx with a string `error` (fuzzing: anything but a 500 or a hang). */
export function expectClientError(answer: Answer, context: string): void {
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(typeof answer.body.error, `${context}: ${answer.text.slice(0, 300)}`).toBe('string');
}
