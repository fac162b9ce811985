import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../../testing/fakes/jira/jira-fake.js';

/** The fake itself, over raw HTTP: what it answers must be what Jira answers. */

// Jira's JSON, read loosely: the assertions say what shape it must have.
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
type Json = any;
interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

let fake: FakeJira;
let auth: string;
beforeEach(async () => {
  fake = await startFakeJira({ projects: ['ENG', 'OPS'] });
  auth = `Basic ${Buffer.from(`${fake.email}:${fake.apiToken}`).toString('base64')}`;
  const s = fake.store;
  s.createIssue({
    summary: 'Login page crashes',
    status: 'Ready',
    repo: 'api',
    priority: 'High',
    labels: ['bug'],
    created: Date.UTC(2025, 0, 1),
  });
  s.createIssue({ summary: 'Add dark mode', status: 'Planning', repo: 'web', priority: 'Low', created: Date.UTC(2025, 0, 2) });
  s.createIssue({
    summary: 'Refactor billing',
    status: 'To Do',
    priority: null,
    labels: ['tech-debt', 'bug'],
    created: Date.UTC(2025, 0, 3),
  });
  s.createIssue({
    project: 'OPS',
    summary: 'Rotate keys',
    status: 'Done',
    repo: 'api',
    priority: 'Highest',
    created: Date.UTC(2025, 0, 4),
  });
});
afterEach(() => fake.close());

async function get(
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = { authorization: auth },
): Promise<Answer> {
  const res = await fetch(`${fake.url}${path}?${new URLSearchParams(params)}`, { headers });
  return { status: res.status, headers: res.headers, body: res.status === 204 ? undefined : await res.json() };
}

async function post(path: string, body: unknown, params: Record<string, string> = {}): Promise<Omit<Answer, 'headers'>> {
  const res = await fetch(`${fake.url}${path}?${new URLSearchParams(params)}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const keys = async (jql: string) => {
  const res = await get('/rest/api/3/search/jql', { jql, fields: 'summary' });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return (res.body.issues as { key: string }[]).map((i) => i.key);
};

describe('fake jira: auth and faults', () => {
  it('answers 401 without basic auth, or with a wrong token', async () => {
    expect((await get('/rest/api/3/field', {}, {})).status).toBe(401);
    const wrong = `Basic ${Buffer.from(`${fake.email}:nope`).toString('base64')}`;
    const res = await get('/rest/api/3/field', {}, { authorization: wrong });
    expect(res).toMatchObject({
      status: 401,
      body: { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} },
    });
  });

  it('answers 429 with Retry-After when told to, then serves again', async () => {
    fake.failNext('rateLimited', { retryAfterSeconds: 7 });
    const limited = await get('/rest/api/3/field');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await get('/rest/api/3/field')).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('fake jira: enhanced search', () => {
  it.each([
    ['project = ENG', ['ENG-3', 'ENG-2', 'ENG-1']],
    ['project = ENG AND status in (Ready, "Planning")', ['ENG-2', 'ENG-1']],
    ['project = ENG AND NOT status = Ready', ['ENG-3', 'ENG-2']],
    ['"Repo[Select List (single choice)]" = api', ['OPS-1', 'ENG-1']],
    ['cf[10050] = "WEB"', ['ENG-2']],
    ['Repo != api', ['ENG-2']],
    ['Repo is EMPTY', ['ENG-3']],
    ['labels = bug ORDER BY created ASC', ['ENG-1', 'ENG-3']],
    ['labels not in (bug)', []],
    ['summary ~ "dark"', ['ENG-2']],
    ['(project = OPS OR priority = High) AND Repo = api', ['OPS-1', 'ENG-1']],
    ['priority is not EMPTY ORDER BY priority DESC', ['OPS-1', 'ENG-1', 'ENG-2']],
    ['created >= "2025-01-03"', ['OPS-1', 'ENG-3']],
  ])('%s', async (jql, expected) => {
    expect(await keys(jql)).toEqual(expected);
  });

  it.each([
    [
      'invalid query',
      "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)",
    ],
    ['project = ', 'Error in the JQL Query: Expecting either a value, list or function before the end of the query.'],
    ['project = "ENG', "Error in the JQL Query: The quoted string 'ENG' has not been completed. (line 1, character 11)"],
    ['project = ENG AND (status = Ready', "Error in the JQL Query: Expecting ')' before the end of the query."],
    [
      'project = ENG status = Ready',
      "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'status'. (line 1, character 15)",
    ],
    [
      'project = EN%G',
      "Error in the JQL Query: The character '%' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0025' instead. (line 1, character 13)",
    ],
    ['universe = 42', "Field 'universe' does not exist or you do not have permission to view it."],
    ['summary = test', "The operator '=' is not supported by the 'summary' field."],
    ['summary in test', "Operator 'in' does not support the non-list value '\"test\"' for field 'summary'."],
    ['status = Shipped', "The value 'Shipped' does not exist for the field 'status'."],
    ['assignee = currentUser()', "Field 'assignee' does not exist or you do not have permission to view it."],
    ['project = ENG AND Repo = currentUser()', "Unable to find JQL function 'currentUser()'."],
    ['ORDER BY created', 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'],
  ])("rejects %s with 400 and Jira's message", async (jql, message) => {
    const res = await get('/rest/api/3/search/jql', { jql });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errorMessages: [message], errors: {} });
  });

  it('returns only ids by default, and the asked fields in Jira shapes', async () => {
    expect((await get('/rest/api/3/search/jql', { jql: 'key = ENG-1' })).body).toEqual({
      issues: [{ id: '10001' }],
      isLast: true,
    });
    const res = await get('/rest/api/3/search/jql', {
      jql: 'key = ENG-1',
      fields: 'status,priority,created,customfield_10050,nonsense',
    });
    const [issue] = res.body.issues;
    expect(Object.keys(issue.fields).sort()).toEqual(['created', 'customfield_10050', 'priority', 'status']);
    expect(issue.fields.created).toBe('2025-01-01T00:00:00.000+0000');
    expect(issue.fields.status).toMatchObject({ name: 'Ready', statusCategory: { key: 'new' } });
    expect(issue.fields.priority).toMatchObject({ name: 'High', id: '2' });
    expect(issue.fields.customfield_10050).toMatchObject({ value: 'api' });
  });

  it('pages with nextPageToken, leaving it out of the last page, capping pages with fields at 100', async () => {
    for (let n = 0; n < 130; n++) fake.store.createIssue({ summary: `bulk ${n}`, repo: 'api' });
    const jql = 'project = ENG';
    const first = await get('/rest/api/3/search/jql', { jql, fields: 'summary', maxResults: '500' });
    expect(first.body.issues).toHaveLength(100);
    expect(first.body.isLast).toBe(false);
    const second = await get('/rest/api/3/search/jql', {
      jql,
      fields: 'summary',
      maxResults: '500',
      nextPageToken: first.body.nextPageToken,
    });
    expect(second.body.issues).toHaveLength(33);
    expect(second.body).not.toHaveProperty('nextPageToken');
    expect(second.body.isLast).toBe(true);
    const ids = [...first.body.issues, ...second.body.issues].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(133);
    const stolen = await get('/rest/api/3/search/jql', { jql: 'project = OPS', nextPageToken: first.body.nextPageToken });
    expect(stolen.status).toBe(400);
  });
});

describe('fake jira: issues, transitions, comments', () => {
  it("answers 404 with Jira's message for an unknown issue", async () => {
    expect(await get('/rest/api/3/issue/ENG-404')).toEqual({
      status: 404,
      headers: expect.anything(),
      body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
    });
  });

  it('shows "Blocks" links inward on the blocked issue and outward on the blocker', async () => {
    fake.store.linkBlocks('10003', '10001');
    const blocked = (await get('/rest/api/3/issue/ENG-1', { fields: 'issuelinks' })).body.fields.issuelinks;
    const blocker = (await get('/rest/api/3/issue/ENG-3', { fields: 'issuelinks' })).body.fields.issuelinks;
    expect(blocked).toMatchObject([{ type: { name: 'Blocks', inward: 'is blocked by' }, inwardIssue: { key: 'ENG-3' } }]);
    expect(blocker).toMatchObject([{ type: { name: 'Blocks', outward: 'blocks' }, outwardIssue: { key: 'ENG-1' } }]);
  });

  it('offers transitions out of the current status and rejects one that is not offered', async () => {
    const { body } = await get('/rest/api/3/issue/ENG-1/transitions');
    const targets = body.transitions.map((t: { to: { name: string } }) => t.to.name);
    expect(targets).not.toContain('Ready');
    expect(targets).toContain('Planning');
    const toReady = fake.store.transitions.find((t) => t.to === 'Ready');
    expect(await post('/rest/api/3/issue/ENG-1/transitions', { transition: { id: toReady?.id } })).toEqual({
      status: 400,
      body: { errorMessages: [`Transition id '${toReady?.id}' is not valid for this issue.`], errors: {} },
    });
    const toPlanning = body.transitions.find((t: { to: { name: string } }) => t.to.name === 'Planning');
    expect((await post('/rest/api/3/issue/ENG-1/transitions', { transition: { id: toPlanning.id } })).status).toBe(204);
    expect(fake.store.issue('ENG-1')?.status).toBe('Planning');
  });

  it('takes comments only as ADF documents', async () => {
    expect(await post('/rest/api/3/issue/ENG-1/comment', { body: 'plain text' })).toEqual({
      status: 400,
      body: {
        errorMessages: [],
        errors: { comment: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' },
      },
    });
    const doc = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }] };
    const created = await post('/rest/api/3/issue/ENG-1/comment', { body: doc });
    expect(created).toMatchObject({ status: 201, body: { body: doc, author: { displayName: expect.any(String) } } });
    expect(fake.commentTexts('ENG-1')).toEqual(['hi']);
  });
});

describe('fake jira: fields and JQL parsing', () => {
  it('answers 400 "doesn\'t support options" for a field without options, 404 for an unknown field', async () => {
    expect((await get('/rest/api/3/field/customfield_10016/context')).body.values).toHaveLength(1);
    expect(await post('/rest/api/3/jql/parse', { queries: [] })).toEqual({ status: 200, body: { queries: [] } });
    const options = await get('/rest/api/3/field/customfield_10016/context/10116/option');
    expect(options).toMatchObject({ status: 400, body: { errorMessages: ["The custom field doesn't support options."] } });
    expect((await get('/rest/api/3/field/summary/context')).status).toBe(404);
  });

  it('parses and validates queries, answering 200 with per-query errors', async () => {
    const res = await post(
      '/rest/api/3/jql/parse',
      { queries: ['project = ENG AND Repo in (api, "web")', 'project = INVALID'] },
      { validation: 'strict' },
    );
    expect(res.status).toBe(200);
    expect(res.body.queries[0].structure.where).toMatchObject({
      operator: 'and',
      clauses: [
        { field: { name: 'project' }, operator: '=', operand: { value: 'ENG' } },
        { operator: 'in', operand: { values: [{ value: 'api' }, { value: 'web' }] } },
      ],
    });
    expect(res.body.queries[1]).toEqual({
      query: 'project = INVALID',
      errors: ["The value 'INVALID' does not exist for the field 'project'."],
    });
  });
});
