import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import { ACCESS_CODE, STORAGE_KINDS } from '../harness.js';
import {
  type CallbackHarness,
  type CallbackHarnessOptions,
  EXTRA_SECRET,
  RUNNER_SECRET,
  resultBody,
  startCallbackHarness,
} from './callbacks-harness.js';

const PR_URL = 'https://github.example/acme/widgets/pull/7';
const open: CallbackHarness[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function harness(options: CallbackHarnessOptions = {}): Promise<CallbackHarness> {
  const h = await startCallbackHarness(options);
  open.push(h);
  return h;
}

const commentsOf = async (h: CallbackHarness, issueId: string) => (await h.issue(issueId)).comments.map((c) => c.body);

describe.each(STORAGE_KINDS)('the run lifecycle on the local tracker (%s storage)', (kind) => {
  it('a result with thousands of comments posts ten, the last holding the rest, and records its outcome', async () => {
    const h = await harness({ kind });
    const issue = await h.createIssue();
    const plan = await h.dispatch();
    const comments = Array.from({ length: 2_000 }, (_, i) => ({ body: `note ${i + 1}` }));
    const res = await h.runner('POST', '/runner/result', plan.env[RUN_ENV.resultToken], resultBody('planning', { comments }));
    expect(res.status).toBe(200);
    const posted = await commentsOf(h, issue.id);
    expect(posted).toHaveLength(10);
    expect(posted.slice(0, 9)).toEqual(comments.slice(0, 9).map((c) => c.body));
    expect(posted[9]?.startsWith('note 10\n\n---\n\nnote 11')).toBe(true);
    expect(posted[9]?.endsWith('note 2000')).toBe(true);
    expect(await h.job(plan.job.id)).toMatchObject({ status: 'completed' });
  });

  it('autoApprovePlans: plan → Plan complete → implementation dispatched → PR opened, each with its comment and label', async () => {
    const h = await harness({ kind });
    const issue = await h.createIssue();
    const plan = await h.dispatch();
    expect(plan.job.phase).toBe('planning');
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'AI-Planning']);

    const planned = await h.runner(
      'POST',
      '/runner/result',
      plan.env[RUN_ENV.resultToken],
      resultBody('planning', { comments: [{ body: '## Plan\n1. Spin.' }] }),
    );
    expect(planned.status).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    const implementation = h.launches.at(-1)!;
    expect(implementation.job).toMatchObject({ phase: 'implementation', issueId: issue.id, dispatchNumber: 1 });
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'AI-Working']);

    const done = await h.runner(
      'POST',
      '/runner/result',
      implementation.env[RUN_ENV.resultToken],
      resultBody('implementation', { comments: [{ body: 'Opened the PR.' }] }),
    );
    expect(await done.json()).toEqual({ ok: true, jobId: implementation.job.id, status: 'completed' });
    expect(await h.job(implementation.job.id)).toMatchObject({ status: 'completed', prUrl: PR_URL, prNumber: 7 });
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
    expect(await commentsOf(h, issue.id)).toEqual([
      '## Plan\n1. Spin.',
      'Opened the PR.',
      `🔗 Pull request #7 opened: ${PR_URL}`,
    ]);
  });
});

describe('the run lifecycle, outcomes', () => {
  it('without autoApprovePlans the issue waits at Plan complete and nothing more is dispatched', async () => {
    const h = await harness({ mapping: { autoApprovePlans: false } });
    const issue = await h.createIssue();
    const plan = await h.dispatch();
    expect((await h.runner('POST', '/runner/result', plan.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(200);
    const report = await h.orchestrator.cradle.reconcile.request();
    expect(report.dispatched).toEqual([]);
    expect(h.launches).toHaveLength(1);
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'Plan-Complete']);
    expect((await h.orchestrator.cradle.storage.jobs.list()).map((j) => [j.phase, j.status])).toEqual([
      ['planning', 'completed'],
    ]);
  });

  it('a failed planning run: ⚠️ Planning failed: {reason}, redacted, and the AI labels removed', async () => {
    const h = await harness();
    const issue = await h.createIssue();
    const plan = await h.dispatch();
    const error = `Claude failed: invalid key ${EXTRA_SECRET}`;
    const res = await h.runner('POST', '/runner/result', plan.env[RUN_ENV.resultToken], {
      phase: 'planning',
      outcome: 'failure',
      error,
      comments: [],
    });
    expect(await res.json()).toEqual({ ok: true, jobId: plan.job.id, status: 'failed' });
    expect(await commentsOf(h, issue.id)).toEqual(['⚠️ Planning failed: Claude failed: invalid key [REDACTED]']);
    expect((await h.issue(issue.id)).labels).toEqual([]);
    expect((await h.job(plan.job.id)).error).toBe('Claude failed: invalid key [REDACTED]');
  });

  it('a failed implementation run: ⚠️ Implementation failed: {reason}, then the session_failed log excerpt, redacted', async () => {
    const h = await harness({ mapping: { planningEnabled: false } });
    const issue = await h.createIssue();
    const run = await h.dispatch();
    expect(run.job.phase).toBe('implementation');
    const log = `npm ERR! 401 token ${EXTRA_SECRET}\nnpm ERR! using ${run.env[RUN_ENV.progressToken]}`;
    const res = await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], {
      phase: 'implementation',
      outcome: 'failure',
      error: 'Implementation failed: npm install failed (exit 1)',
      log,
      comments: [],
    });
    expect(res.status).toBe(200);
    const comments = await commentsOf(h, issue.id);
    expect(comments[0]).toBe('⚠️ Implementation failed: Implementation failed: npm install failed (exit 1)');
    expect(comments[1]).toMatch(/^📋 Log excerpt \(session_failed\): The session run failed\n🕒 /);
    expect(comments[1]).toContain('npm ERR! 401 token [REDACTED]\nnpm ERR! using [REDACTED]');
    expect(comments.join('\n')).not.toContain(EXTRA_SECRET);
    expect((await h.issue(issue.id)).labels).toEqual([]);
  });

  it('a PR whose post-push review flagged blockers: review_failed, PR opened, post_push_review_not_approved excerpt', async () => {
    const h = await harness({ mapping: { planningEnabled: false } });
    const issue = await h.createIssue();
    const run = await h.dispatch();
    const res = await h.runner(
      'POST',
      '/runner/result',
      run.env[RUN_ENV.resultToken],
      resultBody('implementation', { reviewApproved: false, log: 'blocker: missing tests' }),
    );
    expect(await res.json()).toEqual({ ok: true, jobId: run.job.id, status: 'review_failed' });
    const comments = await commentsOf(h, issue.id);
    expect(comments[0]).toBe(`🔗 Pull request #7 opened: ${PR_URL}`);
    expect(comments[1]).toMatch(
      /^📋 Log excerpt \(post_push_review_not_approved\): A PR was opened, but the post-push review flagged blockers/,
    );
    expect((await h.issue(issue.id)).labels).toEqual(['AI-Implement', 'Ready for Review']);
  });

  it('a secret value in a result comment is redacted: extraEnv, run credentials, orchestrator secrets', async () => {
    const h = await harness();
    const issue = await h.createIssue();
    const run = await h.dispatch();
    const leaks = [
      EXTRA_SECRET,
      run.env[RUN_ENV.resultToken]!,
      run.env[RUN_ENV.progressToken]!,
      run.env[RUN_ENV.nonce]!,
      RUNNER_SECRET,
      ACCESS_CODE,
    ];
    const body = `Debug dump:\n${leaks.map((v, i) => `${i}=${v}`).join('\n')}`;
    expect(
      (await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning', { comments: [{ body }] })))
        .status,
    ).toBe(200);
    const [posted] = await commentsOf(h, issue.id);
    expect(posted).toBe(`Debug dump:\n${leaks.map((_, i) => `${i}=[REDACTED]`).join('\n')}`);
  });

  it('a secret value in the PR URL a run reports stays off the ticket, the job and the log', async () => {
    const h = await harness({ mapping: { autoApprovePlans: true } });
    const issue = await h.createIssue();
    const plan = await h.dispatch();
    expect((await h.runner('POST', '/runner/result', plan.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(200);
    await h.orchestrator.cradle.reconcile.request();
    const run = h.launches.at(-1)!;
    const prUrl = `${PR_URL}?key=${EXTRA_SECRET}&t=${encodeURIComponent(run.env[RUN_ENV.progressToken]!)}`;
    const res = await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('implementation', { prUrl }));
    expect(res.status).toBe(200);
    expect((await h.job(run.job.id)).prUrl).toBe(`${PR_URL}?key=[REDACTED]&t=[REDACTED]`);
    expect((await commentsOf(h, issue.id)).at(-1)).toBe(`🔗 Pull request #7 opened: ${PR_URL}?key=[REDACTED]&t=[REDACTED]`);
    const attempts = await (await h.call('GET', `/api/v1/${issue.identifier}/attempts`, { token: h.admin })).text();
    for (const text of [attempts, h.logs.join('\n')]) {
      expect(text).not.toContain(EXTRA_SECRET);
      expect(text).not.toContain(encodeURIComponent(run.env[RUN_ENV.progressToken]!));
    }
  });
});

describe('the session environment', () => {
  it('carries the job, the callback URL, the three credentials, extraEnv and the caps — and no orchestrator secret', async () => {
    const h = await harness({
      env: { GITHUB_TOKEN: 'ghp_orchestrator_only_123456', LINEAR_API_KEY: 'lin_api_orchestrator_only' },
      mapping: { maxTurns: 20, extraEnv: { DEPLOY_KEY: EXTRA_SECRET, AI_IMPLEMENT_JOB_ID: 'spoofed' } },
    });
    await h.createIssue();
    const { env, job } = await h.dispatch();
    expect(Object.keys(env).sort()).toEqual(
      [
        'AI_IMPLEMENT_CALLBACK_URL',
        'AI_IMPLEMENT_ISSUE',
        // Where the code lives (added by the session runtime's work).
        'AI_IMPLEMENT_OWNER',
        'AI_IMPLEMENT_REPO',
        'AI_IMPLEMENT_FORGE',
        'AI_IMPLEMENT_DEFAULT_BRANCH',
        'AI_IMPLEMENT_BRANCH',
        'AI_IMPLEMENT_GITHUB_API_URL',
        'AI_IMPLEMENT_JOB_ID',
        'AI_IMPLEMENT_MAX_ITERATIONS',
        'AI_IMPLEMENT_MAX_JOB_MINUTES',
        'AI_IMPLEMENT_MAX_TURNS',
        'AI_IMPLEMENT_NONCE',
        'AI_IMPLEMENT_PHASE',
        'AI_IMPLEMENT_PROGRESS_TOKEN',
        'AI_IMPLEMENT_RESULT_TOKEN',
        'DEPLOY_KEY',
      ].sort(),
    );
    expect(env).toMatchObject({
      AI_IMPLEMENT_JOB_ID: job.id,
      AI_IMPLEMENT_PHASE: 'planning',
      AI_IMPLEMENT_ISSUE: 'ENG-1',
      AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000',
      AI_IMPLEMENT_MAX_TURNS: '20',
      AI_IMPLEMENT_MAX_ITERATIONS: '3',
      AI_IMPLEMENT_MAX_JOB_MINUTES: '90',
      DEPLOY_KEY: EXTRA_SECRET,
    });
    const values = Object.values(env).join('\n');
    for (const secret of [RUNNER_SECRET, ACCESS_CODE, 'ghp_orchestrator_only_123456', 'lin_api_orchestrator_only']) {
      expect(values).not.toContain(secret);
    }
  });
});
