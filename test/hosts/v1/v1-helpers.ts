import { expect } from 'vitest';
import { ACCESS_CODE, type Harness } from '../harness.js';

export const SHADOW = { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_MODE: 'shadow' };

export async function localMapping(h: Harness, token: string, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/mappings', {
    token,
    body: { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main', ...extra },
  });
  expect(res.status).toBe(200);
}

/** Straight into the store: no reconcile, so the test decides when the cycle runs. */
export async function seedIssue(h: Harness, input: { title: string; priority?: number; labels?: string[] }) {
  const created = await h.orchestrator.cradle.trackerStore.create({ teamKey: 'LOC', ...input });
  if ('missing' in created) throw new Error('unexpected');
  return created;
}

export async function getJson<T>(h: Harness, token: string, path: string): Promise<T> {
  const res = await h.call('GET', path, { token });
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as T;
}
