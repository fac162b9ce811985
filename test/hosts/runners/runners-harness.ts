import { expect } from 'vitest';
import type { LocalIssue } from '../../../adapters/ticketing/local/local-issue.js';
import type { Job } from '../../../core/domain/model.js';
import type { OrchestratorOverrides } from '../../../hosts/container.js';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../../testing/fakes/fly/fake-fly.server.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { seedAcme, TOKEN } from '../../../testing/fakes/github/seed.js';
import { ACCESS_CODE, type Harness, startHarness, T0 } from '../harness.js';

export const TEAM = 'ENG';
export const RUNNER_SECRET = 'runner-token-secret-for-runner-tests-0123';

export interface RunnersHarness extends Harness {
  admin: string;
  fly: FakeFly;
  /** The fake GitHub, when started with `github: true` (acme/widgets with the synced templates). */
  github?: FakeGithub;
  /** Authenticated admin call; answers status and parsed JSON body. */
  api(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  createMapping(extra?: Record<string, unknown>, teamKey?: string): Promise<void>;
  /** An issue on the local tracker with the trigger label. */
  createIssue(title?: string, teamKey?: string): Promise<LocalIssue>;
  /** Runs one reconcile cycle; answers the jobs it dispatched. */
  dispatch(): Promise<Job[]>;
  issue(id: string): Promise<LocalIssue>;
  job(id: string): Promise<Job>;
  close(): Promise<void>;
}

export interface RunnersHarnessOptions {
  /** Environment on top of the admin code and runner secret; `fly: true` adds the fake Fly's. */
  env?: Record<string, string>;
  fly?: boolean;
  /** Also start a fake GitHub (same clock) and configure GITHUB_TOKEN and GITHUB_API_URL for it. */
  github?: boolean;
  overrides?: OrchestratorOverrides;
}

/**
 * A real orchestrator (memory storage, manual clock at T0) with a wire-level fake Fly whose
 * clock is the orchestrator's, so machine ages follow `h.clock`.
 */
export async function startRunnersHarness(options: RunnersHarnessOptions = {}): Promise<RunnersHarness> {
  let clockRef: { now(): number } = { now: () => T0 };
  const fly = await startFakeFly({ now: () => clockRef.now() });
  const outsideEnv: Record<string, string> =
    options.fly === false ? {} : { FLY_API_TOKEN: fly.token, FLY_API_URL: fly.url, FLY_SESSIONS_APP: FAKE_FLY_APP };
  const github = options.github ? await startFakeGithub({ now: () => clockRef.now() }) : undefined;
  if (github) {
    github.addToken(TOKEN);
    seedAcme(github);
    outsideEnv.GITHUB_TOKEN = TOKEN;
    outsideEnv.GITHUB_API_URL = github.url;
  }
  const h = await startHarness(
    'memory',
    { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: RUNNER_SECRET, ...outsideEnv, ...options.env },
    options.overrides ?? {},
  );
  clockRef = h.clock;
  const admin = await h.login();
  const { cradle } = h.orchestrator;

  const api: RunnersHarness['api'] = async (method, path, body, raw) => {
    const res = await h.call(method, path, {
      token: admin,
      ...(raw !== undefined ? { raw } : body === undefined ? {} : { body }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  return {
    ...h,
    admin,
    fly,
    ...(github ? { github } : {}),
    api,
    async createMapping(extra = {}, teamKey = TEAM) {
      // The fake Fly refuses a machine config that carries one of these values.
      fly.forbidInConfig(...Object.values((extra.extraEnv ?? {}) as Record<string, string>));
      const saved = await api('POST', '/api/mappings', {
        teamKey,
        owner: 'acme',
        repo: 'widgets',
        defaultBranch: 'main',
        ticketing: 'local',
        executionMode: 'fly-machines',
        planningEnabled: false,
        ...extra,
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    },
    async createIssue(title = 'Add a widget', teamKey = TEAM) {
      const created = await cradle.trackerStore.create({ teamKey, title, labels: ['AI-Implement'] });
      if ('missing' in created) throw new Error('issue not created');
      return created;
    },
    async dispatch() {
      const report = await cradle.reconcile.request();
      const jobs = await Promise.all(report.dispatched.map((d) => cradle.storage.jobs.get(d.jobId)));
      return jobs.filter((j): j is Job => j !== undefined);
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
    async close() {
      await h.close();
      await fly.close();
      await github?.close();
    },
  };
}
