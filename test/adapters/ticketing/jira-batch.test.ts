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
    const other: Mapping = { ...s.mapping, teamKey: 'MIXED', jql: 'project = ENG OR project = OPS' } as Mapping;
    expect(s.ticketing.listsTogether?.(s.mapping)).toBe(true);
    expect(s.ticketing.listsTogether?.({ ...s.mapping, jql: 'project = "ENG" ORDER BY created' } as Mapping)).toBe(true);
    expect(s.ticketing.listsTogether?.(other)).toBe(false);
  });

  it('two mappings on one project cannot be told apart by project key: each is searched alone', async () => {
    subject = await jiraSubject();
    const s = subject;
    const web: Mapping = { ...s.mapping, teamKey: 'ENGWEB', repoFieldValue: 'web' } as Mapping;
    s.fake.store.createIssue({ summary: 'web work', status: 'Ready', repo: 'web' });
    s.fake.resetRequests();
    const listed = (await s.ticketing.listCandidatesOf!([s.mapping, web]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(2);
    expect(
      listed
        .get('ENGWEB')
        ?.map((i) => i.title)
        .sort(),
    ).toEqual(['other repo', 'web work']);
    expect(listed.get('ENG')?.some((i) => i.title === 'web work')).toBe(false);
  });
});
