import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../core/domain/model.js';
import { receiveRunCredentials } from '../../../hosts/session/run-credentials.js';
import { readSessionEnv } from '../../../hosts/session/session-env.js';
import { SESSION_ENV_FETCH_ID_HEADER } from '../../../hosts/session/session-env-fetch.js';
import { OWNER, REPO } from '../../../testing/fakes/github/seed.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PR = 'https://github.example/acme/widgets/pull/9';

/**
 * What a session does with the credentials its runner handed it: a lifecycle status event, a
 * step through /runner/progress and one through /api/step-report, then the result.
 */
async function callBack(
  harness: RunnersHarness,
  credentials: { progress: string; result: string; nonce: string },
  phase: string,
) {
  const status = await harness.call('POST', '/api/status', { body: { nonce: credentials.nonce, event: 'environment_ready' } });
  expect(status.status, await status.clone().text()).toBe(200);
  const step = { id: 'implement', type: 'agent', status: 'succeeded', started_at: '2026-01-01T00:00:05.000Z' };
  const progress = await harness.call('POST', '/runner/progress', { token: credentials.progress, body: { step } });
  expect(progress.status).toBe(200);
  const verify = { id: 'verify', type: 'verify', status: 'succeeded', started_at: '2026-01-01T00:00:06.000Z' };
  const report = await harness.call('POST', '/api/step-report', { body: { nonce: credentials.nonce, step: verify } });
  expect(report.status, await report.clone().text()).toBe(200);
  const result = await harness.call('POST', '/runner/result', {
    token: credentials.result,
    body: { phase, outcome: 'success', comments: [{ body: 'Done.' }], prUrl: PR, prNumber: 9 },
  });
  expect(result.status, await result.clone().text()).toBe(200);
}

async function expectFinished(harness: RunnersHarness, job: Job, issueId: string) {
  expect(await harness.job(job.id)).toMatchObject({ status: 'completed', prUrl: PR });
  const ticket = await harness.issue(issueId);
  expect(ticket.labels).toEqual(['AI-Implement', 'Ready for Review']);
  const comments = ticket.comments.map((c) => c.body).join('\n');
  expect(comments).toContain('✅ Environment ready. Claude is implementing…');
  expect(comments).toContain(PR);
  const steps = await harness.api('GET', `/api/jobs/${job.id}/steps`);
  expect((steps.body.steps as { id: string }[]).map((s) => s.id)).toEqual(expect.arrayContaining(['implement', 'verify']));
  const pulls = await harness.api('GET', '/api/pulls');
  expect(pulls.status).toBe(200);
  expect(JSON.stringify(pulls.body)).toContain(PR);
  // Later sweeps leave a finished job alone.
  await harness.orchestrator.cradle.runWatcher.sweep();
  expect(await harness.job(job.id)).toMatchObject({ status: 'completed' });
}

describe('runner modes end to end, the fake run calling back with what its runner was given', () => {
  it('fly: the machine env carries the tokens; the job completes and the exited machine is not failed', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    const env = (h.fly.machine(job?.runId as string)?.config.env ?? {}) as Record<string, string>;
    expect(env.AI_IMPLEMENT_JOB_ID).toBe(job?.id);
    await callBack(
      h,
      {
        progress: env.AI_IMPLEMENT_PROGRESS_TOKEN ?? '',
        result: env.AI_IMPLEMENT_RESULT_TOKEN ?? '',
        nonce: env.AI_IMPLEMENT_NONCE ?? '',
      },
      'implementation',
    );
    h.fly.exit(job?.runId as string);
    h.clock.advance(5 * 60_000);
    await expectFinished(h, job as Job, issue.id);
  });

  it('fly: the team secrets and extraEnv reach the session environment, taken once from the orchestrator, never from the machine config', async () => {
    h = await startRunnersHarness();
    const extraValue = 'extra-env-api-key-1b7e40c2';
    const secretValue = 'eng-team-secret-7a31f09d';
    // createMapping has the fake Fly refuse a machine config carrying an extraEnv value; the secrets too.
    await h.createMapping({ extraEnv: { MY_API_KEY: extraValue, MY_SETTING: 'plain-setting', ENG_SHARED: 'from-extra-env' } });
    for (const [name, value] of [
      ['ENG_DEPLOY_KEY', secretValue],
      ['ENG_SHARED', 'shared-secret-value'],
    ] as const) {
      const saved = await h.call('POST', `/api/v1/secrets/${name}`, { token: h.admin, body: { value } });
      expect(saved.status, await saved.clone().text()).toBeLessThan(300);
      h.fly.forbidInConfig(value);
    }
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    expect(job).toMatchObject({ runner: 'fly-machines', status: 'dispatched' });
    expect(h.fly.configLeaks).toEqual([]);
    const machineEnv = (h.fly.machine(job?.runId as string)?.config.env ?? {}) as Record<string, string>;
    expect(Object.keys(machineEnv).filter((name) => !name.startsWith('AI_IMPLEMENT_'))).toEqual([]);
    expect(machineEnv.AI_IMPLEMENT_CREDENTIALS_FILE).toBe('callback');

    // What the session does as it starts on the machine: the real code, against the orchestrator.
    const sessionFetch = ((input: string | URL | Request, init?: RequestInit) =>
      h!.orchestrator.fetch(new Request(input, init))) as typeof fetch;
    // Its first answer is lost on the way, after the orchestrator gave it: the retry, with the same fetch id, gets it again.
    let answered = 0;
    const losingFirst = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await sessionFetch(input, init);
      if (++answered === 1) {
        expect(res.status).toBe(200);
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    }) as typeof fetch;
    const taken = await receiveRunCredentials(machineEnv, losingFirst);
    if ('error' in taken) throw new Error(taken.error);
    expect(answered).toBe(2);
    const config = readSessionEnv(taken.env)._unsafeUnwrap();
    // The names and values the dispatch gave before: extraEnv wins over a secret of the same name.
    expect(config.agentEnv).toEqual({
      MY_API_KEY: extraValue,
      MY_SETTING: 'plain-setting',
      ENG_SHARED: 'from-extra-env',
      ENG_DEPLOY_KEY: secretValue,
    });
    // The agent holds no run credential.
    expect(JSON.stringify(config.agentEnv)).not.toContain(machineEnv.AI_IMPLEMENT_PROGRESS_TOKEN);
    expect(config.progressToken).toBe(machineEnv.AI_IMPLEMENT_PROGRESS_TOKEN);

    // Once per run: a copy of the token cannot take them again.
    const again = await h.call('GET', '/runner/session-env', {
      token: machineEnv.AI_IMPLEMENT_PROGRESS_TOKEN,
      headers: { [SESSION_ENV_FETCH_ID_HEADER]: 'another-fetch-id-0123456789' },
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'already_consumed' });
    const retaken = await receiveRunCredentials(machineEnv, sessionFetch);
    expect(retaken).toEqual({ error: expect.stringContaining('already taken') });
    expect(JSON.stringify(retaken)).not.toContain(extraValue);
    // The operator hears of it: a consumed run credential presented again.
    await h.orchestrator.cradle.securityEvents.flush();
    const security = await h.api('GET', '/api/security-events?kind=replayed_run_token');
    expect(security.body.events).toEqual([expect.objectContaining({ route: 'GET /runner/session-env' })]);

    await callBack(
      h,
      {
        progress: machineEnv.AI_IMPLEMENT_PROGRESS_TOKEN ?? '',
        result: machineEnv.AI_IMPLEMENT_RESULT_TOKEN ?? '',
        nonce: machineEnv.AI_IMPLEMENT_NONCE ?? '',
      },
      'implementation',
    );
    h.fly.exit(job?.runId as string);
    await expectFinished(h, job as Job, issue.id);
    // A run that is over takes nothing.
    const late = await h.call('GET', '/runner/session-env', {
      token: machineEnv.AI_IMPLEMENT_PROGRESS_TOKEN,
      headers: { [SESSION_ENV_FETCH_ID_HEADER]: 'another-fetch-id-0123456789' },
    });
    expect(late.status).toBe(404);
    const logs = h.logs.join('\n');
    expect(logs).toContain('session env handed to the session');
    for (const value of [extraValue, secretValue, 'shared-secret-value']) expect(logs).not.toContain(value);
  });

  it('github-actions: the dispatch inputs carry the tokens; the run is linked, and its completion changes nothing', async () => {
    h = await startRunnersHarness({ github: true, fly: false });
    await h.createMapping({ executionMode: 'github-actions', maxCostUsd: 2.5, maxTokens: 100000, maxTurns: 30 });
    const issue = await h.createIssue();
    const [job] = await h.dispatch();
    const inputs = h.github?.dispatches[0]?.inputs ?? {};
    expect(inputs.job_id).toBe(job?.id);
    // The run caps and budget reach the Actions session too, in the one run_caps input.
    expect(JSON.parse(inputs.run_caps ?? '{}')).toMatchObject({
      AI_IMPLEMENT_MAX_TURNS: '30',
      AI_IMPLEMENT_MAX_COST_USD: '2.5',
      AI_IMPLEMENT_MAX_TOKENS: '100000',
      AI_IMPLEMENT_MAX_JOB_MINUTES: expect.stringMatching(/^\d+$/),
    });
    await h.orchestrator.cradle.runWatcher.sweep();
    const [run] = h.github?.runs(OWNER, REPO) ?? [];
    h.github?.updateRun(run?.id as number, { status: 'in_progress' });
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job?.id as string)).toMatchObject({ status: 'running', runId: String(run?.id) });
    await callBack(
      h,
      { progress: inputs.progress_token ?? '', result: inputs.result_token ?? '', nonce: inputs.nonce ?? '' },
      'implementation',
    );
    h.github?.updateRun(run?.id as number, { status: 'completed', conclusion: 'success' });
    await expectFinished(h, job as Job, issue.id);
  });
});
