import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../adapters/forge/github/github.adapter.js';
import { createGithubActionsRunner } from '../../adapters/runners/github-actions/github-actions.runner.js';
import { createDispatchService } from '../../core/app/dispatch/dispatch.service.js';
import { createRunnerRegistry } from '../../core/app/dispatch/runner-registry.js';
import type { JobOutcomeService } from '../../core/app/runs/job-outcome.service.js';
import type { JobEvent } from '../../core/domain/job-status.js';
import type { Job } from '../../core/domain/model.js';
import { WORKFLOW_INPUTS } from '../../plugins/workflow-templates/workflow-templates.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import type { RunLaunch } from '../../ports/runner.port.js';
import type { Storage } from '../../ports/storage.port.js';
import { sampleLaunch } from '../../testing/contracts/runner.contract.js';
import type { FakeGithub } from '../../testing/fakes/github/fake-github.js';
import { TOKEN } from '../../testing/fakes/github/seed.js';
import { fakeGithubWithWorkflows } from '../adapters/runners/fake-github-workflows.js';

/**
 * The launch outbox (dispatch.service `recoverLaunches`) over the GitHub Actions runner and the
 * fake GitHub: a job left `unknown` by a process that died after its workflow dispatch reached
 * GitHub is linked to the run GitHub started, not dispatched a second time (a second paid run).
 */
let fake: FakeGithub;
beforeEach(async () => {
  fake = await fakeGithubWithWorkflows({ planningEnabled: false });
});
afterEach(async () => {
  await fake.close();
});

const envOf = (job: Job) => ({
  AI_IMPLEMENT_JOB_ID: job.id,
  AI_IMPLEMENT_CALLBACK_URL: 'http://127.0.0.1:4000',
  AI_IMPLEMENT_RESULT_TOKEN: `result-${job.id}`,
  AI_IMPLEMENT_PROGRESS_TOKEN: `progress-${job.id}`,
  AI_IMPLEMENT_NONCE: `nonce-${job.id}`,
});

function outbox(run: RunLaunch) {
  const forge = createGithubForge({ baseUrl: fake.url, auth: { token: TOKEN }, retry: { sleep: async () => undefined } });
  const runner = createGithubActionsRunner({ forge, inputNames: WORKFLOW_INPUTS });
  const job: Job = { ...run.job, runner: 'github-actions', status: 'unknown', dispatchedAt: Date.now() };
  const recorded: JobEvent[] = [];
  const storage = {
    jobs: { list: async (q?: { statuses?: readonly string[] }) => (q?.statuses?.includes('unknown') ? [job] : []) },
    mappings: { get: async () => run.mapping },
  } as unknown as Storage;
  const dispatcher = createDispatchService({
    storage,
    clock: { now: () => Date.now() },
    ids: { newId: () => 'id', randomToken: () => 'token' },
    logger: { info() {}, warn() {}, error() {} },
    eventBus: { publish() {}, subscribe: () => () => {} } as unknown as EventBus,
    runnerRegistry: createRunnerRegistry({ 'github-actions': runner }),
    jobOutcome: {
      record: async (_id: string, event: JobEvent) => {
        recorded.push(event);
        return undefined;
      },
    } as unknown as JobOutcomeService,
    runEnvironment: async (j) => envOf(j),
    runnerFor: async () => 'github-actions',
  });
  return { runner, job, recorded, dispatcher };
}

describe('launch recovery over GitHub Actions', () => {
  it('a dispatch that reached GitHub before the process died is linked to its run, not sent again', async () => {
    const run = sampleLaunch({ mapping: { planningEnabled: false } });
    const { runner, job, recorded, dispatcher } = outbox(run);
    // What the dead process sent before it could record the answer.
    expect((await runner.launch({ ...run, job, env: envOf(job) })).isOk()).toBe(true);
    expect(fake.dispatches).toHaveLength(1);

    expect(await dispatcher.recoverLaunches(0)).toBe(1);
    expect(fake.dispatches).toHaveLength(1);
    expect(recorded.map((e) => e.type)).toEqual(['dispatched', 'run-linked']);
    expect(recorded[1]).toMatchObject({ runId: expect.any(String), runUrl: expect.stringContaining('/actions/runs/') });
  });

  it('a dispatch that never reached GitHub is sent now, with the same job id', async () => {
    const run = sampleLaunch({ mapping: { planningEnabled: false } });
    const { job, recorded, dispatcher } = outbox(run);
    expect(await dispatcher.recoverLaunches(0)).toBe(1);
    expect(fake.dispatches).toHaveLength(1);
    expect(fake.dispatches[0]?.inputs.job_id).toBe(job.id);
    expect(recorded[0]?.type).toBe('dispatched');
  });
});
