import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../../adapters/forge/github/github.adapter.js';
import {
  createGithubActionsRunner,
  type GithubActionsLogEntry,
} from '../../../adapters/runners/github-actions/github-actions.runner.js';
import { workflowInputs } from '../../../adapters/runners/github-actions/workflow-inputs.js';
import { WORKFLOW_INPUTS } from '../../../plugins/workflow-templates/workflow-templates.js';
import type { RunLaunch, Runner } from '../../../ports/runner.port.js';
import { runnerContract, sampleLaunch } from '../../../testing/contracts/runner.contract.js';
import type { FakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, TOKEN } from '../../../testing/fakes/github/seed.js';
import { fakeGithubWithWorkflows, IMPLEMENT_WORKFLOW, PLAN_WORKFLOW } from './fake-github-workflows.js';

const IMPLEMENT = IMPLEMENT_WORKFLOW;
const PLAN = PLAN_WORKFLOW;
const fakeGithub = () => fakeGithubWithWorkflows({ planningEnabled: true });

const forgeOn = (fake: FakeGithub) =>
  createGithubForge({ baseUrl: fake.url, auth: { token: TOKEN }, retry: { sleep: async () => {}, random: () => 0.5 } });

/** What the dispatcher's runEnvironment puts in every session env: the callback credentials. */
function callbackEnv(jobId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AI_IMPLEMENT_JOB_ID: jobId,
    AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000',
    AI_IMPLEMENT_RESULT_TOKEN: `result-${jobId}`,
    AI_IMPLEMENT_PROGRESS_TOKEN: `progress-${jobId}`,
    AI_IMPLEMENT_NONCE: `nonce-${jobId}`,
    ...extra,
  };
}

/**
 * The contract's sample launches carry a bare env; the dispatcher always adds the callback
 * credentials, which the workflow templates require as inputs. This fills in only those.
 */
function withCallbackEnv(runner: Runner): Runner {
  return {
    ...runner,
    kind: runner.kind,
    launch: (run: RunLaunch) => runner.launch({ ...run, env: { ...callbackEnv(run.job.id), ...run.env } }),
  };
}

runnerContract('github-actions (fake GitHub, tracksSessions: false)', async () => {
  const fake = await fakeGithub();
  const runner = withCallbackEnv(createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }));
  /** Launches one run whose dispatch the fake answers as `hook` says. */
  const launchWith = async (outcome: Parameters<FakeGithub['onDispatch']>[0]) => {
    const off = fake.onDispatch(outcome);
    const run = sampleLaunch();
    const handle = (await runner.launch(run))._unsafeUnwrap().handle;
    off();
    return { run, handle };
  };
  return {
    runner,
    tracksSessions: false,
    // The workflow run failed before the session could report.
    endRun: () => launchWith(() => ({ status: 'completed', conclusion: 'failure' })),
    // GitHub accepted the dispatch but no run ever showed up: 10 minutes on, run_not_found.
    overdueRun: async () => {
      const launched = await launchWith(() => ({ createRun: false }));
      return { ...launched, now: launched.run.job.dispatchedAt + 10 * 60_000, reason: 'run_not_found' };
    },
    close: fake.close,
  };
});

describe('github-actions runner against the fake GitHub', () => {
  let fake: FakeGithub;
  beforeEach(async () => {
    fake = await fakeGithub();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('dispatches the implementation workflow on the default branch with the run inputs; the handle is the job id', async () => {
    const run = sampleLaunch({ mapping: { defaultBranch: 'main' } });
    run.env = callbackEnv(run.job.id, { AI_IMPLEMENT_BRANCH: 'ai/eng-1', AI_IMPLEMENT_PR_NUMBER: '7', UNRELATED: 'x' });
    const launched = await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }).launch(run);
    expect(launched._unsafeUnwrap()).toEqual({ handle: run.job.id });
    expect(fake.dispatches).toHaveLength(1);
    expect(fake.dispatches[0]).toMatchObject({
      owner: OWNER,
      repo: REPO,
      workflow: IMPLEMENT,
      ref: 'main',
      inputs: {
        job_id: run.job.id,
        phase: 'implementation',
        issue_identifier: run.job.identifier,
        callback_url: 'http://127.0.0.1:4000',
        result_token: `result-${run.job.id}`,
        progress_token: `progress-${run.job.id}`,
        nonce: `nonce-${run.job.id}`,
        branch: 'ai/eng-1',
        pr_number: '7',
      },
    });
  });

  it('dispatches planning to the planning workflow, without the implementation-only inputs', async () => {
    const run = sampleLaunch({ job: { phase: 'planning' } });
    run.env = callbackEnv(run.job.id, { AI_IMPLEMENT_BRANCH: 'ai/eng-1' });
    const launched = await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }).launch(run);
    expect(launched.isOk(), JSON.stringify(launched)).toBe(true);
    expect(fake.dispatches[0]?.workflow).toBe(PLAN);
    expect(Object.keys(fake.dispatches[0]?.inputs ?? {})).not.toContain('branch');
    expect(fake.dispatches[0]?.inputs.phase).toBe('planning');
  });

  it('carries the run caps and budget as one run_caps JSON input, to both workflows', async () => {
    const caps = {
      AI_IMPLEMENT_MAX_TURNS: '40',
      AI_IMPLEMENT_MAX_ITERATIONS: '3',
      AI_IMPLEMENT_MAX_JOB_MINUTES: '45',
      AI_IMPLEMENT_MAX_COST_USD: '2.5',
      AI_IMPLEMENT_MAX_TOKENS: '500000',
    };
    const runner = createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS });
    for (const phase of ['implementation', 'planning'] as const) {
      const run = sampleLaunch({ job: { phase } });
      run.env = callbackEnv(run.job.id, caps);
      const launched = await runner.launch(run);
      expect(launched.isOk(), JSON.stringify(launched)).toBe(true);
    }
    expect(fake.dispatches.map((d) => d.workflow)).toEqual([IMPLEMENT, PLAN]);
    for (const dispatch of fake.dispatches) {
      expect(JSON.parse(dispatch.inputs.run_caps ?? '{}')).toEqual(caps);
      expect(Object.keys(dispatch.inputs).length).toBeLessThanOrEqual(10);
    }
  });

  it('dispatches again without run_caps when the repository still has templates from before it (422), and says so', async () => {
    const path = `.github/workflows/${IMPLEMENT}`;
    const current = fake.readFile(OWNER, REPO, path) ?? '';
    const older = current.replace(/\n {6}run_caps:\n(?: {8}.*\n)+/, '\n');
    expect(older).not.toContain('run_caps:');
    fake.writeFile(OWNER, REPO, path, older);
    const entries: GithubActionsLogEntry[] = [];
    const runner = createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS, log: (e) => entries.push(e) });
    const run = sampleLaunch();
    run.env = callbackEnv(run.job.id, { AI_IMPLEMENT_MAX_COST_USD: '2.5' });
    const launched = await runner.launch(run);
    expect(launched.isOk(), JSON.stringify(launched)).toBe(true);
    expect(fake.dispatches).toHaveLength(1);
    expect(fake.dispatches[0]?.inputs).not.toHaveProperty('run_caps');
    expect(entries.map((e) => e.event)).toEqual(['workflow.run-caps-refused', 'workflow.dispatched']);
  });

  it('does not retry a 422 that is about another input', async () => {
    const run = sampleLaunch();
    run.env = callbackEnv(run.job.id, { AI_IMPLEMENT_MAX_COST_USD: '2.5' });
    delete run.env.AI_IMPLEMENT_RESULT_TOKEN;
    const result = await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }).launch(run);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid', status: 422 });
    expect(fake.dispatches).toHaveLength(0);
  });

  it('leaves a run that findRun links by the job id in its name', async () => {
    const run = sampleLaunch();
    run.env = callbackEnv(run.job.id);
    const forge = forgeOn(fake);
    const { handle } = (await createGithubActionsRunner({ forge, inputNames: WORKFLOW_INPUTS }).launch(run))._unsafeUnwrap();
    const found = (await forge.findRun({ owner: OWNER, repo: REPO }, IMPLEMENT, handle))._unsafeUnwrap();
    expect(found?.name).toContain(`[${run.job.id}]`);
  });

  it('is refused by GitHub when a required credential is missing from the env', async () => {
    const run = sampleLaunch({ env: { AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000' } });
    const result = await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }).launch(run);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid', status: 422 });
    expect(result._unsafeUnwrapErr().message).toContain('result_token');
    expect(fake.dispatches).toHaveLength(0);
  });

  it('fails as notFound when the workflow is not in the repository (templates never synced)', async () => {
    const run = sampleLaunch({ mapping: { workflowFile: 'missing.yml' } });
    run.env = callbackEnv(run.job.id);
    const result = await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS }).launch(run);
    expect(result._unsafeUnwrapErr().kind).toBe('notFound');
  });

  it('logs input names only, never a token', async () => {
    const entries: GithubActionsLogEntry[] = [];
    const run = sampleLaunch();
    run.env = callbackEnv(run.job.id);
    await createGithubActionsRunner({ forge: forgeOn(fake), inputNames: WORKFLOW_INPUTS, log: (e) => entries.push(e) }).launch(
      run,
    );
    expect(entries).toEqual([
      expect.objectContaining({ event: 'workflow.dispatched', jobId: run.job.id, workflowFile: IMPLEMENT, ref: 'main' }),
    ]);
    const first = entries[0];
    expect(first && 'inputKeys' in first ? first.inputKeys : []).toContain('result_token');
    expect(JSON.stringify(entries)).not.toContain(`result-${run.job.id}`);
  });
});

describe('workflowInputs', () => {
  it('takes job id, phase and issue from the job, whatever the env says, and drops empty values', () => {
    const inputs = workflowInputs(
      WORKFLOW_INPUTS,
      { id: 'job-1', phase: 'implementation', identifier: 'ENG-1' },
      { AI_IMPLEMENT_JOB_ID: 'other', AI_IMPLEMENT_NONCE: '', AI_IMPLEMENT_CALLBACK_URL: 'http://x' },
    );
    expect(inputs).toEqual({ job_id: 'job-1', phase: 'implementation', issue_identifier: 'ENG-1', callback_url: 'http://x' });
  });

  it('puts only the caps that are set in run_caps, and leaves it out when none is', () => {
    const job = { id: 'job-1', phase: 'implementation', identifier: 'ENG-1' } as const;
    const withBudget = workflowInputs(WORKFLOW_INPUTS, job, { AI_IMPLEMENT_MAX_COST_USD: '1.25', AI_IMPLEMENT_MAX_TOKENS: '' });
    expect(JSON.parse(withBudget.run_caps ?? '')).toEqual({ AI_IMPLEMENT_MAX_COST_USD: '1.25' });
    expect(workflowInputs(WORKFLOW_INPUTS, job, { AI_IMPLEMENT_MAX_TOKENS: '' })).not.toHaveProperty('run_caps');
  });
});
