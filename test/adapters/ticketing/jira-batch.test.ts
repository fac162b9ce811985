import { afterEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../../../core/domain/model.js';
import { type JiraSubject, jiraSubject } from '../../fakes/jira/jira-subject.js';

/** Jira's project-scoped mappings of one site listed in one search a cycle, against the wire-level fake. */
let subject: JiraSubject | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

const searches = (s: JiraSubject) => s.fake.requests.filter((r) => r.path === '/rest/api/3/search/jql');

describe('jira adapter: listCandidatesOf', () => {
  it('lists every project-scoped mapping in one search, each issue under its project’s mapping, as listCandidates would', async () => {
    subject = await jiraSubject();
    const s = subject;
    const eng = s.mapping; // jql: project = ENG, Repo api
    const ops: Mapping = { ...s.mapping, teamKey: 'OPSTEAM', jql: 'project = "OPS"', repoFieldValue: 'web' } as Mapping;
    s.fake.store.createIssue({ summary: 'eng one', status: 'Ready', repo: 'api' });
    s.fake.store.createIssue({ summary: 'eng planning', status: 'Planning', repo: 'api' });
    s.fake.store.createIssue({ project: 'OPS', summary: 'ops one', status: 'Ready', repo: 'web' });
    s.fake.store.createIssue({ project: 'OPS', summary: 'ops not triggered', status: 'To Do' });

    s.fake.resetRequests();
    const together = (await s.ticketing.listCandidatesOf!([eng, ops]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(1);
    const alone = new Map([
      ['ENG', (await s.ticketing.listCandidates(eng))._unsafeUnwrap()],
      ['OPSTEAM', (await s.ticketing.listCandidates(ops))._unsafeUnwrap()],
    ]);
    expect(together).toEqual(alone);
    expect(
      together
        .get('ENG')
        ?.map((i) => i.title)
        .sort(),
    ).toEqual(['eng one', 'eng planning']);
    expect(
      together
        .get('OPSTEAM')
        ?.map((i) => i.title)
        .sort(),
    ).toEqual(['ops one']);
    expect(together.get('OPSTEAM')?.every((i) => i.teamKey === 'OPSTEAM')).toBe(true);
  });

  it('a mapping with any other JQL is listed alone: the reconcile gives it its own request and deadline', async () => {
    subject = await jiraSubject();
    const s = subject;
    const ordered = { ...s.mapping, teamKey: 'ORD', jql: 'project = "OPS" ORDER BY created' } as Mapping;
    const other: Mapping = { ...s.mapping, teamKey: 'MIXED', jql: 'project = ENG OR project = OPS' } as Mapping;
    const groups = s.ticketing.listingGroups?.([s.mapping, ordered, other]);
    expect(groups?.map((g) => g.map((m) => m.teamKey))).toEqual([['ENG', 'ORD'], ['MIXED']]);
  });

  it('mappings sharing one JQL, each with a repo field value, are one group; one without a value is alone', async () => {
    subject = await jiraSubject();
    const s = subject;
    const jql = 'project = ENG AND labels = backend';
    const api = { ...s.mapping, teamKey: 'A', jql } as Mapping;
    const web = { ...s.mapping, teamKey: 'W', jql: 'project = ENG  AND labels = backend', repoFieldValue: 'web' } as Mapping;
    const bare = { ...s.mapping, teamKey: 'B', jql, repoFieldValue: undefined } as Mapping;
    const groups = s.ticketing.listingGroups?.([api, web, bare]);
    expect(groups?.map((g) => g.map((m) => m.teamKey))).toEqual([['A', 'W'], ['B']]);
  });

  it('three mappings on one project, told apart by Repo: one search a page, each issue under the mapping of its repo value', async () => {
    subject = await jiraSubject();
    const s = subject;
    const api = s.mapping; // project = ENG, Repo api
    const web = { ...s.mapping, teamKey: 'ENGWEB', repoFieldValue: 'web' } as Mapping;
    const mobile = { ...s.mapping, teamKey: 'ENGMOB', repoFieldValue: 'Mobile' } as Mapping;
    s.fake.store.createIssue({ summary: 'api work', status: 'Ready', repo: 'api' });
    s.fake.store.createIssue({ summary: 'web work', status: 'Implementing', repo: 'web' });
    s.fake.store.createIssue({ summary: 'mobile work', status: 'Ready', repo: 'mobile' });
    s.fake.store.createIssue({ summary: 'no repo', status: 'Ready' });
    s.fake.resetRequests();
    const listed = (await s.ticketing.listCandidatesOf!([api, web, mobile]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(1);
    const sent = searches(s).map((r) => String(r.query.jql ?? (r.body as { jql?: string } | undefined)?.jql));
    expect(sent[0]).toMatch(/^\(project = ENG\) AND "Repo" in \("api", "web", "Mobile"\) AND status in \(/);
    // The Repo field's id is learned once (GET /rest/api/3/field) and kept for later cycles.
    expect(s.fake.requests.filter((r) => r.path === '/rest/api/3/field')).toHaveLength(1);
    const titles = (key: string) =>
      listed
        .get(key)
        ?.map((i) => i.title)
        .sort();
    expect(titles('ENG')).toEqual(['api work']);
    expect(titles('ENGWEB')).toEqual(['other repo', 'web work']);
    expect(titles('ENGMOB')).toEqual(['mobile work']);
    expect(listed.get('ENGWEB')?.every((i) => i.teamKey === 'ENGWEB')).toBe(true);
    expect([...listed.values()].flat().some((i) => i.title === 'no repo')).toBe(false);

    s.fake.resetRequests();
    const again = (await s.ticketing.listCandidatesOf!([api, web, mobile]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(1);
    expect(s.fake.requests.filter((r) => r.path === '/rest/api/3/field')).toHaveLength(0);
    const alone = new Map([
      ['ENG', (await s.ticketing.listCandidates(api))._unsafeUnwrap()],
      ['ENGWEB', (await s.ticketing.listCandidates(web))._unsafeUnwrap()],
      ['ENGMOB', (await s.ticketing.listCandidates(mobile))._unsafeUnwrap()],
    ]);
    expect(again).toEqual(alone);
  });

  it('pages the shared search: 250 candidates over three mappings are three requests, each issue once', async () => {
    subject = await jiraSubject();
    const s = subject;
    const web = { ...s.mapping, teamKey: 'ENGWEB', repoFieldValue: 'web' } as Mapping;
    const mobile = { ...s.mapping, teamKey: 'ENGMOB', repoFieldValue: 'mobile' } as Mapping;
    const repos = ['api', 'web', 'mobile'];
    for (let n = 0; n < 249; n++) s.fake.store.createIssue({ summary: `n${n}`, status: 'Ready', repo: repos[n % 3] });
    s.fake.resetRequests();
    const listed = (await s.ticketing.listCandidatesOf!([s.mapping, web, mobile]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(3);
    expect(listed.get('ENG')).toHaveLength(83);
    expect(listed.get('ENGWEB')).toHaveLength(84); // 83 + the subject's 'other repo'
    expect(listed.get('ENGMOB')).toHaveLength(83);
  });

  it('a repo field setting that is an id needs no field look-up; a name Jira does not know fails the group as invalid', async () => {
    subject = await jiraSubject({ retry: { maxAttempts: 1 }, repoField: 'customfield_10050' });
    const s = subject;
    const web = { ...s.mapping, teamKey: 'ENGWEB', repoFieldValue: 'web' } as Mapping;
    s.fake.resetRequests();
    const listed = (await s.ticketing.listCandidatesOf!([s.mapping, web]))._unsafeUnwrap();
    expect(s.fake.requests.filter((r) => r.path === '/rest/api/3/field')).toHaveLength(0);
    expect(searches(s)).toHaveLength(1);
    expect(listed.get('ENGWEB')?.map((i) => i.title)).toEqual(['other repo']);

    const unknown = await jiraSubject({ retry: { maxAttempts: 1 }, repoField: 'Repository' });
    try {
      const failed = await unknown.ticketing.listCandidatesOf!([
        unknown.mapping,
        { ...unknown.mapping, teamKey: 'W', repoFieldValue: 'web' } as Mapping,
      ]);
      expect(failed._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid', message: expect.stringContaining('"Repository"') });
    } finally {
      await unknown.close();
    }
  });
});
