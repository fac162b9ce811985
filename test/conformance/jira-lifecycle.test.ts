import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeJira, startFakeJira } from '../../testing/fakes/jira/jira-fake.js';
import type { ServerProcess } from './server.js';
import { startWorld, type World, waitFor } from './world.js';

/**
 * error-codes…txt "Issue lifecycle" on Jira, through the real server: each stage's Jira status
 * (Ready → Planning → Plan Approved → Implementing → PR Ready, Planning Failed, Implementation
 * Failed), the outcome comments (`⚠️ Planning failed: {reason}`, `⚠️ Implementation failed:
 * {reason}`, the labelled log excerpt) and the job status values with their timeout reason, as
 * GET /api/log shows them. Runs launch as Fly machines; their tokens drive the outcomes.
 */

const PR_URL = 'https://github.example/acme/widgets/pull/31';

let w: World;
let s: ServerProcess;
let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira({ projects: ['ENG'] });
  w = await startWorld({ JIRA_HOST: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken });
  s = w.s;
  const jiraMapping = { ticketing: 'jira', jql: 'project = ENG', maxInProgressAiIssues: 5 };
  // Issues whose Repo is `api` are planned first; those whose Repo is `web` go straight to implementation.
  await w.mapping({ ...jiraMapping, repoFieldValue: 'api', planningEnabled: true, autoApprovePlans: true }, 'PLAN');
  await w.mapping({ ...jiraMapping, repoFieldValue: 'web', planningEnabled: false }, 'IMPL');
  // Issues whose Repo is `mobile` are planned, and wait at Plan Approved for an operator.
  await w.mapping({ ...jiraMapping, repoFieldValue: 'mobile', planningEnabled: true, autoApprovePlans: false }, 'HOLD');
}, 60_000);
afterAll(async () => {
  await w?.close();
  await jira?.close();
});

/** The statuses an issue was moved to, in order (from the transitions the orchestrator posted). */
const statusHistory = (key: string): string[] => {
  const issue = jira.store.issue(key);
  return jira.requests
    .filter((r) => r.method === 'POST' && r.status === 204)
    .filter((r) => r.path === `/rest/api/3/issue/${issue?.id}/transitions` || r.path === `/rest/api/3/issue/${key}/transitions`)
    .map(
      (r) => jira.store.transitions.find((t) => t.id === String((r.body as { transition: { id: unknown } }).transition.id))?.to,
    )
    .filter((to): to is string => to !== undefined);
};
const statusOf = (key: string) => jira.store.issue(key)?.status;
/** The status a dispatch moves the issue to (the move may land just after the machine starts). */
const reaches = (key: string, status: string) =>
  waitFor(() => (statusOf(key) === status ? status : undefined), `${key} in ${status} (is ${statusOf(key)})`);

/** Machines already handed out by `runOf`. */
const launched = new Set<string>();
/** The machine env of the next `phase` run of `key`. */
async function runOf(key: string, phase: string): Promise<Record<string, string>> {
  return waitFor(() => {
    const machine = w.fly.machines().find((m) => {
      const env = m.config.env as Record<string, string> | undefined;
      return env?.AI_IMPLEMENT_ISSUE === key && env.AI_IMPLEMENT_PHASE === phase && !launched.has(m.id);
    });
    if (!machine) return undefined;
    launched.add(machine.id);
    return machine.config.env as Record<string, string>;
  }, `the ${phase} run of ${key}`);
}
/** A Ready issue with the given Repo, and a reconcile to pick it up; answers its key. */
async function fileReady(summary: string, repo: 'api' | 'web' | 'mobile'): Promise<string> {
  const { key } = jira.store.createIssue({ project: 'ENG', summary, status: 'Ready', repo });
  expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
  return key;
}
const result = async (env: Record<string, string>, body: Record<string, unknown>) => {
  const res = await s.call('POST', '/runner/result', { token: env.AI_IMPLEMENT_RESULT_TOKEN as string, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const logEntry = async (jobId: string) => {
  const res = await s.call('GET', '/api/log', { token: true });
  return (res.body.entries as { jobId: string; status: string; timedOutReason: string | null }[]).find((e) => e.jobId === jobId);
};

describe('Triggered (Ready) → Planning → Plan complete (Plan Approved) → Implementing → PR opened (PR Ready)', () => {
  let key: string;

  it('Planning: a dispatched planning run moves the issue to Planning; the job is dispatched', async () => {
    key = await fileReady('Planned and built', 'api');
    const plan = await runOf(key, 'planning');
    await reaches(key, 'Planning');
    expect(['dispatched', 'running']).toContain((await logEntry(plan.AI_IMPLEMENT_JOB_ID as string))?.status);
    const done = await result(plan, { phase: 'planning', outcome: 'success', comments: [{ body: '## Plan' }], plan: '1. Build' });
    expect(done.status).toBe('completed');
  });

  it('Plan complete: Plan Approved, then (plans auto-approved) Implementing', async () => {
    const impl = await runOf(key, 'implementation');
    await reaches(key, 'Implementing');
    expect(statusHistory(key)).toEqual(['Planning', 'Plan Approved', 'Implementing']);
    const done = await result(impl, {
      phase: 'implementation',
      outcome: 'success',
      comments: [],
      prUrl: PR_URL,
      prNumber: 31,
    });
    expect(done.status).toBe('completed');
    expect(statusOf(key)).toBe('PR Ready');
    expect(jira.commentTexts(key).join('\n')).toContain(PR_URL);
  });
});

describe('autoApprovePlans false: the plan waits at Plan Approved for an operator', () => {
  it('dispatches no implementation until the issue is transitioned to implementing', async () => {
    const key = await fileReady('Held for approval', 'mobile');
    const plan = await runOf(key, 'planning');
    await reaches(key, 'Planning');
    await result(plan, { phase: 'planning', outcome: 'success', comments: [{ body: '## Plan' }], plan: '1. Build' });
    await reaches(key, 'Plan Approved');
    // Cycles come and go; the issue stays where it is.
    for (let i = 0; i < 3; i++) expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const implementations = () =>
      w.fly.machines().filter((m) => {
        const env = m.config.env as Record<string, string> | undefined;
        return env?.AI_IMPLEMENT_ISSUE === key && env.AI_IMPLEMENT_PHASE === 'implementation';
      });
    expect(implementations()).toEqual([]);
    expect(statusOf(key)).toBe('Plan Approved');

    const approved = await s.call('POST', `/api/v1/${key}/transition`, { token: true, body: { to: 'implementing' } });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ from: 'plan_complete', to: 'implementing', action: 'approve' });
    await runOf(key, 'implementation');
    await reaches(key, 'Implementing');
  });
});

describe('the failed stages, the outcome comments and the job status values', () => {
  it('Planning failed: status Planning Failed, ⚠️ Planning failed: {reason}, job failed', async () => {
    const key = await fileReady('Plan fails', 'api');
    const run = await runOf(key, 'planning');
    await reaches(key, 'Planning');
    const reason = 'LLM invocation failed with exit code 1: invalid x-api-key';
    expect((await result(run, { phase: 'planning', outcome: 'failure', comments: [], error: reason })).status).toBe('failed');
    expect(statusOf(key)).toBe('Planning Failed');
    expect(jira.commentTexts(key)).toContain(`⚠️ Planning failed: ${reason}`);
    expect(await logEntry(run.AI_IMPLEMENT_JOB_ID as string)).toMatchObject({ status: 'failed', timedOutReason: null });
  });

  it.each([
    [
      'failed, session_failed excerpt',
      { outcome: 'failure', error: 'git clone failed (exit 128): repository not found', log: 'fatal: repository not found' },
      { status: 'failed', timedOutReason: null },
      'Implementation Failed',
      ['⚠️ Implementation failed: git clone failed (exit 128): repository not found'],
      '📋 Log excerpt (session_failed): The session run failed',
    ],
    [
      'failed without a PR, pr_not_found excerpt',
      { outcome: 'failure', error: 'Run finished without opening a PR', log: 'claude: done, no changes pushed' },
      { status: 'failed', timedOutReason: null },
      'Implementation Failed',
      ['⚠️ Implementation failed: Run finished without opening a PR'],
      '📋 Log excerpt (pr_not_found): The run finished but did not open a PR',
    ],
    [
      'timed_out (machine_timeout), machine_timeout excerpt',
      {
        outcome: 'failure',
        timedOut: true,
        error: 'Session exceeded maxJobMinutes (90 min) and was stopped',
        log: 'still installing',
      },
      { status: 'timed_out', timedOutReason: 'machine_timeout' },
      'Implementation Failed',
      ['⚠️ Implementation failed: Session exceeded maxJobMinutes (90 min) and was stopped'],
      '📋 Log excerpt (machine_timeout): The session machine exceeded its lifetime',
    ],
    [
      'review_failed, post_push_review_not_approved excerpt',
      { outcome: 'success', prUrl: PR_URL, prNumber: 31, reviewApproved: false, log: 'blocker: no tests' },
      { status: 'review_failed', timedOutReason: null },
      'PR Ready',
      [],
      '📋 Log excerpt (post_push_review_not_approved): A PR was opened, but the post-push review flagged blockers',
    ],
  ])('an implementation run that ends %s', async (_name, outcome, job, jiraStatus, exact, excerpt) => {
    const key = await fileReady(`Implementation ${job.status}`, 'web');
    const run = await runOf(key, 'implementation');
    await reaches(key, 'Implementing');
    expect((await result(run, { phase: 'implementation', comments: [], ...outcome })).status).toBe(job.status);
    expect(await logEntry(run.AI_IMPLEMENT_JOB_ID as string)).toMatchObject(job);
    expect(statusOf(key)).toBe(jiraStatus);
    const comments = jira.commentTexts(key);
    for (const text of exact) expect(comments).toContain(text);
    expect(
      comments.some((c) => c.startsWith(excerpt)),
      JSON.stringify(comments),
    ).toBe(true);
  });
});
