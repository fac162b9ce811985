import { fileURLToPath } from 'node:url';
import { asFunction } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalRunner, reportExits } from '../../../adapters/runners/local/local.runner.js';
import { type RunWatcherService, SESSION_GONE_ERROR } from '../../../core/app/runs/run-watcher.service.js';
import type { Job } from '../../../core/domain/model.js';
import { OWNER, REPO } from '../../../testing/fakes/github/seed.js';
import { T0 } from '../harness.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MINUTE = 60_000;

async function dispatchOne(harness: RunnersHarness): Promise<Job> {
  await harness.createIssue();
  const [job] = await harness.dispatch();
  if (!job) throw new Error('nothing dispatched');
  return job;
}

describe('run watcher: GitHub Actions', () => {
  async function ghaHarness() {
    const harness = await startRunnersHarness({ github: true, fly: false });
    await harness.createMapping({ executionMode: 'github-actions' });
    return harness;
  }

  it('links a dispatched job to its workflow run by the job id in the run name, then follows it to running', async () => {
    h = await ghaHarness();
    const job = await dispatchOne(h);
    expect(job).toMatchObject({ runner: 'github-actions', status: 'dispatched', runId: job.id });
    const [run] = h.github?.runs(OWNER, REPO) ?? [];
    expect(run?.displayTitle).toContain(`[${job.id}]`);

    await h.orchestrator.cradle.runWatcher.sweep();
    const linked = await h.job(job.id);
    expect(linked).toMatchObject({ status: 'dispatched', runId: String(run?.id) });
    expect(linked.runUrl).toMatch(new RegExp(`/actions/runs/${run?.id}$`));

    h.github?.updateRun(run?.id as number, { status: 'in_progress' });
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'running', runId: String(run?.id) });
  });

  it('times a dispatch out as run_not_found when no run shows up within 10 minutes', async () => {
    h = await ghaHarness();
    h.github?.onDispatch(() => ({ createRun: false }));
    const job = await dispatchOne(h);
    h.clock.set(T0 + 9 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'dispatched' });
    h.clock.set(T0 + 10 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'timed_out', timedOutReason: 'run_not_found' });
  });

  it('reports a run GitHub timed out as timed_out / timed_out', async () => {
    h = await ghaHarness();
    h.github?.onDispatch(() => ({ status: 'completed', conclusion: 'timed_out' }));
    const job = await dispatchOne(h);
    await h.orchestrator.cradle.runWatcher.sweep();
    const done = await h.job(job.id);
    expect(done).toMatchObject({ status: 'timed_out', timedOutReason: 'timed_out' });
    expect(done.runUrl).toContain('/actions/runs/');
  });

  it('fails a job whose run finished without the session ever sending a result', async () => {
    h = await ghaHarness();
    h.github?.onDispatch(() => ({ status: 'completed', conclusion: 'failure' }));
    const job = await dispatchOne(h);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({
      status: 'failed',
      error: 'GitHub Actions run finished (failure) without a result from the session',
    });
    // The ticket hears of it, through the lifecycle.
    const issue = await h.issue(job.issueId);
    expect(issue.comments.map((c) => c.body).join('\n')).toContain('without a result from the session');
  });

  it('leaves a job that already has its result alone, without asking GitHub', async () => {
    h = await ghaHarness();
    h.github?.onDispatch(() => ({ status: 'completed', conclusion: 'success' }));
    const job = await dispatchOne(h);
    await h.orchestrator.cradle.jobOutcome.record(job.id, {
      type: 'succeeded',
      prUrl: 'https://github.example/acme/widgets/pull/3',
      at: T0,
    });
    const before = h.github?.requests.length ?? 0;
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(h.github?.requests.length).toBe(before);
    expect(await h.job(job.id)).toMatchObject({ status: 'completed' });
  });
});

describe('run watcher: Fly machines', () => {
  it('times out a machine past its lifetime as machine_timeout', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const job = await dispatchOne(h);
    h.clock.set(T0 + 59 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'dispatched' });
    h.clock.set(T0 + 61 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'timed_out', timedOutReason: 'machine_timeout' });
  });

  it('fails a job whose machine is gone without a result, after a grace period', async () => {
    h = await startRunnersHarness();
    await h.createMapping();
    const job = await dispatchOne(h);
    h.fly.exit(job.runId as string);
    h.clock.set(T0 + MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'dispatched' });
    h.clock.set(T0 + 3 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'failed', error: SESSION_GONE_ERROR });
  });
});

describe('run watcher: local sessions', () => {
  const FAKE_SESSION = fileURLToPath(new URL('./fixtures/fake-session.mjs', import.meta.url));

  /** The local runner on the fake session script, reporting exits to the orchestrator's watcher. */
  async function localHarness(extraEnv: Record<string, string> = {}, mapping: Record<string, unknown> = {}) {
    let watcher: RunWatcherService | undefined;
    const harness = await startRunnersHarness({
      fly: false,
      env: { RUNNER_MODE: 'local' },
      overrides: {
        localRunner: asFunction(() =>
          createLocalRunner({
            command: [process.execPath, FAKE_SESSION],
            killGraceMs: 500,
            onExit: reportExits((jobId, seen) => watcher?.report(jobId, seen)),
          }),
        )
          .singleton()
          .disposer((runner) => runner.close()),
      },
    });
    watcher = harness.orchestrator.cradle.runWatcher;
    await harness.createMapping({ extraEnv, ...mapping });
    return harness;
  }

  async function settled(harness: RunnersHarness, id: string): Promise<Job> {
    for (let i = 0; i < 250; i++) {
      const job = await harness.job(id);
      if (job.status !== 'dispatched' && job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('job did not settle');
  }

  it('times a session out past the mapping’s maxJobMinutes as container_timeout, and ends it', async () => {
    h = await localHarness({}, { maxJobMinutes: 5 });
    const job = await dispatchOne(h);
    expect(job).toMatchObject({ runner: 'local', status: 'dispatched' });
    expect((await h.orchestrator.cradle.localRunner.listSessions())._unsafeUnwrap()).toHaveLength(1);
    h.clock.set(T0 + 6 * MINUTE);
    await h.orchestrator.cradle.runWatcher.sweep();
    expect(await h.job(job.id)).toMatchObject({ status: 'timed_out', timedOutReason: 'container_timeout' });
    expect((await h.orchestrator.cradle.localRunner.listSessions())._unsafeUnwrap()).toEqual([]);
  });

  it('fails a job whose session exits non-zero without a result (container_failed)', async () => {
    h = await localHarness({ FAKE_SESSION_MODE: 'exit', FAKE_SESSION_EXIT: '3' });
    const job = await dispatchOne(h);
    expect(await settled(h, job.id)).toMatchObject({
      status: 'failed',
      error: 'Local session exited with code 3 without a result',
    });
  });

  it('posts the end of the session’s output as a container_failed log excerpt, with the run’s secrets redacted', async () => {
    h = await localHarness({
      FAKE_SESSION_MODE: 'exit',
      FAKE_SESSION_EXIT: '2',
      FAKE_SESSION_ECHO: 'AI_IMPLEMENT_NONCE',
      FAKE_SESSION_STDERR: 'fatal: boom',
    });
    const job = await dispatchOne(h);
    await settled(h, job.id);
    const output = h.orchestrator.cradle.localRunner.outputTail(job.id) ?? '';
    const nonce = /echo (\S+)/.exec(output)?.[1] ?? '';
    expect(nonce.length).toBeGreaterThan(8);
    let comments: string[] = [];
    for (let i = 0; i < 100 && !comments.some((c) => c.includes('Log excerpt')); i++) {
      await new Promise((r) => setTimeout(r, 20));
      comments = (await h.issue(job.issueId)).comments.map((c) => c.body);
    }
    const excerpt = comments.find((c) => c.includes('Log excerpt')) ?? '';
    expect(excerpt).toMatch(/^📋 Log excerpt \(container_failed\)/);
    expect(excerpt).toContain(`job ${job.id}`);
    expect(excerpt).toContain('END');
    // The run's nonce, and the mapping's extraEnv values (the stderr text came from there), are redacted.
    expect(excerpt).not.toContain(nonce);
    expect(excerpt).not.toContain('fatal: boom');
    expect(comments.join('\n')).toContain('Implementation failed: Local session exited with code 2 without a result');
  });

  it('fails a job whose session exits cleanly without ever sending a result', async () => {
    h = await localHarness({ FAKE_SESSION_MODE: 'exit' });
    const job = await dispatchOne(h);
    expect(await settled(h, job.id)).toMatchObject({ status: 'failed', error: SESSION_GONE_ERROR });
  });

  it('gives the session the run env: the job id as a variable, the callback credentials and extraEnv in a file, none of the orchestrator’s secrets', async () => {
    h = await localHarness({ FAKE_SESSION_MODE: 'exit' });
    const job = await dispatchOne(h);
    await settled(h, job.id);
    const output = h.orchestrator.cradle.localRunner.outputTail(job.id) ?? '';
    expect(output).toContain(`job ${job.id}`);
    const keys = JSON.parse(/env-keys (.*)/.exec(output)?.[1] ?? '[]') as string[];
    expect(keys).toEqual(
      expect.arrayContaining(['AI_IMPLEMENT_JOB_ID', 'AI_IMPLEMENT_CALLBACK_URL', 'AI_IMPLEMENT_CREDENTIALS_FILE', 'PATH']),
    );
    // The callback credentials and the mapping's extraEnv arrive in a file, never in the session's environment.
    expect(keys.filter((k) => /TOKEN|NONCE/.test(k) || k === 'FAKE_SESSION_MODE')).toEqual([]);
    expect(JSON.parse(/credential-keys (.*)/.exec(output)?.[1] ?? '[]')).toEqual([
      'AI_IMPLEMENT_NONCE',
      'AI_IMPLEMENT_PROGRESS_TOKEN',
      'AI_IMPLEMENT_RESULT_TOKEN',
      'FAKE_SESSION_MODE',
    ]);
    expect(keys).not.toContain('ADMIN_ACCESS_CODE');
    expect(keys).not.toContain('RUNNER_TOKEN_SECRET');
  });
});
