import { expect, inject } from 'vitest';
import type { LocalIssue } from '../../../adapters/ticketing/local/local-issue.js';
import type { Job } from '../../../core/domain/model.js';
import type { OrchestratorOverrides } from '../../../hosts/container.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { createTestDatabase } from '../../setup/postgres-database.js';
import { capturingShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, type StorageKind, startHarness } from '../harness.js';

export const RUNNER_SECRET = 'runner-token-secret-for-tests-0123456789';
export const TEAM = 'ENG';
/** An extraEnv value the session receives; it must never come back out. */
export const EXTRA_SECRET = 'sk-extra-env-value-9f8e7d6c';

export interface CallbackHarness extends Harness {
  admin: string;
  /** Every launch the (shadow) runner received, with the session env. */
  launches: RunLaunch[];
  /** The session ids the runner was asked to destroy. */
  destroyed: string[];
  /** Creates an issue on the local tracker with the trigger label. */
  createIssue(title?: string, description?: string): Promise<LocalIssue>;
  /** Runs one reconcile cycle and answers the launch of the newest dispatched job. */
  dispatch(): Promise<RunLaunch>;
  issue(id: string): Promise<LocalIssue>;
  job(id: string): Promise<Job>;
  /** POST with a run token as bearer. */
  runner(method: string, path: string, token: string | undefined, body?: unknown): Promise<Response>;
}

export interface CallbackHarnessOptions {
  kind?: StorageKind;
  env?: Record<string, string>;
  mapping?: Record<string, unknown>;
  overrides?: OrchestratorOverrides;
}

/**
 * A real orchestrator on the local tracker in shadow mode, with a mapping `ENG` and a shadow
 * runner that also keeps what it was launched with (the real shadow runner keeps only keys).
 */
export async function startCallbackHarness(options: CallbackHarnessOptions = {}): Promise<CallbackHarness> {
  const { launches, destroyed, runnerRegistry } = capturingShadowRunner();
  const h = await startHarness(
    options.kind ?? 'memory',
    { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: RUNNER_SECRET, RUNNER_MODE: 'shadow', ...options.env },
    { runnerRegistry, ...options.overrides },
  );
  const admin = await h.login();
  const saved = await h.call('POST', '/api/mappings', {
    token: admin,
    body: {
      teamKey: TEAM,
      owner: 'acme',
      repo: 'widgets',
      defaultBranch: 'main',
      ticketing: 'local',
      extraEnv: { DEPLOY_KEY: EXTRA_SECRET },
      ...options.mapping,
    },
  });
  expect(saved.status).toBe(200);
  const { cradle } = h.orchestrator;

  return {
    ...h,
    admin,
    launches,
    destroyed,
    async createIssue(title = 'Add a widget', description = 'The widget should spin.') {
      const created = await cradle.trackerStore.create({ teamKey: TEAM, title, description, labels: ['AI-Implement'] });
      if ('missing' in created) throw new Error('issue not created');
      return created;
    },
    async dispatch() {
      const before = launches.length;
      const report = await cradle.reconcile.request();
      expect(report.dispatched.length, JSON.stringify(report)).toBeGreaterThan(0);
      expect(launches.length).toBeGreaterThan(before);
      return launches[launches.length - 1]!;
    },
    async issue(id) {
      const issue = await cradle.trackerStore.find(id);
      if (!issue) throw new Error(`no issue ${id}`);
      return issue;
    },
    async job(id) {
      const job = await cradle.storage.jobs.get(id);
      if (!job) throw new Error(`no job ${id}`);
      return job;
    },
    runner(method, path, token, body) {
      return h.call(method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
    },
  };
}

/** A successful result body for `phase`. */
/** Two replicas sharing one fresh PostgreSQL database, and how to stop both and drop it. */
export async function startPostgresReplicas(): Promise<{ a: CallbackHarness; b: CallbackHarness; close(): Promise<void> }> {
  const database = await createTestDatabase(inject('postgresUrl'));
  const started: CallbackHarness[] = [];
  const close = async () => {
    for (const h of started) await h.close();
    await database.drop();
  };
  try {
    for (let i = 0; i < 2; i++) started.push(await startCallbackHarness({ kind: 'sqlite', env: { STORAGE_URL: database.url } }));
  } catch (error) {
    await close();
    throw error;
  }
  return { a: started[0] as CallbackHarness, b: started[1] as CallbackHarness, close };
}

export function resultBody(phase: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { phase, outcome: 'success', comments: [] };
  if (phase === 'implementation') Object.assign(base, { prUrl: 'https://github.example/acme/widgets/pull/7', prNumber: 7 });
  return { ...base, ...extra };
}

export const validStep = (extra: Record<string, unknown> = {}) => ({
  id: 'clone',
  type: 'git-clone',
  status: 'succeeded',
  started_at: '2026-01-01T00:00:01.000Z',
  ...extra,
});

export async function errorOf(res: Response): Promise<{ status: number; error: unknown }> {
  const body = (await res.json()) as { error?: unknown };
  return { status: res.status, error: body.error };
}
