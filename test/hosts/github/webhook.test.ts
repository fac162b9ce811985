import { afterEach, describe, expect, it } from 'vitest';
import { PULLS_COLLECTION } from '../../../core/app/pulls/pulls.service.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import {
  deliver,
  type GithubHarness,
  issueNow,
  listPulls,
  OWNER,
  openPullThroughARun,
  REPO,
  startGithubHarness,
  WEBHOOK_SECRET,
} from './github-harness.js';
import { issueCommentCreated, ping, pullRequestClosed, reviewSubmitted } from './payloads.js';

let g: GithubHarness | undefined;
let bare: Harness | undefined;
afterEach(async () => {
  await g?.close();
  await bare?.close();
  g = bare = undefined;
});

const commentsOf = async (gh: GithubHarness, id: string) => (await issueNow(gh, id)).comments.map((c) => c.body);

describe('POST /api/github/webhook: disabled, signature and payload checks', () => {
  it('answers 503 with its message when GITHUB_WEBHOOK_SECRET is unset, whatever is sent', async () => {
    bare = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    const res = await deliver(bare, 'ping', ping(OWNER, REPO));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'GitHub webhook not configured' });
  });

  it('exists without the admin (no ADMIN_ACCESS_CODE): the signature is its only guard', async () => {
    bare = await startHarness('memory', { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const ok = await deliver(bare, 'ping', ping(OWNER, REPO));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, ignored: 'event ping' });
    expect((await bare.call('GET', '/api/pulls')).status).toBe(404);
  });

  it('401 Invalid signature for a missing, wrong-secret, tampered or malformed signature', async () => {
    g = await startGithubHarness();
    const payload = ping(OWNER, REPO);
    const raw = JSON.stringify(payload);
    const cases: Array<{ signature?: string | null; secret?: string; raw?: string }> = [
      { signature: null },
      { signature: '' },
      { secret: 'not-the-secret' },
      { signature: `sha256=${'0'.repeat(64)}` },
      { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' },
      { signature: 'garbage' },
    ];
    for (const c of cases) {
      const res = await deliver(g.h, 'ping', payload, c);
      expect(res.status, JSON.stringify(c)).toBe(401);
      expect(await res.json()).toEqual({ error: 'Invalid signature' });
    }
    // Signed over the exact bytes: one added space breaks it.
    const { sign } = await import('@octokit/webhooks-methods');
    const signature = await sign(WEBHOOK_SECRET, raw);
    const tampered = await deliver(g.h, 'ping', payload, { signature, raw: `${raw} ` });
    expect(tampered.status).toBe(401);
    const exact = await deliver(g.h, 'ping', payload, { signature, raw });
    expect(exact.status).toBe(200);
  });

  it('verifies the raw bytes, not a re-serialisation: pretty-printed JSON with unicode passes', async () => {
    g = await startGithubHarness();
    const raw = JSON.stringify({ ...ping(OWNER, REPO), zen: 'Ünïcödé — “quoted” 🚀' }, null, 2);
    const res = await deliver(g.h, 'ping', undefined, { raw });
    expect(res.status).toBe(200);
  });

  it('400 Invalid JSON payload for a correctly signed body that is not a JSON object', async () => {
    g = await startGithubHarness();
    for (const raw of ['{"action": "closed",', 'not json', '[1,2]', '"text"', 'null']) {
      const res = await deliver(g.h, 'pull_request', undefined, { raw });
      expect(res.status, raw).toBe(400);
      expect(await res.json()).toEqual({ error: 'Invalid JSON payload' });
    }
  });

  it('400 Missing required PR fields for a merged payload without number, URL, branch, merge SHA or repository', async () => {
    g = await startGithubHarness();
    const fixture = { owner: OWNER, repo: REPO, number: 7, branch: 'ai-implement/ENG-1' };
    const strip: Array<(p: ReturnType<typeof pullRequestClosed>) => void> = [
      (p) => {
        delete (p as Partial<typeof p>).number;
        delete (p.pull_request as Partial<typeof p.pull_request>).number;
      },
      (p) => delete (p.pull_request as Partial<typeof p.pull_request>).html_url,
      (p) => delete (p.pull_request.head as Partial<typeof p.pull_request.head>).ref,
      (p) => {
        (p.pull_request as Record<string, unknown>).merge_commit_sha = null;
      },
      (p) => delete (p as Partial<typeof p>).repository,
    ];
    for (const [i, change] of strip.entries()) {
      const payload = pullRequestClosed(fixture);
      change(payload);
      const res = await deliver(g.h, 'pull_request', payload);
      expect(res.status, `case ${i}`).toBe(400);
      expect(await res.json()).toEqual({ error: 'Missing required PR fields' });
    }
    // The same payload complete is fine: untracked, so ignored.
    const complete = await deliver(g.h, 'pull_request', pullRequestClosed(fixture));
    expect(complete.status).toBe(200);
    expect(await complete.json()).toEqual({ ok: true, ignored: 'pull request not tracked' });
  });

  it('answers 200 and ignores every other event, changing nothing', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const before = await commentsOf(g, opened.issue.id);
    const jobsBefore = (await g.h.orchestrator.cradle.storage.jobs.list()).length;
    const others: Array<[string, unknown]> = [
      ['ping', ping(OWNER, REPO)],
      ['pull_request', pullRequestClosed(opened.pull, false)],
      ['pull_request', { ...pullRequestClosed(opened.pull), action: 'synchronize' }],
      ['pull_request_review', reviewSubmitted(opened.pull, 'approved', 11)],
      ['pull_request_review', reviewSubmitted(opened.pull, 'commented', 12)],
      ['pull_request_review', { ...reviewSubmitted(opened.pull, 'changes_requested', 13), action: 'dismissed' }],
      ['issue_comment', issueCommentCreated(opened.pull, '/ai-implement')],
      ['push', { ref: 'refs/heads/main', repository: { name: REPO, owner: { login: OWNER } } }],
    ];
    for (const [event, payload] of others) {
      const res = await deliver(g.h, event, payload);
      expect(res.status, event).toBe(200);
      const body = (await res.json()) as { ok: boolean; ignored?: string };
      expect(body.ok).toBe(true);
      expect(typeof body.ignored, `${event} ${JSON.stringify(body)}`).toBe('string');
    }
    expect(await commentsOf(g, opened.issue.id)).toEqual(before);
    expect(await g.h.orchestrator.cradle.storage.jobs.list()).toHaveLength(jobsBefore);
    const [row] = await listPulls(g);
    expect(row?.merged).toBe(false);
  });
});

describe('POST /api/github/webhook: merged pull requests', () => {
  it('marks a tracked pull request merged, comments once, keeps the issue at PR opened and clears its dedup entry', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const { cradle } = g.h.orchestrator;
    expect((await issueNow(g, opened.issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
    expect((await cradle.storage.dedup.list()).map((d) => d.issueId)).toContain(opened.issue.id);
    g.github.mergePull(OWNER, REPO, opened.pull.number);

    const res = await deliver(g.h, 'pull_request', pullRequestClosed(opened.pull));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      handled: 'merged',
      pullRequest: `acme/widgets#${opened.pull.number}`,
      identifier: opened.issue.identifier,
      duplicate: false,
    });
    const comments = await commentsOf(g, opened.issue.id);
    const merged = comments.filter((c) => c.startsWith('✅ Pull request'));
    expect(merged).toEqual([
      `✅ Pull request #${opened.pull.number} merged (e5bd391): ${opened.url}\n\nAI-Implement's work on this issue is done.`,
    ]);
    expect((await issueNow(g, opened.issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
    expect((await cradle.storage.dedup.list()).map((d) => d.issueId)).not.toContain(opened.issue.id);
    const record = (await cradle.storage.documents.list(PULLS_COLLECTION))[0];
    expect(record).toMatchObject({
      merged: true,
      mergeCommitSha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
      branch: opened.pull.branch,
      mergedAt: Date.parse('2026-01-01T00:10:00Z'),
    });

    // GitHub redelivers: acknowledged, nothing posted twice.
    const again = await deliver(g.h, 'pull_request', pullRequestClosed(opened.pull));
    expect(await again.json()).toMatchObject({ handled: 'merged', duplicate: true });
    expect((await commentsOf(g, opened.issue.id)).filter((c) => c.startsWith('✅ Pull request'))).toHaveLength(1);

    // A review on a merged pull request starts nothing.
    const review = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 99));
    expect(await review.json()).toEqual({ ok: true, ignored: 'pull request already merged' });
  });

  it('moves an issue whose tracker missed the PR-opened move on to PR opened', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const { trackerStore } = g.h.orchestrator.cradle;
    await trackerStore.update(opened.issue.id, (i) => ({ ...i, labels: ['AI-Implement', 'AI-Working'] }));
    const res = await deliver(g.h, 'pull_request', pullRequestClosed(opened.pull));
    expect(res.status).toBe(200);
    expect((await issueNow(g, opened.issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
  });

  it('matches owner and repository without regard to case, as GitHub does', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const res = await deliver(g.h, 'pull_request', pullRequestClosed({ ...opened.pull, owner: 'ACME', repo: 'Widgets' }));
    expect(await res.json()).toMatchObject({ handled: 'merged', duplicate: false });
  });
});

describe('POST /api/github/webhook: reviews asking for changes', () => {
  it('re-dispatches the implementation as dispatch 2, then stops at maxIterations (2) with a comment', async () => {
    g = await startGithubHarness();
    const opened = await openPullThroughARun(g);
    const { cradle } = g.h.orchestrator;
    g.h.clock.advance(5 * 60_000);

    const res = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 501));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { handled: string; jobId: string; iteration: number; maxIterations: number };
    expect(body).toMatchObject({ ok: true, handled: 'redispatched', iteration: 2, maxIterations: 2 });
    const second = await cradle.storage.jobs.get(body.jobId);
    expect(second).toMatchObject({
      issueId: opened.issue.id,
      phase: 'implementation',
      dispatchNumber: 2,
      runner: 'shadow',
      status: 'dispatched',
      prNumber: opened.pull.number,
      prUrl: opened.url,
    });
    expect(await commentsOf(g, opened.issue.id)).toContain(
      `🔁 Changes requested on pull request #${opened.pull.number} by @octocat. Re-running implementation (iteration 2 of 2).`,
    );
    const [row] = await listPulls(g);
    expect(row).toMatchObject({ iteration: 2, status: 'running', job: { id: body.jobId }, secondsSinceLastDispatch: 0 });

    // The same review redelivered does nothing more.
    const redelivered = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 501));
    expect(await redelivered.json()).toEqual({ ok: true, ignored: 'review already handled' });
    // Another review while the re-run is in flight is left to that run.
    const inFlight = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 502));
    expect(await inFlight.json()).toEqual({ ok: true, ignored: 'a run on this issue is still in flight' });

    // The re-run pushes to the same pull request; a further review hits the limit.
    g.h.clock.advance(60_000);
    await cradle.jobOutcome.record(body.jobId, {
      type: 'succeeded',
      prUrl: opened.url,
      prNumber: opened.pull.number,
      at: g.h.clock.now(),
    });
    const limit = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 503));
    expect(await limit.json()).toMatchObject({ ok: true, handled: 'iteration-limit', maxIterations: 2 });
    const implementations = (await cradle.storage.jobs.list()).filter((j) => j.phase === 'implementation');
    expect(implementations.map((j) => j.dispatchNumber).sort()).toEqual([1, 2]);
    expect(await commentsOf(g, opened.issue.id)).toContain(
      `⚠️ Changes requested on pull request #${opened.pull.number}, but the iteration limit (2) is reached. A person needs to take it from here.`,
    );
  });

  it('takes the provider default when maxIterations is blank (anthropic: 3)', async () => {
    g = await startGithubHarness({ mapping: { maxIterations: null } });
    const opened = await openPullThroughARun(g);
    const { cradle } = g.h.orchestrator;
    for (const [reviewId, expected] of [
      [601, 2],
      [602, 3],
    ] as const) {
      const res = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', reviewId));
      const body = (await res.json()) as { jobId: string; iteration: number; maxIterations: number };
      expect(body).toMatchObject({ iteration: expected, maxIterations: 3 });
      await cradle.jobOutcome.record(body.jobId, {
        type: 'succeeded',
        prUrl: opened.url,
        prNumber: opened.pull.number,
        at: g.h.clock.now(),
      });
    }
    const limit = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 603));
    expect(await limit.json()).toMatchObject({ handled: 'iteration-limit', maxIterations: 3 });
  });

  it('says on the ticket when the re-run fails, which the lifecycle leaves alone at PR opened', async () => {
    g = await startGithubHarness({ env: { RUNNER_TOKEN_SECRET: 'runner-secret-value-1234' } });
    const opened = await openPullThroughARun(g);
    const { cradle } = g.h.orchestrator;
    const res = await deliver(g.h, 'pull_request_review', reviewSubmitted(opened.pull, 'changes_requested', 701));
    const { jobId } = (await res.json()) as { jobId: string };
    const before = await commentsOf(g, opened.issue.id);
    await cradle.jobOutcome.record(jobId, {
      type: 'failed',
      error: 'git push failed with token runner-secret-value-1234',
      at: g.h.clock.now(),
    });
    await cradle.pulls.settled();
    const added = (await commentsOf(g, opened.issue.id)).slice(before.length);
    expect(added).toContain(
      // An implementation run's failure notice, as the spec words it; the comment before it named the re-run.
      '⚠️ Implementation failed: git push failed with token [REDACTED]',
    );
    expect(added.join('\n')).not.toContain('runner-secret-value-1234');
    expect((await issueNow(g, opened.issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
    const [row] = await listPulls(g);
    expect(row).toMatchObject({ status: 'failed', iteration: 2, job: { id: jobId, status: 'failed' } });
  });

  it('ignores a review of a pull request the orchestrator did not open', async () => {
    g = await startGithubHarness();
    const res = await deliver(
      g.h,
      'pull_request_review',
      reviewSubmitted({ owner: OWNER, repo: REPO, number: 42, branch: 'someone/else' }, 'changes_requested', 1),
    );
    expect(await res.json()).toEqual({ ok: true, ignored: 'pull request not tracked' });
    expect(await g.h.orchestrator.cradle.storage.jobs.list()).toEqual([]);
  });
});
