import { afterEach, describe, expect, it } from 'vitest';
import { createLinearTicketing } from '../../../adapters/ticketing/linear/linear.adapter.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { jiraSubject } from '../../fakes/jira/jira-subject.js';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { SHADOW } from '../v1/v1-helpers.js';

const mappingOf = (teamKey: string): Mapping => ({
  ...MAPPING_DEFAULTS,
  extraEnv: {},
  teamKey,
  owner: 'acme',
  repo: 'app',
  createdAt: 0,
  updatedAt: 0,
});

let linear: FakeLinear | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await linear?.close();
  h = undefined;
  linear = undefined;
});

describe('Linear: triggered issues of teams no mapping covers, from the same cycle query', () => {
  it('are listed without another request, and leave when the trigger does', async () => {
    linear = await startFakeLinear();
    for (const key of ['ENG', 'OPS', 'WEB']) linear.store.addTeam(key);
    linear.store.addIssue({ teamKey: 'ENG', title: 'mapped', labels: ['AI-Implement'] });
    const lost = linear.store.addIssue({ teamKey: 'OPS', title: 'nobody maps OPS', labels: ['AI-Implement'] });
    linear.store.addIssue({ teamKey: 'WEB', title: 'not triggered' });
    const clock = { t: 0 };
    const ticketing = createLinearTicketing({
      apiKey: linear.apiKey,
      apiUrl: linear.url,
      retry: { maxAttempts: 1 },
      now: () => clock.t,
    });
    const byTeam = (await ticketing.listCandidatesOf!([mappingOf('ENG')]))._unsafeUnwrap();
    expect(byTeam.get('ENG')?.map((i) => i.title)).toEqual(['mapped']);
    const unmapped = (await ticketing.listUnmapped!([mappingOf('ENG')]))._unsafeUnwrap();
    expect(unmapped.map((i) => [i.teamKey, i.title, i.stage])).toEqual([['OPS', 'nobody maps OPS', 'triggered']]);
    expect(linear.requests).toHaveLength(1);
    expect((await ticketing.listUnmapped!([mappingOf('ENG'), mappingOf('OPS')]))._unsafeUnwrap()).toEqual([]);

    // A human takes the trigger off: the next (incremental) cycle query sees it.
    const issue = linear.store.issue(lost.identifier)!;
    issue.labelIds = [];
    issue.updatedAt = linear.store.tick();
    clock.t += 1_000;
    await ticketing.listCandidatesOf!([mappingOf('ENG')]);
    expect(linear.requests).toHaveLength(2);
    expect((await ticketing.listUnmapped!([mappingOf('ENG')]))._unsafeUnwrap()).toEqual([]);
  });
});

describe.each(STORAGE_KINDS)('GET /api/blockers with Linear on %s storage', (kind) => {
  it('names a Linear team without a mapping', async () => {
    linear = await startFakeLinear({ apiKey: 'lin_api_test' });
    linear.store.addTeam('ENG');
    linear.store.addTeam('OPS');
    linear.store.addIssue({ teamKey: 'OPS', title: 'waiting for a mapping', labels: ['AI-Implement'] });
    h = await startHarness(kind, { ...SHADOW, LINEAR_API_KEY: linear.apiKey, LINEAR_API_URL: linear.url });
    const token = await h.login();
    const res = await h.call('POST', '/api/mappings', {
      token,
      body: { teamKey: 'ENG', owner: 'acme', repo: 'app', defaultBranch: 'main' },
    });
    expect(res.status).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    const blockers = (await (await h.call('GET', '/api/blockers', { token })).json()) as {
      blockers: { identifier: string; teamKey: string; reason: string; message: string }[];
    };
    expect(blockers.blockers).toEqual([
      expect.objectContaining({
        teamKey: 'OPS',
        reason: 'no-mapping',
        message: 'No mapping for team OPS. Add one in Projects.',
      }),
    ]);
  });
});

describe('Jira: Ready issues outside every mapping’s scope', () => {
  it('are one search at most every five minutes (or when the mappings change)', async () => {
    const clock = { t: 0 };
    const s = await jiraSubject({ retry: { maxAttempts: 1 }, now: () => clock.t });
    try {
      const searches = () => s.fake.requests.filter((r) => /search\/jql/.test(r.path)).length;
      const first = (await s.ticketing.listUnmapped!([s.mapping]))._unsafeUnwrap();
      expect(first.map((i) => [i.teamKey, i.title, i.stage]).sort()).toEqual([
        ['ENG', 'other repo', 'triggered'],
        ['OPS', 'other project', 'triggered'],
      ]);
      expect(searches()).toBe(1);
      expect(s.fake.requests.at(-1)?.query.jql).toBe(
        'status = "Ready" AND NOT ((project = ENG) AND "Repo" = "api") ORDER BY created DESC, key DESC',
      );
      clock.t += 60_000;
      expect((await s.ticketing.listUnmapped!([s.mapping]))._unsafeUnwrap()).toHaveLength(2);
      expect(searches()).toBe(1);
      const ops = { ...s.mapping, teamKey: 'OPS', jql: 'project = OPS' };
      expect((await s.ticketing.listUnmapped!([s.mapping, ops]))._unsafeUnwrap().map((i) => i.title)).toEqual(['other repo']);
      expect(searches()).toBe(2);
      clock.t += 5 * 60_000;
      await s.ticketing.listUnmapped!([s.mapping, ops]);
      expect(searches()).toBe(3);
    } finally {
      await s.close();
    }
  });
});
