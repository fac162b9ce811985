import type { ResultAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryOptions } from '../../../adapters/shared/retry.js';
import { createJiraAdminService } from '../../../adapters/ticketing/jira/jira-admin.service.js';
import type { Mapping, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import { ticketingContract } from '../../../testing/contracts/ticketing.contract.js';
import { type FakeJira, type RecordedRequest, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';
import { type JiraSubject, jiraSubject } from '../../fakes/jira/jira-subject.js';

ticketingContract('jira', () => jiraSubject());

const SEARCH = /^GET \/rest\/api\/3\/search\/jql$/;
const FIELDS = 'summary,status,priority,created,issuelinks,labels';

let subject: JiraSubject | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

/** A subject whose adapter retries with a recorded, instant sleep. */
async function retrying(maxAttempts = 4) {
  const sleeps: number[] = [];
  subject = await jiraSubject({
    retry: { maxAttempts, sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
  });
  return { s: subject, sleeps };
}

async function plain(adapter = {}) {
  subject = await jiraSubject({ retry: { maxAttempts: 1 }, ...adapter });
  return subject;
}

async function value<T>(r: ResultAsync<T, ServiceError>): Promise<T> {
  const result = await r;
  if (result.isErr()) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

async function failure<T>(r: ResultAsync<T, ServiceError>): Promise<ServiceError> {
  const result = await r;
  if (result.isOk()) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const searches = (requests: RecordedRequest[]) => requests.filter((r) => SEARCH.test(`${r.method} ${r.path}`));

describe('jira adapter: listing', () => {
  it('follows nextPageToken across 3 pages, one request per page, only the fields it needs', async () => {
    const s = await plain();
    await s.seed(Array.from({ length: 250 }, (_, n) => ({ title: `issue ${n}`, triggered: true })));
    s.fake.resetRequests();

    const listed = await value(s.ticketing.listCandidates(s.mapping));

    expect(listed).toHaveLength(250);
    expect(new Set(listed.map((i) => i.id)).size).toBe(250);
    expect(s.fake.requests).toHaveLength(3);
    const pages = searches(s.fake.requests);
    expect(pages).toHaveLength(3);
    for (const page of pages) expect(page.query).toMatchObject({ maxResults: '100', fields: FIELDS });
    expect(pages[0]?.query.nextPageToken).toBeUndefined();
    expect(pages[1]?.query.nextPageToken).toMatch(/\S/);
    expect(pages[2]?.query.nextPageToken).toMatch(/\S/);
    expect(pages[2]?.query.nextPageToken).not.toBe(pages[1]?.query.nextPageToken);
    expect(new Set(pages.map((p) => p.query.jql)).size).toBe(1);
  });

  it('lists 500 issues (a tenth of them blocked) in 5 search requests', async () => {
    const s = await plain();
    await s.seed(
      Array.from({ length: 500 }, (_, n) => ({
        title: `issue ${n}`,
        triggered: true,
        priority: n % 5,
        blockedBy: n % 10 === 0 ? [{ title: `blocker ${n}`, open: n % 20 === 0 }] : [],
      })),
    );
    s.fake.resetRequests();
    const listed = await value(s.ticketing.listCandidates(s.mapping));
    expect(listed).toHaveLength(500);
    expect(listed.filter((i) => i.blockedBy.length === 1)).toHaveLength(50);
    expect(listed.filter((i) => i.blockedBy[0]?.open)).toHaveLength(25);
    expect(s.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(5).fill('GET /rest/api/3/search/jql'));
  });

  it('scopes to the JQL, the repo value and the lifecycle statuses', async () => {
    const s = await plain();
    const statuses = [
      'Ready',
      'Planning',
      'Plan Approved',
      'Implementing',
      'PR Ready',
      'Planning Failed',
      'Implementation Failed',
    ];
    for (const status of [...statuses, 'To Do', 'Done']) s.fake.store.createIssue({ summary: status, status, repo: 'api' });
    s.fake.store.createIssue({ summary: 'no repo', status: 'Ready' });

    const listed = await value(s.ticketing.listCandidates(s.mapping));

    expect(listed.map((i) => i.title).sort()).toEqual([...statuses].sort());
    const byTitle = new Map(listed.map((i) => [i.title, i]));
    expect(byTitle.get('Ready')).toMatchObject({ stage: 'triggered', state: 'Ready', stateType: 'unstarted' });
    expect(byTitle.get('Planning')?.stage).toBe('planning');
    expect(byTitle.get('Plan Approved')?.stage).toBe('plan_complete');
    expect(byTitle.get('Implementing')?.stage).toBe('implementing');
    expect(byTitle.get('PR Ready')?.stage).toBe('pr_opened');
    expect(byTitle.get('Planning Failed')?.stage).toBe('planning_failed');
    expect(byTitle.get('Implementation Failed')?.stage).toBe('implementation_failed');
    // The orchestrator itself moves a finished plan to Plan Approved, so the status approves
    // nothing: a mapping without autoApprovePlans waits for an operator's approval.
    expect(listed.filter((i) => i.planApproved)).toEqual([]);
  });

  it.each([
    ['a field name (default)', undefined, '"Repo" = "api"'],
    ['a field id', 'customfield_10050', 'cf[10050] = "api"'],
    ['a cf[] clause name', 'cf[10050]', 'cf[10050] = "api"'],
    ['a typed clause name', 'Repo[Select List (single choice)]', '"Repo[Select List (single choice)]" = "api"'],
  ])('names the repo field by %s', async (_, repoField, clause) => {
    const s = await plain(repoField ? { repoField } : {});
    const [id] = await s.seed([{ title: 'mine', triggered: true }]);
    const listed = await value(s.ticketing.listCandidates(s.mapping));
    expect(listed.map((i) => i.id)).toEqual([id]);
    expect(searches(s.fake.requests)[0]?.query.jql).toContain(clause);
  });

  it("keeps the mapping's clause intact, dropping its ORDER BY", async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'mine', triggered: true }]);
    const mapping: Mapping = { ...s.mapping, jql: 'project = ENG OR project = "OPS" ORDER BY priority DESC' };
    const listed = await value(s.ticketing.listCandidates(mapping));
    // The OR stays inside its parentheses: OPS's Repo=api issue joins, the Repo=web one does not.
    expect(listed.map((i) => i.title).sort()).toEqual(['mine', 'other project'].sort());
    expect(listed.map((i) => i.id)).toContain(id);
  });

  it("maps Jira's priorities onto Linear's scale", async () => {
    const s = await plain();
    const names = ['Highest', 'High', 'Medium', 'Low', 'Lowest', null];
    for (const priority of names) s.fake.store.createIssue({ summary: String(priority), status: 'Ready', repo: 'api', priority });
    const listed = await value(s.ticketing.listCandidates(s.mapping));
    const priorities = Object.fromEntries(listed.map((i) => [i.title, i.priority]));
    expect(priorities).toEqual({ Highest: 1, High: 2, Medium: 3, Low: 4, Lowest: 4, null: 0 });
  });

  it('reads only inward "Blocks" links as blockers', async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'me', triggered: true, blockedBy: [{ title: 'done blocker', open: false }] }]);
    const store = s.fake.store;
    const related = store.createIssue({ summary: 'related', repo: 'api' });
    const blockedByMe = store.createIssue({ summary: 'waits on me', repo: 'api' });
    const blocker = store.createIssue({ summary: 'in progress blocker', status: 'Implementing', repo: 'web' });
    store.linkRelates(related.id, id!);
    store.linkBlocks(id!, blockedByMe.id);
    store.linkBlocks(blocker.id, id!);

    const [issue] = await value(s.ticketing.listCandidates(s.mapping));
    expect(issue?.blockedBy).toHaveLength(2);
    expect(issue?.blockedBy).toContainEqual({ identifier: blocker.key, open: true });
    expect(issue?.blockedBy.find((b) => b.identifier !== blocker.key)?.open).toBe(false);
  });

  it("answers invalid with Jira's message for a bad mapping clause, without retrying", async () => {
    const { s, sleeps } = await retrying();
    const error = await failure(s.ticketing.listCandidates({ ...s.mapping, jql: 'project = NOPE' }));
    expect(error).toMatchObject({
      kind: 'invalid',
      status: 400,
      message: "The value 'NOPE' does not exist for the field 'project'.",
    });
    expect(s.fake.requestCount()).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('jira adapter: moving issues', () => {
  it('takes the transition whose target status is the stage, whatever it is called', async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'move me', triggered: true }]);
    const issue = await value(s.ticketing.getIssue(id!));
    s.fake.resetRequests();

    await value(s.ticketing.moveToStage(issue, 'plan_complete', s.mapping));

    const wanted = s.fake.store.transitions.find((t) => t.to === 'Plan Approved');
    expect(wanted?.name).not.toBe('Plan Approved');
    const post = s.fake.requests.find((r) => r.method === 'POST');
    expect(post).toMatchObject({
      path: `/rest/api/3/issue/${id}/transitions`,
      body: { transition: { id: wanted?.id } },
      status: 204,
    });
    expect(s.fake.requests.map((r) => `${r.method} ${r.path.replace(id!, ':id')}`)).toEqual([
      'GET /rest/api/3/issue/:id',
      'GET /rest/api/3/issue/:id/transitions',
      'POST /rest/api/3/issue/:id/transitions',
    ]);
    expect((await s.inspect(id!)).status).toBe('Plan Approved');
    expect(await value(s.ticketing.getIssue(id!))).toMatchObject({ stage: 'plan_complete' });
  });

  it('answers invalid naming the status when the workflow has no transition to it', async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'stuck', triggered: true, stage: 'implementing' }]);
    s.fake.store.transitions = s.fake.store.transitions.filter((t) => t.to !== 'PR Ready');
    const issue = await value(s.ticketing.getIssue(id!));

    const error = await failure(s.ticketing.moveToStage(issue, 'pr_opened', s.mapping));

    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('"PR Ready"');
    expect((await s.inspect(id!)).status).toBe('Implementing');
    expect(s.fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('retries a move whose transition Jira applied but answered 503, reading the status afresh', async () => {
    const { s, sleeps } = await retrying();
    const [id] = await s.seed([{ title: 'flaky', triggered: true }]);
    const issue = await value(s.ticketing.getIssue(id!));
    s.fake.resetRequests();
    s.fake.failNext('serverError', { status: 503, afterHandling: true, match: /^POST .*\/transitions$/ });

    await value(s.ticketing.moveToStage(issue, 'planning', s.mapping));

    expect((await s.inspect(id!)).status).toBe('Planning');
    expect(sleeps).toEqual([250]);
    expect(s.fake.requests.map((r) => `${r.method} ${r.path.replace(id!, ':id')} ${r.status}`)).toEqual([
      'GET /rest/api/3/issue/:id 200',
      'GET /rest/api/3/issue/:id/transitions 200',
      'POST /rest/api/3/issue/:id/transitions 503',
      'GET /rest/api/3/issue/:id 200',
    ]);
  });
});

describe('jira adapter: faults', () => {
  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    const { s, sleeps } = await retrying();
    await s.seed([{ title: 'x', triggered: true }]);
    s.fake.resetRequests();
    s.fake.failNext('rateLimited', { retryAfterSeconds: 2 });

    const listed = await value(s.ticketing.listCandidates(s.mapping));

    expect(listed).toHaveLength(1);
    expect(sleeps).toEqual([2000]);
    expect(s.fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up on a 429 that asks for longer than the longest wait, with its retry-after', async () => {
    subject = await jiraSubject({ retry: { maxDelayMs: 5_000, sleep: async () => {} } });
    subject.fake.failNext('rateLimited', { retryAfterSeconds: 60 });
    const error = await failure(subject.ticketing.listCandidates(subject.mapping));
    expect(error).toMatchObject({ kind: 'rateLimited', retryAfterMs: 60_000 });
    expect(subject.fake.requestCount()).toBe(1);
  });

  it('backs off on 5xx and on a dropped connection, then succeeds', async () => {
    const { s, sleeps } = await retrying();
    s.fake.failNext('serverError', { status: 502 });
    s.fake.failNext('network');
    expect(await value(s.ticketing.listCandidates(s.mapping))).toEqual([]);
    expect(sleeps).toEqual([250, 500]);
    expect(s.fake.requestCount(SEARCH)).toBe(3);
  });

  it('answers unavailable once the attempts run out', async () => {
    const { s } = await retrying(2);
    s.fake.failNext('serverError', { times: 5 });
    expect(await failure(s.ticketing.listCandidates(s.mapping))).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(s.fake.requestCount()).toBe(2);
  });

  it('never retries a 401 (injected or from bad credentials) or a 403', async () => {
    const { s, sleeps } = await retrying();
    s.fake.failNext('auth');
    expect((await failure(s.ticketing.listCandidates(s.mapping))).kind).toBe('auth');
    s.fake.failNext('forbidden');
    expect((await failure(s.ticketing.listCandidates(s.mapping))).kind).toBe('auth');
    expect(s.fake.requestCount()).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it('rejects a wrong API token as auth', async () => {
    const s = await plain({ apiToken: 'wrong' });
    const error = await failure(s.ticketing.listCandidates(s.mapping));
    expect(error).toMatchObject({ kind: 'auth', message: 'Client must be authenticated to access this resource.' });
  });

  it('answers notFound for an unknown issue key', async () => {
    const s = await plain();
    expect(await failure(s.ticketing.getIssue('ENG-999'))).toMatchObject({
      kind: 'notFound',
      message: 'Issue does not exist or you do not have permission to see it.',
    });
  });

  it('answers notFound, without a request, for a reference that is no issue id or key', async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'x', triggered: true }]);
    const issue = await value(s.ticketing.getIssue(id!));
    s.fake.resetRequests();
    expect((await failure(s.ticketing.getIssue('../field'))).kind).toBe('notFound');
    expect((await failure(s.ticketing.comment('10001/comment/1', 'x'))).kind).toBe('notFound');
    expect((await failure(s.ticketing.moveToStage({ ...issue, id: '../../field' }, 'planning', s.mapping))).kind).toBe(
      'notFound',
    );
    expect(s.fake.requestCount()).toBe(0);
  });
});

describe('jira adapter: comments', () => {
  it('posts the text as an ADF document: paragraphs on blank lines, hard breaks on newlines', async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'talk', triggered: true }]);
    const text = '⚠️ Planning failed: git clone failed (exit 128)\n\nDetails:\nline one\nline two';

    await value(s.ticketing.comment(id!, text));

    const post = s.fake.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe(`/rest/api/3/issue/${id}/comment`);
    expect(post?.body).toEqual({
      body: {
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: '⚠️ Planning failed: git clone failed (exit 128)' }] },
          {
            type: 'paragraph',
            content: [
              { type: 'text', text: 'Details:' },
              { type: 'hardBreak' },
              { type: 'text', text: 'line one' },
              { type: 'hardBreak' },
              { type: 'text', text: 'line two' },
            ],
          },
        ],
      },
    });
    expect((await s.inspect(id!)).comments).toEqual([text]);
  });

  it('does not post twice when Jira stored the comment but answered 5xx', async () => {
    const { s, sleeps } = await retrying();
    const [id] = await s.seed([{ title: 'talk', triggered: true }]);
    s.fake.resetRequests();
    s.fake.failNext('serverError', { afterHandling: true });

    await value(s.ticketing.comment(id!, 'PR opened'));

    expect((await s.inspect(id!)).comments).toEqual(['PR opened']);
    expect(s.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 500', 'GET 200']);
    expect(sleeps).toHaveLength(1);
  });

  it('posts again after a 5xx that stored nothing', async () => {
    const { s } = await retrying();
    const [id] = await s.seed([{ title: 'talk', triggered: true }]);
    s.fake.failNext('serverError');
    await value(s.ticketing.comment(id!, 'PR opened'));
    expect((await s.inspect(id!)).comments).toEqual(['PR opened']);
  });

  it("answers invalid with Jira's message for an empty comment", async () => {
    const s = await plain();
    const [id] = await s.seed([{ title: 'talk', triggered: true }]);
    expect(await failure(s.ticketing.comment(id!, ''))).toMatchObject({
      kind: 'invalid',
      message: 'comment: Comment body can not be empty!',
    });
  });
});

describe('jira adapter: getIssue', () => {
  it("reads an issue by key with its project as team key and the site's browse URL", async () => {
    const s = await plain();
    const other = s.fake.store.createIssue({ project: 'OPS', summary: 'ops thing', status: 'To Do' });
    const issue: TicketIssue = await value(s.ticketing.getIssue(other.key));
    expect(issue).toMatchObject({
      id: other.id,
      identifier: other.key,
      teamKey: 'OPS',
      url: `${s.fake.url}/browse/${other.key}`,
      state: 'To Do',
    });
  });

  it('read for a mapping scoped by JQL, the issue carries that mapping’s team key, as its candidates do', async () => {
    const s = await plain();
    const other = s.fake.store.createIssue({ project: 'OPS', summary: 'ops thing', status: 'Ready', repo: 'api' });
    const mapping: Mapping = { ...s.mapping, teamKey: 'PLATFORM', jql: 'project = OPS' };
    const listed = (await value(s.ticketing.listCandidates(mapping))).find((i) => i.id === other.id);
    expect(listed?.teamKey).toBe('PLATFORM');
    expect(await value(s.ticketing.getIssue(other.key, mapping))).toMatchObject({ id: other.id, teamKey: 'PLATFORM' });
    expect((await value(s.ticketing.getIssue(other.key))).teamKey).toBe('OPS');
  });
});

describe('jira admin service', () => {
  let fake: FakeJira | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function service(retry: RetryOptions = { maxAttempts: 1 }) {
    fake = await startFakeJira();
    return {
      fake,
      admin: createJiraAdminService({ jira: { host: fake.url, email: fake.email, apiToken: fake.apiToken, retry } }),
    };
  }

  it('answers notConfigured (501 "Jira not configured") for every call without a connection', async () => {
    const admin = createJiraAdminService({ jira: undefined });
    const expected = { kind: 'notConfigured', message: 'Jira not configured' };
    expect((await admin.validateJql('project = ENG'))._unsafeUnwrapErr()).toEqual(expected);
    expect((await admin.listFields())._unsafeUnwrapErr()).toEqual(expected);
    expect((await admin.listFieldOptions('customfield_10050'))._unsafeUnwrapErr()).toEqual(expected);
  });

  it('validates JQL through POST /rest/api/3/jql/parse', async () => {
    const { fake, admin } = await service();
    expect((await admin.validateJql('project = ENG AND "Repo" = api'))._unsafeUnwrap()).toEqual({ valid: true });
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/jql/parse',
      query: { validation: 'strict' },
      body: { queries: ['project = ENG AND "Repo" = api'] },
    });
  });

  it.each([
    [
      'a syntax error',
      'invalid query',
      "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)",
    ],
    ['an unknown field', 'universe = 42', "Field 'universe' does not exist or you do not have permission to view it."],
    ['an unknown project', 'project = NOPE', "The value 'NOPE' does not exist for the field 'project'."],
    ['an unknown option', 'Repo = desktop', "The option 'desktop' for field 'Repo' does not exist."],
  ])("answers invalid with Jira's message for %s", async (_, jql, message) => {
    const { admin } = await service();
    expect((await admin.validateJql(jql))._unsafeUnwrapErr()).toEqual({ kind: 'invalid', message });
  });

  it('lists custom fields only, with their type and clause names', async () => {
    const { admin } = await service();
    const fields = (await admin.listFields())._unsafeUnwrap();
    expect(fields.map((f) => f.name)).toEqual(['Repo', 'Story Points', 'Team']);
    expect(fields[0]).toEqual({
      id: 'customfield_10050',
      name: 'Repo',
      type: 'option',
      customType: 'select',
      clauseNames: ['cf[10050]', 'Repo', 'Repo[Dropdown]', 'Repo[Select List (single choice)]'],
    });
    expect(fields[1]).toMatchObject({ id: 'customfield_10016', type: 'number', customType: 'float' });
  });

  it("lists a select field's options, following the pages", async () => {
    const { fake, admin } = await service();
    const context = fake.store.field('customfield_10050')?.contexts?.[0];
    for (let n = 0; n < 150; n++) context?.options?.push({ id: String(20_000 + n), value: `repo-${n}`, disabled: n === 0 });
    fake.resetRequests();

    const options = (await admin.listFieldOptions('customfield_10050'))._unsafeUnwrap();

    expect(options).toHaveLength(153);
    expect(options.slice(0, 3).map((o) => o.value)).toEqual(['api', 'web', 'mobile']);
    expect(options[3]).toEqual({ id: '20000', value: 'repo-0', disabled: true });
    expect(fake.requests.map((r) => `${r.path} ${r.query.startAt ?? ''}`)).toEqual([
      '/rest/api/3/field/customfield_10050/context 0',
      '/rest/api/3/field/customfield_10050/context/10150/option 0',
      '/rest/api/3/field/customfield_10050/context/10150/option 100',
    ]);
  });

  it('answers an empty list for a field without options', async () => {
    const { admin } = await service();
    expect((await admin.listFieldOptions('customfield_10016'))._unsafeUnwrap()).toEqual([]);
  });

  it('answers requestFailed with the underlying message for an unknown field, a 5xx, or rejected credentials', async () => {
    const { fake, admin } = await service();
    expect((await admin.listFieldOptions('customfield_99999'))._unsafeUnwrapErr()).toEqual({
      kind: 'requestFailed',
      message: 'The custom field was not found.',
    });
    fake.failNext('serverError');
    expect((await admin.listFields())._unsafeUnwrapErr()).toEqual({ kind: 'requestFailed', message: 'Internal server error' });
    fake.failNext('auth');
    expect((await admin.validateJql('project = ENG'))._unsafeUnwrapErr()).toEqual({
      kind: 'requestFailed',
      message: 'Client must be authenticated to access this resource.',
    });
  });

  it('retries a rate-limited request before answering', async () => {
    const sleeps: number[] = [];
    const { fake, admin } = await service({ sleep: async (ms) => void sleeps.push(ms) });
    fake.failNext('rateLimited', { retryAfterSeconds: 3 });
    expect((await admin.listFields())._unsafeUnwrap()).toHaveLength(3);
    expect(sleeps).toEqual([3000]);
  });
});
