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
    const s = (subject = await jiraSubject());
    const eng: Mapping = { ...s.mapping, jql: undefined } as Mapping;
    const ops: Mapping = { ...s.mapping, teamKey: 'OPS', jql: undefined, repoFieldValue: undefined } as Mapping;
    s.fake.store.createIssue({ summary: 'eng one', status: 'Ready', repo: 'api' });
    s.fake.store.createIssue({ summary: 'eng planning', status: 'Planning', repo: 'api' });
    s.fake.store.createIssue({ project: 'OPS', summary: 'ops one', status: 'Ready' });
    s.fake.store.createIssue({ project: 'OPS', summary: 'ops not triggered', status: 'To Do' });

    s.fake.resetRequests();
    const together = (await s.ticketing.listCandidatesOf!([eng, ops]))._unsafeUnwrap();
    expect(searches(s)).toHaveLength(1);
    const alone = new Map([
      ['ENG', (await s.ticketing.listCandidates(eng))._unsafeUnwrap()],
      ['OPS', (await s.ticketing.listCandidates(ops))._unsafeUnwrap()],
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
        .get('OPS')
        ?.map((i) => i.title)
        .sort(),
    ).toEqual(['ops one', 'other project']);
    expect(together.get('OPS')?.every((i) => i.teamKey === 'OPS')).toBe(true);
  });

  it('a mapping with JQL of its own is listed alone: the reconcile gives it its own request and deadline', async () => {
    const s = (subject = await jiraSubject());
    expect(s.ticketing.listsTogether?.(s.mapping)).toBe(false);
    expect(s.ticketing.listsTogether?.({ ...s.mapping, jql: undefined } as Mapping)).toBe(true);
    s.fake.resetRequests();
    const listed = (await s.ticketing.listCandidatesOf!([s.mapping]))._unsafeUnwrap();
    expect([...listed.keys()]).toEqual(['ENG']);
    expect(searches(s)).toHaveLength(1);
  });
});
