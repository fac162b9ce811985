import { expect } from 'vitest';
import type { LocalIssue } from '../../../adapters/ticketing/local/local-issue.js';
import type { Job } from '../../../core/domain/model.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { RUNNER_SECRET, TEAM } from '../callbacks/callbacks-harness.js';
import { capturingShadowRunner } from '../capturing-runner.js';
import { ACCESS_CODE, type Harness, type StorageKind, startHarness } from '../harness.js';

export interface IssuesHarness extends Harness {
  admin: string;
  /** Every launch (with the session env) and every destroy the shadow runner received. */
  launches: RunLaunch[];
  destroyed: string[];
  createIssue(title?: string): Promise<LocalIssue>;
  issue(id: string): Promise<LocalIssue>;
  job(id: string): Promise<Job>;
  /** An admin call (bearer = the admin token) returning status and parsed body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A run callback with a run token. */
  runner(path: string, token: string | undefined, body: unknown): Promise<Response>;
}

/** A real orchestrator on the local tracker in shadow mode with mapping `ENG`, keeping launches and destroys. */
export async function startIssuesHarness(
  kind: StorageKind = 'memory',
  mapping: Record<string, unknown> = {},
): Promise<IssuesHarness> {
  const { launches, destroyed, runnerRegistry } = capturingShadowRunner();
  const h = await startHarness(
    kind,
    { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: RUNNER_SECRET, RUNNER_MODE: 'shadow' },
    { runnerRegistry },
  );
  const admin = await h.login();
  const saved = await h.call('POST', '/api/mappings', {
    token: admin,
    body: { teamKey: TEAM, owner: 'acme', repo: 'widgets', defaultBranch: 'main', ticketing: 'local', ...mapping },
  });
  expect(saved.status).toBe(200);
  const { cradle } = h.orchestrator;
  return {
    ...h,
    admin,
    launches,
    destroyed,
    async createIssue(title = 'Add a widget') {
      const created = await cradle.trackerStore.create({ teamKey: TEAM, title, labels: ['AI-Implement'] });
      if ('missing' in created) throw new Error('issue not created');
      return created;
    },
    async issue(id) {
      const found = await cradle.trackerStore.find(id);
      if (!found) throw new Error(`no issue ${id}`);
      return found;
    },
    async job(id) {
      const found = await cradle.storage.jobs.get(id);
      if (!found) throw new Error(`no job ${id}`);
      return found;
    },
    async api(method, path, body) {
      const res = await h.call(method, path, { token: admin, ...(body === undefined ? {} : { body }) });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    runner: (path, token, body) => h.call('POST', path, { ...(token ? { token } : {}), body }),
  };
}
