import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlyRunner, type FlyRunnerLogEntry } from '../../../adapters/runners/fly-machines/fly.runner.js';
import { flyAppSecretReference } from '../../../adapters/secrets/fly/fly-secret-reference.js';
import { runnerContract, sampleLaunch } from '../../../testing/contracts/runner.contract.js';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../../testing/fakes/fly/fake-fly.server.js';

const noWait = { sleep: async () => {}, random: () => 0.5 };

function runnerOn(fake: FakeFly, extra: Partial<Parameters<typeof createFlyRunner>[0]> = {}) {
  return createFlyRunner({
    apiUrl: fake.url,
    token: fake.token,
    app: FAKE_FLY_APP,
    region: 'ord',
    image: 'registry.fly.io/ai-implement-session:1.2.3',
    retry: noWait,
    ...extra,
  });
}

runnerContract('fly-machines (fake Machines API)', async () => {
  const fake = await startFakeFly();
  const runner = runnerOn(fake);
  const launch = async () => {
    const run = sampleLaunch();
    return { run, handle: (await runner.launch(run))._unsafeUnwrap().handle };
  };
  return {
    runner,
    tracksSessions: true,
    // The machine stops on its own (the session exited) and Fly destroys it.
    endRun: async () => {
      const launched = await launch();
      fake.exit(launched.handle);
      return launched;
    },
    // Machine ages follow the fake's clock (the wall clock here): 61 minutes on, past 60.
    overdueRun: async () => ({ ...(await launch()), now: Date.now() + 61 * 60_000, reason: 'machine_timeout' }),
    close: fake.close,
  };
});

describe('fly-machines runner against the fake Machines API', () => {
  let fake: FakeFly;
  beforeEach(async () => {
    fake = await startFakeFly();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('creates a machine sized by the mapping, with the run env, metadata and auto_destroy', async () => {
    const run = sampleLaunch({
      mapping: { machineCpus: 4, machineMemoryMb: 8192 },
      env: { AI_IMPLEMENT_JOB_ID: 'x', AI_IMPLEMENT_RESULT_TOKEN: 'r-1' },
    });
    const { handle, url } = (await runnerOn(fake).launch(run))._unsafeUnwrap();

    const create = fake.requests.find((r) => r.method === 'POST' && r.path === `/v1/apps/${FAKE_FLY_APP}/machines`);
    expect(create?.authorization).toBe(`Bearer ${fake.token}`);
    expect(create?.body).toMatchObject({
      region: 'ord',
      config: {
        image: 'registry.fly.io/ai-implement-session:1.2.3',
        env: { AI_IMPLEMENT_JOB_ID: 'x', AI_IMPLEMENT_RESULT_TOKEN: 'r-1' },
        guest: { cpus: 4, memory_mb: 8192, cpu_kind: 'shared' },
        metadata: { job_id: run.job.id, issue: run.job.identifier, owner: 'acme', repo: 'widgets' },
        auto_destroy: true,
        restart: { policy: 'no' },
      },
    });
    expect(fake.machine(handle)?.config.metadata?.job_id).toBe(run.job.id);
    expect(url).toBe(`https://fly.io/apps/${FAKE_FLY_APP}/machines/${handle}`);
  });

  it('keeps the team secrets and extraEnv out of the machine config: the session takes them from the orchestrator', async () => {
    const extraValue = 'extra-env-value-5d0c1e';
    const secretValue = 'team-secret-value-a4f9b2';
    fake.forbidInConfig(extraValue, secretValue);
    const run = sampleLaunch({
      mapping: { extraEnv: { MY_API_KEY: extraValue } },
      env: {
        AI_IMPLEMENT_JOB_ID: 'x',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'p-1',
        ENG_DEPLOY_TOKEN: secretValue,
        MY_API_KEY: extraValue,
        ENG_FLY_ONE: flyAppSecretReference('ENG_FLY_ONE'),
      },
    });
    const entries: FlyRunnerLogEntry[] = [];
    const { handle } = (await runnerOn(fake, { log: (e) => entries.push(e) }).launch(run))._unsafeUnwrap();
    expect(fake.machine(handle)?.config.env).toEqual({
      AI_IMPLEMENT_JOB_ID: 'x',
      AI_IMPLEMENT_PROGRESS_TOKEN: 'p-1',
      AI_IMPLEMENT_CREDENTIALS_FILE: 'callback',
    });
    expect(fake.configLeaks).toEqual([]);
    expect(entries[0]).toMatchObject({
      envKeys: ['AI_IMPLEMENT_CREDENTIALS_FILE', 'AI_IMPLEMENT_JOB_ID', 'AI_IMPLEMENT_PROGRESS_TOKEN'],
      handedOverKeys: ['ENG_DEPLOY_TOKEN', 'MY_API_KEY'],
    });
    const sent = JSON.stringify(fake.requests);
    expect(sent).not.toContain(extraValue);
    expect(sent).not.toContain(secretValue);
  });

  it('says nothing of a hand-over when the run has no secrets and no extraEnv', async () => {
    const { handle } = (await runnerOn(fake).launch(sampleLaunch({ env: { AI_IMPLEMENT_JOB_ID: 'x' } })))._unsafeUnwrap();
    expect(fake.machine(handle)?.config.env).toEqual({ AI_IMPLEMENT_JOB_ID: 'x' });
  });

  it('the fake refuses a machine config that carries a forbidden or app secret value, in any encoding', async () => {
    const extraValue = 'extra-env-value-5d0c1e';
    fake.forbidInConfig(extraValue);
    const create = (config: Record<string, unknown>) =>
      fetch(`${fake.url}/v1/apps/${FAKE_FLY_APP}/machines`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ config: { image: 'registry.fly.io/x:1', ...config } }),
      });
    const plain = await create({ env: { MY_API_KEY: extraValue } });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual({ error: 'fake Fly: the machine config carries a secret value (env MY_API_KEY)' });
    expect((await create({ env: { BLOB: Buffer.from(`k=${extraValue}`).toString('base64') } })).status).toBe(400);
    expect((await create({ metadata: { note: extraValue } })).status).toBe(400);
    await fetch(`${fake.url}/v1/apps/${FAKE_FLY_APP}/secrets/ENG_TOKEN`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'fly-app-secret-value-31c7' }),
    });
    expect((await create({ env: { ENG_TOKEN: 'fly-app-secret-value-31c7' } })).status).toBe(400);
    expect(fake.configLeaks).toEqual(['env MY_API_KEY', 'env BLOB', 'config', 'env ENG_TOKEN']);
    expect((await create({ env: { OTHER: 'nothing-secret-here' } })).status).toBe(200);
  });

  it('leaves Fly app-secret references out of the machine env: the app supplies those', async () => {
    const run = sampleLaunch({ env: { AI_IMPLEMENT_JOB_ID: 'x', ENG_TOKEN: flyAppSecretReference('ENG_TOKEN') } });
    await runnerOn(fake).launch(run);
    const body = fake.requests.find((r) => r.method === 'POST')?.body as { config: { env: Record<string, string> } };
    expect(body.config.env).toEqual({ AI_IMPLEMENT_JOB_ID: 'x' });
  });

  it('resolves the launch while the machine is still booting, and lists it as it comes up', async () => {
    fake.setProgression('manual');
    const runner = runnerOn(fake);
    const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
    const states = [];
    for (let step = 0; step < 3; step++) {
      states.push((await runner.listSessions())._unsafeUnwrap().find((s) => s.id === handle)?.state);
      fake.tick();
    }
    expect(states).toEqual(['created', 'starting', 'started']);
  });

  it('stops listing a machine once its session exits and it destroys itself', async () => {
    const runner = runnerOn(fake);
    const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
    fake.exit(handle);
    expect(fake.machine(handle)?.state).toBe('destroyed');
    expect((await runner.listSessions())._unsafeUnwrap()).toEqual([]);
  });

  it('lists only machines in created, starting or started, with metadata mapped to session fields', async () => {
    fake.seedMachine(FAKE_FLY_APP, { state: 'stopped', metadata: { job_id: 'j-stopped' } });
    fake.seedMachine(FAKE_FLY_APP, { state: 'stopping', metadata: { job_id: 'j-stopping' } });
    const alive = fake.seedMachine(FAKE_FLY_APP, {
      state: 'started',
      createdAt: Date.parse('2030-01-02T03:04:05Z'),
      metadata: { job_id: 'j-1', issue: 'ENG-9', owner: 'acme', repo: 'widgets' },
      name: 'ai-eng-9',
    });
    const sessions = (await runnerOn(fake).listSessions())._unsafeUnwrap();
    expect(sessions).toEqual([
      {
        id: alive.id,
        name: 'ai-eng-9',
        state: 'started',
        startedAt: Date.parse('2030-01-02T03:04:05Z'),
        jobId: 'j-1',
        issueIdentifier: 'ENG-9',
        owner: 'acme',
        repo: 'widgets',
        region: 'iad',
      },
    ]);
  });

  it('destroys with force, so a running session is killed rather than refused', async () => {
    const runner = runnerOn(fake);
    const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
    expect((await runner.destroy(handle)).isOk()).toBe(true);
    const destroy = fake.requests.find((r) => r.method === 'DELETE');
    expect(destroy).toMatchObject({ path: `/v1/apps/${FAKE_FLY_APP}/machines/${handle}`, query: { force: 'true' }, status: 200 });
  });

  it('waits out a 429 and then succeeds', async () => {
    const waits: number[] = [];
    fake.failNext({ status: 429, retryAfter: '2', method: 'POST' });
    const runner = runnerOn(fake, { retry: { sleep: async (ms) => void waits.push(ms) } });
    const result = await runner.launch(sampleLaunch());
    expect(result.isOk()).toBe(true);
    expect(waits).toEqual([2000]);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not retry a rejected token, and says auth', async () => {
    const runner = runnerOn(fake, { token: 'wrong-token' });
    const result = await runner.listSessions();
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'auth' });
    expect(result._unsafeUnwrapErr().message).toContain('401');
    expect(fake.requests).toHaveLength(1);
  });

  it('after a 5xx on create, reuses the machine the failed attempt may have made instead of creating a second', async () => {
    const runner = runnerOn(fake);
    const run = sampleLaunch();
    // Fly makes the machine, but its answer is lost behind a 503.
    fake.failNext({ status: 503, method: 'POST', afterHandling: true });
    const { handle } = (await runner.launch(run))._unsafeUnwrap();
    const machines = fake.machines().filter((m) => m.config.metadata?.job_id === run.job.id);
    expect(machines.map((m) => m.id)).toEqual([handle]);
    expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 503', 'GET 200']);
    expect(fake.requests[1]?.query).toEqual({ 'metadata.job_id': run.job.id });
  });

  it('creates the machine on the next attempt when the failed create made none', async () => {
    fake.failNext({ status: 503, method: 'POST' });
    const run = sampleLaunch();
    const { handle } = (await runnerOn(fake).launch(run))._unsafeUnwrap();
    expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 503', 'GET 200', 'POST 200']);
    expect(fake.machine(handle)?.config.metadata?.job_id).toBe(run.job.id);
  });

  it('gives up after the last attempt on repeated 5xx, as unavailable with the status', async () => {
    fake.failNext({ status: 502, times: 10 });
    const result = await runnerOn(fake).listSessions();
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable', status: 502 });
    expect(fake.requests).toHaveLength(4);
  });

  it('maps a request Fly rejects to invalid, with Fly’s own error text', async () => {
    const result = await runnerOn(fake).launch(sampleLaunch({ mapping: { machineMemoryMb: 128 } }));
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid', status: 400 });
    expect(result._unsafeUnwrapErr().message).toContain('minimum required 256 MiB');
  });

  it('maps an unreachable API to unavailable', async () => {
    await fake.close();
    const result = await runnerOn(fake, { retry: { ...noWait, maxAttempts: 1 } }).listSessions();
    expect(result._unsafeUnwrapErr().kind).toBe('unavailable');
    fake = await startFakeFly();
  });

  it('accepts a base URL written with /v1, as Fly documents it', async () => {
    const result = await runnerOn(fake, { apiUrl: `${fake.url}/v1/` }).listSessions();
    expect(result.isOk()).toBe(true);
    expect(fake.requests[0]?.path).toBe(`/v1/apps/${FAKE_FLY_APP}/machines`);
  });

  it('answers notConfigured without a request when no app is set', async () => {
    const result = await runnerOn(fake, { app: '' }).listSessions();
    expect(result._unsafeUnwrapErr().kind).toBe('notConfigured');
    expect(fake.requests).toHaveLength(0);
  });

  it('never puts an env value in what it logs', async () => {
    const entries: FlyRunnerLogEntry[] = [];
    const secret = 'tok-result-7c1f-do-not-log';
    const extra = 'extra-value-9a2e-do-not-log';
    const runner = runnerOn(fake, { log: (entry) => entries.push(entry) });
    const { handle } = (
      await runner.launch(sampleLaunch({ env: { AI_IMPLEMENT_RESULT_TOKEN: secret, AI_IMPLEMENT_JOB_ID: 'j', MY_KEY: extra } }))
    )._unsafeUnwrap();
    await runner.destroy(handle);
    expect(entries.map((e) => e.event)).toEqual(['machine.created', 'machine.destroyed']);
    expect(entries[0]).toMatchObject({
      envKeys: ['AI_IMPLEMENT_CREDENTIALS_FILE', 'AI_IMPLEMENT_JOB_ID', 'AI_IMPLEMENT_RESULT_TOKEN'],
      handedOverKeys: ['MY_KEY'],
    });
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(JSON.stringify(entries)).not.toContain(extra);
  });

  it('finds the sessions past their lifetime as timed_out / machine_timeout', async () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    const old = fake.seedMachine(FAKE_FLY_APP, { createdAt: now - 61 * 60_000, metadata: { job_id: 'j-old' } });
    fake.seedMachine(FAKE_FLY_APP, { createdAt: now - 59 * 60_000, metadata: { job_id: 'j-young' } });
    fake.seedMachine(FAKE_FLY_APP, { state: 'stopped', createdAt: now - 600 * 60_000, metadata: { job_id: 'j-stopped' } });
    const timedOut = (await runnerOn(fake).findTimedOut(now))._unsafeUnwrap();
    expect(timedOut).toEqual([
      { sessionId: old.id, jobId: 'j-old', status: 'timed_out', reason: 'machine_timeout', ageMs: 61 * 60_000 },
    ]);
    const withLongerLifetime = (await runnerOn(fake, { lifetimeMinutes: 90 }).findTimedOut(now))._unsafeUnwrap();
    expect(withLongerLifetime).toEqual([]);
  });
});
