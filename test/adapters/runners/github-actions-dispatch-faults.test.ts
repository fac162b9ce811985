import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../../adapters/forge/github/github.adapter.js';
import {
  createGithubActionsRunner,
  type GithubActionsLogEntry,
} from '../../../adapters/runners/github-actions/github-actions.runner.js';
import { createGovernorRegistry, type GovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { WORKFLOW_INPUTS } from '../../../plugins/workflow-templates/workflow-templates.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { sampleLaunch } from '../../../testing/contracts/runner.contract.js';
import type { FakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { APP_ID, APP_PERMISSIONS, appKeys, INSTALLATION_ID, OWNER, TOKEN } from '../../../testing/fakes/github/seed.js';
import { fakeGithubWithWorkflows } from './fake-github-workflows.js';

/**
 * A workflow dispatch is not idempotent: each one GitHub accepts is a paid run. When its answer
 * is a 5xx or never comes, GitHub may have started the run all the same, so the dispatch is not
 * sent again; the run watcher links the run by the job id, or ends the job `run_not_found`.
 * Only a failure that proves nothing started (a rate limit; a governor that sent nothing) is
 * dispatched again, or failed with its reason.
 */
const DISPATCH = /\/actions\/workflows\/ai-implement\.yml\/dispatches$/;

let fake: FakeGithub;
let governors: GovernorRegistry;
let entries: GithubActionsLogEntry[];
/** The governor's and the retries' clock: a retry's sleep moves it. */
const clock = { t: 0 };
beforeEach(async () => {
  clock.t = Date.now();
  fake = await fakeGithubWithWorkflows({ planningEnabled: false });
  governors = createGovernorRegistry({ now: () => clock.t, random: () => 0.5 });
  entries = [];
});
afterEach(async () => {
  await fake.close();
});

function runner(timeoutMs = 15_000, auth: { token: string } | { appId: number; privateKey: string } = { token: TOKEN }) {
  const forge = createGithubForge({
    baseUrl: fake.url,
    auth,
    now: () => clock.t,
    timeoutMs,
    governor: governors.forConnection({ service: 'github', baseUrl: fake.url, credential: TOKEN }),
    retry: {
      maxDelayMs: 5_000,
      random: () => 0.5,
      sleep: async (ms) => {
        clock.t += ms;
      },
    },
  });
  return createGithubActionsRunner({ forge, inputNames: WORKFLOW_INPUTS, log: (e) => entries.push(e) });
}

function launch(): RunLaunch {
  const run = sampleLaunch({ mapping: { planningEnabled: false } });
  run.env = {
    AI_IMPLEMENT_JOB_ID: run.job.id,
    AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000',
    AI_IMPLEMENT_RESULT_TOKEN: `result-${run.job.id}`,
    AI_IMPLEMENT_PROGRESS_TOKEN: `progress-${run.job.id}`,
    AI_IMPLEMENT_NONCE: `nonce-${run.job.id}`,
  };
  return run;
}

const dispatchPosts = () => fake.requests.filter((r) => r.method === 'POST' && DISPATCH.test(r.path));

describe('a workflow dispatch whose answer is lost is sent once', () => {
  it('a 502 after GitHub started the run: one dispatch, one run, and the watcher links it', async () => {
    fake.failNext({ method: 'POST', path: DISPATCH, status: 502, afterHandling: true, times: 5 });
    const r = runner();
    const run = launch();
    const launched = await r.launch(run);
    expect(launched._unsafeUnwrap()).toEqual({ handle: run.job.id });
    expect(dispatchPosts()).toHaveLength(1);
    expect(fake.dispatches).toHaveLength(1);
    expect(entries.map((e) => e.event)).toEqual(['workflow.dispatch-unconfirmed']);
    expect(entries[0]).toMatchObject({ jobId: run.job.id, error: expect.any(String) });
    const seen = (
      await r.observe({ ...run.job, runId: run.job.id }, { now: run.job.dispatchedAt, mapping: run.mapping })
    )._unsafeUnwrap();
    expect(['waiting', 'running']).toContain(seen.state);
    expect(seen).toMatchObject({ run: { runId: expect.any(String), runUrl: expect.any(String) } });
  });

  it('an answer that never comes after GitHub started the run: one dispatch at the deadline, not four', async () => {
    fake.failNext({ method: 'POST', path: DISPATCH, status: 200, hang: true, afterHandling: true, times: 5 });
    const started = performance.now();
    const run = launch();
    const launched = await runner(300).launch(run);
    expect(launched.isOk(), JSON.stringify(launched)).toBe(true);
    expect(fake.dispatches).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(governors.list(clock.t)[0]).toMatchObject({ consecutiveFailures: 1 });
  });

  it('a 5xx where nothing started: the job is failed by the watcher as run_not_found, not dispatched again', async () => {
    fake.failNext({ method: 'POST', path: DISPATCH, status: 503, times: 5 });
    const r = runner();
    const run = launch();
    expect((await r.launch(run)).isOk()).toBe(true);
    expect(dispatchPosts()).toHaveLength(1);
    const seen = (
      await r.observe({ ...run.job, runId: run.job.id }, { now: run.job.dispatchedAt + 10 * 60_000, mapping: run.mapping })
    )._unsafeUnwrap();
    expect(seen).toMatchObject({ state: 'timed_out', reason: 'run_not_found' });
  });

  it('a secondary rate limit proves nothing started: dispatched again after its retry-after, one run', async () => {
    fake.secondaryRateLimit({ retryAfterSeconds: 1, times: 1 });
    const run = launch();
    const launched = await runner().launch(run);
    expect(launched.isOk(), JSON.stringify(launched)).toBe(true);
    expect(dispatchPosts().map((r) => r.status)).toEqual([403, 204]);
    expect(fake.dispatches).toHaveLength(1);
    expect(entries.map((e) => e.event)).toEqual(['workflow.dispatched']);
  });

  it('a circuit held open sends nothing and fails the launch with the reason', async () => {
    fake.failNext({ status: 500, times: 5 });
    const r = runner();
    for (let i = 0; i < 5; i++) await r.launch(launch());
    fake.requests.length = 0;
    const refused = await r.launch(launch());
    expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/circuit open/) });
    expect(fake.requests).toHaveLength(0);
  });

  it('a 5xx while minting the App’s installation token dispatched nothing: retried, then failed with the reason at once', async () => {
    const keys = appKeys();
    fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
    fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
    fake.failNext({ method: 'POST', path: /\/access_tokens$/, status: 502, times: 4 });
    const launched = await runner(15_000, { appId: APP_ID, privateKey: keys.privateKey }).launch(launch());
    expect(launched._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
    expect(launched._unsafeUnwrapErr()).not.toHaveProperty('maybeDone');
    expect(dispatchPosts()).toHaveLength(0);
    expect(entries).toEqual([]);
  });
});
