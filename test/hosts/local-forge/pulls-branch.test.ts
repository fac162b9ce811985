import { afterEach, describe, expect, it } from 'vitest';
import { PULLS_COLLECTION, type TrackedPull } from '../../../core/app/pulls/pulls.service.js';
import { type Harness, startHarness, T0 } from '../harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const legacy = (identifier: string, teamKey: string): TrackedPull => ({
  id: `acme/app#${identifier.length}`,
  owner: 'acme',
  repo: 'app',
  number: identifier.length,
  url: `http://127.0.0.1/local-forge/acme/app/pull/${identifier.length}`,
  issueId: `id-${identifier}`,
  identifier,
  teamKey,
  jobId: `job-${identifier}`,
  phase: 'implementation',
  iteration: 1,
  lastDispatchAt: T0,
  openedAt: T0,
  merged: false,
  updatedAt: T0,
});

describe('GET /api/pulls: the branch of a pull request recorded before branches were kept', () => {
  it("is the run's branch (the mapping's branchPrefix and the identifier), or null when the mapping is gone", async () => {
    h = await startHarness();
    const token = await h.login();
    const created = await h.call('POST', '/api/mappings', {
      token,
      body: {
        teamKey: 'LOC',
        ticketing: 'local',
        forge: 'local',
        owner: 'acme',
        repo: 'app',
        defaultBranch: 'main',
        branchPrefix: 'bot/',
      },
    });
    expect(created.status).toBe(200);
    const { documents } = h.orchestrator.cradle.storage;
    await documents.put(PULLS_COLLECTION, 'acme/app#5', legacy('LOC-1', 'LOC'));
    await documents.put(PULLS_COLLECTION, 'acme/app#6', legacy('GONE-1', 'GONE'));
    const res = await h.call('GET', '/api/pulls', { token });
    const { pulls } = (await res.json()) as { pulls: { issue: { identifier: string }; branch: string | null }[] };
    expect(Object.fromEntries(pulls.map((p) => [p.issue.identifier, p.branch]))).toEqual({
      'LOC-1': 'bot/LOC-1',
      'GONE-1': null,
    });
  });
});
