import { afterEach, describe, expect, it } from 'vitest';
import { issueCommentPayload, issuesPayload } from '../../../testing/fakes/github/webhooks.js';
import { waitFor } from '../../conformance/world.js';
import { deliver, type GithubHarness, OWNER, REPO, startGithubHarness, TEAM } from './github-harness.js';

/**
 * `issues` and `issue_comment` deliveries on `POST /api/github/webhook` for a mapping on GitHub
 * Issues: signature-checked, they reconcile the mapping at once (polling is hourly here), and
 * answer before the reconcile finishes. Payloads start from @octokit/webhooks-examples.
 */
let g: GithubHarness | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const start = () => startGithubHarness({ env: { POLL_INTERVAL_MS: '3600000' }, mapping: { ticketing: 'github' } });

describe('POST /api/github/webhook: issues events for GitHub Issues mappings', () => {
  it('issues.labeled with AI-Implement reconciles the mapping at once: the issue is dispatched and wears AI-Working', async () => {
    g = await start();
    const issue = g.github.addIssue({ owner: OWNER, repo: REPO, title: 'Add a widget', labels: ['bug'] });
    await g.h.orchestrator.cradle.reconcile.request(); // the start-up cycle: nothing to do
    g.github.editIssue(issue, { labels: ['bug', 'AI-Implement'] });
    await new Promise((r) => setTimeout(r, 300));
    expect(await g.h.orchestrator.cradle.storage.jobs.list()).toEqual([]); // no poll comes within the hour
    const res = await deliver(g.h, 'issues', issuesPayload(g.github, 'labeled', issue, 'AI-Implement'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, handled: 'issues', reconciling: [TEAM] });
    const job = await waitFor(
      async () =>
        (await g!.h.orchestrator.cradle.storage.jobs.list()).find((j) => j.issueId === `${OWNER}/${REPO}#${issue.number}`),
      'a job for the labelled issue',
    );
    expect(job).toMatchObject({ identifier: `${TEAM}-${issue.number}`, phase: 'implementation', teamKey: TEAM });
    await waitFor(() => (issue.labels.includes('AI-Working') ? true : undefined), 'AI-Working on the GitHub issue');
    expect(issue.labels).toEqual(['bug', 'AI-Implement', 'AI-Working']);
  });

  it('refuses an unsigned or wrongly signed delivery (401 Invalid signature) and reconciles nothing', async () => {
    g = await start();
    const issue = g.github.addIssue({ owner: OWNER, repo: REPO, title: 'x', labels: ['AI-Implement'] });
    const payload = issuesPayload(g.github, 'labeled', issue, 'AI-Implement');
    for (const options of [{ signature: null }, { secret: 'not-the-secret' }]) {
      const res = await deliver(g.h, 'issues', payload, options);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Invalid signature' });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await g.h.orchestrator.cradle.storage.jobs.list()).toEqual([]);
  });

  it('ignores what cannot change a candidate: other repositories, other actions, pull-request comments, bots', async () => {
    g = await start();
    g.github.addRepo({ owner: OWNER, repo: 'elsewhere' });
    const other = g.github.addIssue({ owner: OWNER, repo: 'elsewhere', title: 'x', labels: ['AI-Implement'] });
    const plain = g.github.addIssue({ owner: OWNER, repo: REPO, title: 'plain', labels: ['bug'] });
    const tracked = g.github.addIssue({ owner: OWNER, repo: REPO, title: 'tracked', labels: ['AI-Implement'] });
    const comment = { id: 5, body: 'hello', user: 'octocat', createdAt: Date.now(), updatedAt: Date.now() };
    const cases: [string, Record<string, unknown>, string][] = [
      ['issues', issuesPayload(g.github, 'labeled', other, 'AI-Implement'), `no GitHub Issues mapping for ${OWNER}/elsewhere`],
      ['issues', issuesPayload(g.github, 'assigned', tracked), 'issues.assigned'],
      [
        'issue_comment',
        issueCommentPayload(g.github, 'created', { issue: plain }, comment),
        'issue_comment on an issue outside the lifecycle',
      ],
      ['issue_comment', issueCommentPayload(g.github, 'edited', { issue: tracked }, comment), 'issue_comment.edited'],
      [
        'issue_comment',
        {
          ...issueCommentPayload(g.github, 'created', { issue: tracked }, comment),
          sender: { login: 'ai-implement[bot]', type: 'Bot' },
        },
        'issue_comment by a bot',
      ],
    ];
    for (const [event, payload, ignored] of cases) {
      const res = await deliver(g.h, event, payload);
      expect(res.status, ignored).toBe(200);
      expect(await res.json()).toEqual({ ok: true, ignored });
    }
    const person = await deliver(g.h, 'issue_comment', issueCommentPayload(g.github, 'created', { issue: tracked }, comment));
    expect(await person.json()).toEqual({ ok: true, handled: 'issue_comment', reconciling: [TEAM] });
  });

  it('ignores a comment on a pull request, which GitHub sends as issue_comment', async () => {
    g = await start();
    g.github.addBranch(OWNER, REPO, 'feature', { 'a.txt': 'a' });
    const created = await fetch(`${g.github.url}/repos/${OWNER}/${REPO}/pulls`, {
      method: 'POST',
      headers: { authorization: 'token ghp_testtokenforthefakegithub000000000000', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'PR', head: 'feature', base: 'main' }),
    });
    expect(created.status).toBe(201);
    const pull = g.github.pulls(OWNER, REPO)[0]!;
    const comment = { id: 6, body: '/ai-implement', user: 'octocat', createdAt: Date.now(), updatedAt: Date.now() };
    const payload = issueCommentPayload(g.github, 'created', { pull, owner: OWNER, repo: REPO }, comment);
    expect((payload.issue as { pull_request?: unknown }).pull_request).toBeDefined();
    const res = await deliver(g.h, 'issue_comment', payload);
    expect(await res.json()).toEqual({ ok: true, ignored: 'issue_comment.created on a pull request' });
  });
});

describe('the no-mapping blocker for GitHub Issues', () => {
  it('shows a labelled issue of a repository the token sees but no mapping covers, in the Blockers view', async () => {
    g = await start();
    g.github.addRepo({ owner: OWNER, repo: 'unmapped' });
    g.github.addIssue({ owner: OWNER, repo: 'unmapped', title: 'Orphan', labels: ['AI-Implement'] });
    await g.h.orchestrator.cradle.reconcile.request();
    const res = await g.h.call('GET', '/api/blockers', { token: g.token });
    expect(res.status).toBe(200);
    const { blockers } = (await res.json()) as {
      blockers: { identifier: string; reason: string; message: string; url?: string }[];
    };
    expect(blockers.find((b) => b.identifier === `${OWNER}/unmapped#1`)).toMatchObject({
      reason: 'no-mapping',
      message: `No mapping for team ${OWNER}/unmapped. Add one in Projects.`,
    });
  });
});
