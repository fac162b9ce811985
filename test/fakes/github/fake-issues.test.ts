import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, TOKEN } from '../../../testing/fakes/github/seed.js';
import { issueCommentPayload, issuesPayload } from '../../../testing/fakes/github/webhooks.js';

/** Raw HTTP against the fake's issues side: the shapes and codes GitHub documents. */
let f: FakeGithub | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function start() {
  f = await startFakeGithub();
  f.addToken(TOKEN);
  f.addRepo({ owner: OWNER, repo: REPO });
  return f;
}

async function call(method: string, path: string, body?: unknown, auth = `token ${TOKEN}`) {
  const res = await fetch(`${f!.url}${path}`, {
    method,
    headers: { authorization: auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON answers, read loosely
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

const repoPath = `/repos/${OWNER}/${REPO}`;

describe('the fake GitHub: issues', () => {
  it('lists pull requests among issues, with a pull_request key, shares their numbers, and pages with a Link header', async () => {
    const fake = await start();
    for (let n = 0; n < 3; n++) fake.addIssue({ owner: OWNER, repo: REPO, title: `i${n}`, labels: ['AI-Implement', 'bug'] });
    fake.addBranch(OWNER, REPO, 'feature', { 'a.txt': 'a' });
    expect((await call('POST', `${repoPath}/pulls`, { title: 'PR', head: 'feature', base: 'main' })).body.number).toBe(4);
    const first = await call('GET', `${repoPath}/issues?per_page=2&sort=created&direction=asc`);
    expect(first.body.map((i: { number: number }) => i.number)).toEqual([1, 2]);
    expect(first.headers.get('link')).toMatch(/[?&]page=2>; rel="next"/);
    const second = await call('GET', `${repoPath}/issues?per_page=2&page=2&sort=created&direction=asc`);
    expect(second.body.map((i: { number: number; pull_request?: unknown }) => [i.number, i.pull_request !== undefined])).toEqual([
      [3, false],
      [4, true],
    ]);
    expect(second.headers.get('link')).toBeNull();
    // Labels filter with AND; every issue answers with its dependency summary.
    const both = await call('GET', `${repoPath}/issues?labels=ai-implement,BUG`);
    expect(both.body).toHaveLength(3);
    expect(both.body[0].issue_dependencies_summary).toEqual({
      blocked_by: 0,
      blocking: 0,
      total_blocked_by: 0,
      total_blocking: 0,
    });
    expect((await call('GET', `${repoPath}/issues?labels=AI-Implement,missing`)).body).toEqual([]);
  });

  it('filters by since on updated_at, at GitHub’s whole seconds', async () => {
    let t = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    f = await startFakeGithub({ now: () => t });
    f.addToken(TOKEN);
    f.addRepo({ owner: OWNER, repo: REPO });
    f.addIssue({ owner: OWNER, repo: REPO, title: 'old' });
    t += 10_000;
    const fresh = f.addIssue({ owner: OWNER, repo: REPO, title: 'fresh' });
    const since = await call('GET', `${repoPath}/issues?state=all&since=2026-01-01T12:00:10Z`);
    expect(since.body.map((i: { title: string }) => i.title)).toEqual(['fresh']);
    expect(since.body[0].updated_at).toBe('2026-01-01T12:00:10Z');
    expect(since.headers.get('date')).toBe(new Date(t).toUTCString());
    expect(fresh.number).toBe(2);
  });

  it('adds labels (creating unknown ones on the repository), removes one, and says 404 Label does not exist for one not there', async () => {
    const fake = await start();
    const issue = fake.addIssue({ owner: OWNER, repo: REPO, title: 'x', labels: ['AI-Implement'] });
    const added = await call('POST', `${repoPath}/issues/1/labels`, { labels: ['AI-Planning'] });
    expect(added.status).toBe(200);
    expect(added.body.map((l: { name: string }) => l.name)).toEqual(['AI-Implement', 'AI-Planning']);
    expect(fake.state.repo(OWNER, REPO)!.labels.has('ai-planning')).toBe(true);
    expect((await call('DELETE', `${repoPath}/issues/1/labels/AI-Planning`)).status).toBe(200);
    const missing = await call('DELETE', `${repoPath}/issues/1/labels/AI-Planning`);
    expect([missing.status, missing.body.message]).toEqual([404, 'Label does not exist']);
    expect(issue.labels).toEqual(['AI-Implement']);
  });

  it('creates repository labels once: a second one of the name (any case) is 422 already_exists', async () => {
    await start();
    expect((await call('POST', `${repoPath}/labels`, { name: 'AI-Working', color: '1d76db', description: 'd' })).status).toBe(
      201,
    );
    const again = await call('POST', `${repoPath}/labels`, { name: 'ai-working', color: '1d76db' });
    expect([again.status, again.body.errors]).toEqual([422, [{ resource: 'Label', code: 'already_exists', field: 'name' }]]);
    const listed = await call('GET', `${repoPath}/labels?per_page=100`);
    expect(listed.body.map((l: { name: string; color: string }) => [l.name, l.color])).toEqual([['AI-Working', '1d76db']]);
  });

  it('posts and lists comments, and lists blocked_by with the blocking issues', async () => {
    const fake = await start();
    const blocked = fake.addIssue({ owner: OWNER, repo: REPO, title: 'blocked' });
    const blocker = fake.addIssue({ owner: OWNER, repo: REPO, title: 'blocker' });
    fake.addBlockedBy(blocked, blocker);
    expect((await call('POST', `${repoPath}/issues/1/comments`, { body: 'hi' })).status).toBe(201);
    expect((await call('GET', `${repoPath}/issues/1/comments`)).body.map((c: { body: string }) => c.body)).toEqual(['hi']);
    const deps = await call('GET', `${repoPath}/issues/1/dependencies/blocked_by`);
    expect(deps.body.map((i: { number: number; state: string }) => [i.number, i.state])).toEqual([[2, 'open']]);
    expect((await call('GET', `${repoPath}/issues/1`)).body.issue_dependencies_summary).toMatchObject({
      blocked_by: 1,
      total_blocked_by: 1,
    });
  });

  it('needs the issues permission of an installation token, and lists the repositories a caller can see', async () => {
    const fake = await start();
    fake.addIssue({ owner: OWNER, repo: REPO, title: 'x' });
    fake.state.issuedTokens.set('ghs_noissues', {
      token: 'ghs_noissues',
      installationId: 1,
      account: OWNER,
      repositories: 'all',
      permissions: { contents: 'write' },
      expiresAt: Date.now() + 60_000,
      requested: {},
    });
    expect((await call('GET', `${repoPath}/issues`, undefined, 'token ghs_noissues')).status).toBe(403);
    expect((await call('GET', '/installation/repositories', undefined, 'token ghs_noissues')).body).toMatchObject({
      total_count: 1,
      repositories: [{ full_name: `${OWNER}/${REPO}`, has_issues: true, open_issues_count: 1 }],
    });
    expect((await call('GET', '/user/repos')).body.map((r: { full_name: string }) => r.full_name)).toEqual([`${OWNER}/${REPO}`]);
    expect((await call('GET', '/user/repos', undefined, 'token ghs_noissues')).status).toBe(403);
  });

  it('shapes issues and issue_comment deliveries like @octokit/webhooks-examples', async () => {
    const fake = await start();
    const issue = fake.addIssue({ owner: OWNER, repo: REPO, title: 'x', labels: ['AI-Implement'] });
    const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
      name: string;
      examples: Record<string, unknown>[];
    }[];
    const example = (event: string, action: string) =>
      examples.find((d) => d.name === event)!.examples.find((e) => e.action === action)!;
    const labeled = issuesPayload(fake, 'labeled', issue, 'AI-Implement');
    expect(Object.keys(labeled).sort()).toEqual(Object.keys(example('issues', 'labeled')).sort());
    for (const key of Object.keys(example('issues', 'labeled').issue as object)) expect(labeled.issue).toHaveProperty(key);
    expect(labeled).toMatchObject({
      action: 'labeled',
      label: { name: 'AI-Implement' },
      issue: { number: 1, html_url: `${fake.htmlUrl}/${OWNER}/${REPO}/issues/1`, labels: [{ name: 'AI-Implement' }] },
      repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}` },
    });
    const comment = { id: 9, body: 'hello', user: 'octocat', createdAt: Date.now(), updatedAt: Date.now() };
    const created = issueCommentPayload(fake, 'created', { issue }, comment);
    expect(Object.keys(created).sort()).toEqual(Object.keys(example('issue_comment', 'created')).sort());
    expect(created).toMatchObject({ action: 'created', comment: { id: 9, body: 'hello' }, issue: { number: 1 } });
    expect(created.issue).not.toHaveProperty('pull_request');
  });
});
