import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { expect } from 'vitest';
import { createManualClock } from '../../adapters/system/system-clock.adapter.js';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator, type Orchestrator, type OrchestratorOverrides } from '../../hosts/container.js';
import { createLogger, secretValues } from '../../hosts/logger.js';

export const ACCESS_CODE = 'correct horse battery staple';
export const T0 = Date.UTC(2026, 0, 1);

/** The real storages the host tests run against: the embedded SQLite file and unstorage memory. */
export const STORAGE_KINDS = ['sqlite', 'memory'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export interface Harness {
  orchestrator: Orchestrator;
  clock: ReturnType<typeof createManualClock>;
  dataDir: string;
  /** Every log line the orchestrator wrote (redacted as in production), instead of stderr. */
  logs: string[];
  /** A request with JSON content type; `token` adds the bearer header; `ip` is the client address the server sees. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: RequestInit['body']; token?: string; headers?: Record<string, string>; ip?: string },
  ): Promise<Response>;
  login(): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(
  kind: StorageKind = 'memory',
  env: Record<string, string> = { ADMIN_ACCESS_CODE: ACCESS_CODE },
  overrides: OrchestratorOverrides = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-hosts-'));
  const config = loadConfig({
    ...env,
    DATA_DIR: dataDir,
    ...(kind === 'memory' ? { STORAGE_URL: 'memory:' } : {}),
  })._unsafeUnwrap();
  const clock = createManualClock(T0);
  const logs: string[] = [];
  const logger = createLogger({ secrets: secretValues(config), write: (line) => logs.push(line), now: () => clock.now() });
  const orchestrator = await createOrchestrator(config, { clock: asValue(clock), logger: asValue(logger), ...overrides });
  const call: Harness['call'] = (method, path, options = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : (options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)));
    const init = { method, headers, ...(body === undefined ? {} : { body }) };
    if (options.ip === undefined) return orchestrator.request(path, init);
    // What srvx gives a request that came over a socket: the peer's address as `ip`.
    const request = Object.defineProperty(new Request(`http://localhost${path}`, init), 'ip', { value: options.ip });
    return orchestrator.fetch(request);
  };
  return {
    orchestrator,
    clock,
    dataDir,
    logs,
    call,
    async login() {
      const res = await call('POST', '/api/auth', { body: { code: ACCESS_CODE } });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
    async close() {
      await orchestrator.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}
