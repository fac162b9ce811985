import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeIssue } from '../../testing/fakes/github/fake-github.js';
import { OWNER, REPO } from '../../testing/fakes/github/seed.js';
import { issuesPayload } from '../../testing/fakes/github/webhooks.js';
import type { ServerProcess } from './server.js';
import { startWorld, TEAM, WEBHOOK_SECRET, type World, waitFor } from './world.js';

/**
 * GitHub Issues as the tracker, through the HTTP API of the real server (a GitHub App on the
 * fake GitHub, sessions on the fake Fly): an issue labelled `AI-Implement` on the repository
 * walks the spec's lifecycle — Planning, Plan complete, Implementing, PR opened — wearing the
 * Linear labels of the "Issue lifecycle" table, with the progress and outcome comments of
 * "Ticket comments" posted as issue comments. The label reaches the orchestrator by webhook
 * (polling is hourly here).
 */

const PR_URL = `https://github.example/${OWNER}/${REPO}/pull/77`;
const LIFECYCLE = ['AI-Implement', 'AI-Planning', 'Plan-Complete', 'AI-Working', 'Ready for Review'];

let w: World;
let s: ServerProcess;
let issue: FakeIssue;
let identifier: string;

beforeAll(async () => {
  w = await startWorld();
  s = w.s;
  await w.mapping({
    ticketing: 'github',
    planningEnabled: true,
    planningWorkflowFile: 'claude-plan.yml',
    autoApprovePlans: true,
  });
}, 60_000);
afterAll(() => w.close());

const deliver = async (event: string, payload: unknown) => {
  const raw = JSON.stringify(payload);
  return s.call('POST', '/api/github/webhook', {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, raw),
    },
  });
};
const lifecycleLabels = () => issue.labels.filter((l) => LIFECYCLE.includes(l));
const comments = () => issue.comments.map((c) => c.body);
/** The run's machine env, once the dispatch is in the log (its nonce then answers /api/status). */
const machineFor = async (phase: string) => {
  await waitFor(async () => {
    const log = await s.call('GET', '/api/log', { token: true });
    const entries = log.body.entries as { identifier: string; phase: string }[];
    return entries.some((e) => e.identifier === identifier && e.phase === phase) ? true : undefined;
  }, `the ${phase} dispatch of ${identifier} in the log`);
  return waitFor(() => {
    const m = w.fly.machines().find((x) => {
      const env = x.config.env as Record<string, string> | undefined;
      return env?.AI_IMPLEMENT_ISSUE === identifier && env.AI_IMPLEMENT_PHASE === phase;
    });
    return m ? (m.config.env as Record<string, string>) : undefined;
  }, `a ${phase} machine for ${identifier}`);
};
const status = (nonce: string, event: string, extra: Record<string, unknown> = {}) =>
  s.call('POST', '/api/status', { body: { nonce, event, ...extra } });
const labelWrites = () =>
  w.github.requests
    .filter((r) => r.method === 'POST' && r.path === `/repos/${OWNER}/${REPO}/issues/${issue.number}/labels` && r.status === 200)
    .map((r) => (r.body as { labels: string[] }).labels);

describe('a GitHub issue from the AI-Implement label to PR opened', () => {
  it('Triggered → Planning: the labelled issue arrives by webhook, is planned, and wears AI-Planning', async () => {
    issue = w.github.addIssue({
      owner: OWNER,
      repo: REPO,
      title: 'Add a widget',
      body: 'A small one.',
      labels: ['AI-Implement'],
    });
    identifier = `${TEAM}-${issue.number}`;
    const res = await deliver('issues', issuesPayload(w.github, 'labeled', issue, 'AI-Implement'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, handled: 'issues', reconciling: [TEAM] });
    await machineFor('planning');
    expect(lifecycleLabels()).toEqual(['AI-Implement', 'AI-Planning']);
    // The lifecycle labels were created on the repository, once, with their colours.
    const created = w.github.requests.filter((r) => r.method === 'POST' && r.path === `/repos/${OWNER}/${REPO}/labels`);
    expect(created.map((r) => (r.body as { name: string }).name).sort()).toEqual([
      'AI-Planning',
      'AI-Working',
      'Plan-Complete',
      'Ready for Review',
    ]);
  });

  it('the run’s progress comments land on the issue as issue comments', async () => {
    const planning = await machineFor('planning');
    const res = await status(planning.AI_IMPLEMENT_NONCE as string, 'session_created');
    expect(res.status, res.text).toBe(200);
    expect(comments().some((c) => c.startsWith('🚀 Session machine created. Cloning repo and running setup…'))).toBe(true);
  });

  it('Plan complete → Implementing: a successful plan moves it on (plans auto-approved) and it wears AI-Working', async () => {
    const planning = await machineFor('planning');
    const res = await s.call('POST', '/runner/result', {
      token: planning.AI_IMPLEMENT_RESULT_TOKEN as string,
      body: { phase: 'planning', outcome: 'success', comments: [{ body: 'Plan: add src/widget.ts and a test.' }] },
    });
    expect(res.status, res.text).toBe(200);
    const implementation = await machineFor('implementation');
    expect(implementation.AI_IMPLEMENT_BRANCH).toBe(`ai-implement/${identifier}`);
    expect(lifecycleLabels()).toEqual(['AI-Implement', 'AI-Working']);
    expect(comments()).toContain('Plan: add src/widget.ts and a test.');
  });

  it('PR opened: progress comments, then the result moves it to Ready for Review with the PR link', async () => {
    const implementation = await machineFor('implementation');
    const nonce = implementation.AI_IMPLEMENT_NONCE as string;
    expect((await status(nonce, 'environment_ready')).status).toBe(200);
    expect((await status(nonce, 'pr_opened', { prNumber: 77, prUrl: PR_URL })).status).toBe(200);
    const res = await s.call('POST', '/runner/result', {
      token: implementation.AI_IMPLEMENT_RESULT_TOKEN as string,
      body: { phase: 'implementation', outcome: 'success', comments: [{ body: 'All done.' }], prUrl: PR_URL, prNumber: 77 },
    });
    expect(res.status, res.text).toBe(200);
    expect(lifecycleLabels()).toEqual(['AI-Implement', 'Ready for Review']);
    const posted = comments();
    for (const expected of [
      '✅ Environment ready. Claude is implementing…',
      `📝 Claude finished. PR #77 opened: ${PR_URL}`,
      `🔗 Pull request #77 opened: ${PR_URL}`,
    ]) {
      expect(
        posted.some((c) => c.startsWith(expected)),
        `${expected} in ${JSON.stringify(posted)}`,
      ).toBe(true);
    }
    // Every stage's label went on once, in the table's order.
    expect(labelWrites()).toEqual([['AI-Planning'], ['Plan-Complete'], ['AI-Working'], ['Ready for Review']]);
    expect(issue.state).toBe('open');
  });

  it('the admin lists the issue with its link on GitHub, and the pull request with it', async () => {
    const issues = await s.call('GET', '/api/issues', { token: true });
    expect(issues.status, issues.text).toBe(200);
    const row = (issues.body.issues as { identifier: string; url: string }[]).find((i) => i.identifier === identifier);
    expect(row?.url).toBe(`${w.github.htmlUrl}/${OWNER}/${REPO}/issues/${issue.number}`);
    const pulls = await s.call('GET', '/api/pulls', { token: true });
    expect(pulls.text).toContain(PR_URL);
    expect(pulls.text).toContain(`${w.github.htmlUrl}/${OWNER}/${REPO}/issues/${issue.number}`);
  });
});
