import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutoLocalRunner, IMAGE_SESSION_COMMAND } from '../../../adapters/runners/local/auto-local.runner.js';
import { containerRunArgs, detectContainerCli } from '../../../adapters/runners/local/container-cli.js';
import { createLocalRunner, type LocalRunner, type LocalSessionExit } from '../../../adapters/runners/local/local.runner.js';
import { createOutputTail } from '../../../adapters/runners/local/output-tail.js';
import { type RunnerSubject, runnerContract, sampleLaunch } from '../../../testing/contracts/runner.contract.js';

const FAKE_SESSION = fileURLToPath(new URL('../../hosts/runners/fixtures/fake-session.mjs', import.meta.url));
const FAKE_CLI = fileURLToPath(new URL('../../hosts/runners/fixtures/fake-container-cli.mjs', import.meta.url));
const command = [process.execPath, FAKE_SESSION];
const hostEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ORCHESTRATOR_ONLY_SECRET: 'do-not-pass',
  LINEAR_API_KEY: 'lin_do-not-pass',
  AI_IMPLEMENT_AGENT_COMMAND: '["my-agent","-p","{prompt}"]',
};

const open: LocalRunner[] = [];
function runnerWith(options: Parameters<typeof createLocalRunner>[0] = {}): LocalRunner {
  const runner = createLocalRunner({ command, baseEnv: hostEnv, killGraceMs: 500, ...options });
  open.push(runner);
  return runner;
}
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

/** The sessions' ends as the runner reports them, taken one by one in order. */
function exits() {
  const seen: LocalSessionExit[] = [];
  const waiters: Array<() => void> = [];
  let taken = 0;
  return {
    onExit: (exit: LocalSessionExit) => {
      seen.push(exit);
      for (const w of waiters.splice(0)) w();
    },
    async next(): Promise<LocalSessionExit> {
      while (seen.length <= taken) await new Promise<void>((resolve) => waiters.push(resolve));
      return seen[taken++]!;
    },
  };
}

async function waitFor(check: () => boolean, ms = 5_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A local runner as a contract subject: sessions end by the fake exiting, time out by maxJobMinutes. */
function localSubject(runner: LocalRunner): RunnerSubject {
  return {
    runner,
    tracksSessions: true,
    // The fake session exits at once without calling back.
    endRun: async () => {
      const run = sampleLaunch({ env: { FAKE_SESSION_MODE: 'exit' } });
      const handle = (await runner.launch(run))._unsafeUnwrap().handle;
      const listed = async () => (await runner.listSessions())._unsafeUnwrap().some((session) => session.id === handle);
      for (let i = 0; i < 250 && (await listed()); i++) await new Promise((r) => setTimeout(r, 20));
      return { run, handle };
    },
    // Past the mapping's maxJobMinutes since the dispatch: container_timeout.
    overdueRun: async () => {
      const run = sampleLaunch({ mapping: { maxJobMinutes: 5 } });
      const handle = (await runner.launch(run))._unsafeUnwrap().handle;
      return { run, handle, now: run.job.dispatchedAt + 6 * 60_000, reason: 'container_timeout' };
    },
    close: () => runner.close(),
  };
}

runnerContract('local (child process running a fake session)', async () => localSubject(runnerWith()));

runnerContract('local, auto-detected (no container CLI: a child process)', async () =>
  localSubject(createAutoLocalRunner({ command, baseEnv: hostEnv, killGraceMs: 500, detect: async () => undefined })),
);

describe('auto-local runner before its first launch', () => {
  // Built at boot, it has no inner runner yet: a job of an earlier process is already gone,
  // or past its lifetime, without detecting a container CLI for it.
  it('observes a job of an earlier process as gone, or timed out past maxJobMinutes, without detecting anything', async () => {
    let detected = 0;
    const runner = createAutoLocalRunner({
      command,
      detect: async () => {
        detected += 1;
        return undefined;
      },
    });
    const run = sampleLaunch({ mapping: { maxJobMinutes: 5 } });
    const early = (await runner.observe(run.job, { now: run.job.dispatchedAt, mapping: run.mapping }))._unsafeUnwrap();
    expect(early).toEqual({ state: 'gone', logLabel: 'container_failed' });
    const late = (
      await runner.observe(run.job, { now: run.job.dispatchedAt + 6 * 60_000, mapping: run.mapping })
    )._unsafeUnwrap();
    expect(late).toEqual({ state: 'timed_out', reason: 'container_timeout' });
    expect(detected).toBe(0);
    await runner.close();
  });
});

describe('local runner (process)', () => {
  it("gives the child the run env, PATH/HOME and the operator's session settings, nothing else of the orchestrator", async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    const run = sampleLaunch({ env: { AI_IMPLEMENT_JOB_ID: 'j-env', RESULT_TOKEN: 'r', FAKE_SESSION_MODE: 'exit' } });
    await runner.launch(run);
    const exit = await ended.next();
    const keys = JSON.parse(/env-keys (.*)/.exec(exit.outputTail)?.[1] ?? '[]') as string[];
    // The run's settings as variables; its other values (secrets, extraEnv) in the 0600 file.
    expect(keys).toEqual(['AI_IMPLEMENT_AGENT_COMMAND', 'AI_IMPLEMENT_CREDENTIALS_FILE', 'AI_IMPLEMENT_JOB_ID', 'HOME', 'PATH']);
    expect(JSON.parse(/credential-keys (.*)/.exec(exit.outputTail)?.[1] ?? '[]')).toEqual(['FAKE_SESSION_MODE', 'RESULT_TOKEN']);
    expect(exit).toMatchObject({ reason: 'exited', code: 0, jobId: run.job.id, issueIdentifier: run.job.identifier });
  });

  it('lets no run variable load code into the session or choose its git (NODE_OPTIONS, LD_*, PATH, GIT_*)', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    const env = {
      FAKE_SESSION_MODE: 'exit',
      NODE_OPTIONS: '--require /tmp/evil.js',
      LD_PRELOAD: '/tmp/evil.so',
      PATH: '/tmp/evil-bin',
      GIT_CONFIG_GLOBAL: '/tmp/evil.gitconfig',
      KEPT_VARIABLE: 'yes',
    };
    await runner.launch(sampleLaunch({ env }));
    const exit = await ended.next();
    const keys = [
      ...(JSON.parse(/env-keys (.*)/.exec(exit.outputTail)?.[1] ?? '[]') as string[]),
      ...(JSON.parse(/credential-keys (.*)/.exec(exit.outputTail)?.[1] ?? '[]') as string[]),
    ];
    expect(keys).toContain('KEPT_VARIABLE');
    expect(keys.filter((k) => ['NODE_OPTIONS', 'LD_PRELOAD', 'GIT_CONFIG_GLOBAL'].includes(k))).toEqual([]);
    expect(exit.outputTail).not.toContain('/tmp/evil-bin');
    expect(exit.code).toBe(0);
  });

  it('hands the run credentials over in a file, never in the child environment', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    const run = sampleLaunch({
      env: {
        AI_IMPLEMENT_JOB_ID: 'j-creds',
        AI_IMPLEMENT_RESULT_TOKEN: 'result-token-value',
        AI_IMPLEMENT_PROGRESS_TOKEN: 'progress-token-value',
        AI_IMPLEMENT_NONCE: 'nonce-value',
        FAKE_SESSION_MODE: 'exit',
      },
    });
    await runner.launch(run);
    const exit = await ended.next();
    const keys = JSON.parse(/env-keys (.*)/.exec(exit.outputTail)?.[1] ?? '[]') as string[];
    expect(keys).toContain('AI_IMPLEMENT_CREDENTIALS_FILE');
    expect(keys.filter((k) => /TOKEN|NONCE/.test(k))).toEqual([]);
  });

  it('reports a non-zero exit with the end of the output, and stops listing the session', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    const { handle } = (
      await runner.launch(
        sampleLaunch({ env: { FAKE_SESSION_MODE: 'exit', FAKE_SESSION_EXIT: '3', FAKE_SESSION_STDERR: 'boom' } }),
      )
    )._unsafeUnwrap();
    const exit = await ended.next();
    expect(exit).toMatchObject({ sessionId: handle, reason: 'exited', code: 3, signal: null });
    expect(exit.outputTail).toContain('boom');
    expect((await runner.listSessions())._unsafeUnwrap().map((s) => s.id)).not.toContain(handle);
    expect(runner.outputTail(handle)).toContain('boom');
    expect(runner.outputTail(exit.jobId)).toContain('boom');
  });

  it('keeps only the last tailBytes of the output', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit, tailBytes: 1024 });
    await runner.launch(sampleLaunch({ env: { FAKE_SESSION_MODE: 'exit', FAKE_SESSION_OUTPUT_BYTES: '100000' } }));
    const exit = await ended.next();
    expect(Buffer.byteLength(exit.outputTail)).toBe(1024);
    expect(exit.outputTail.endsWith('xxxxEND\n')).toBe(true);
  });

  it('says destroyed when destroy ended it, and kills what the session started', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    const { handle } = (await runner.launch(sampleLaunch({ env: { FAKE_SESSION_MODE: 'grandchild' } })))._unsafeUnwrap();
    await waitFor(() => /READY/.test(runner.outputTail(handle) ?? ''));
    const grandchild = Number(/grandchild (\d+)/.exec(runner.outputTail(handle) ?? '')?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    expect((await runner.destroy(handle)).isOk()).toBe(true);
    const exit = await ended.next();
    expect(exit).toMatchObject({ reason: 'destroyed', signal: 'SIGTERM' });
    await waitFor(() => {
      try {
        process.kill(grandchild, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('kills a session past its lifetime and says timed_out', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit, lifetimeMs: () => 300 });
    const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
    const exit = await ended.next();
    expect(exit).toMatchObject({ sessionId: handle, reason: 'timed_out' });
    expect((await runner.listSessions())._unsafeUnwrap()).toEqual([]);
  });

  it('takes the lifetime from the mapping’s maxJobMinutes by default', async () => {
    const ended = exits();
    const runner = runnerWith({ onExit: ended.onExit });
    // 1/1000 of a minute = 60 ms.
    await runner.launch(sampleLaunch({ mapping: { maxJobMinutes: 0.001 } }));
    expect((await ended.next()).reason).toBe('timed_out');
  });

  it('fails the launch as unavailable when the command cannot start', async () => {
    const runner = runnerWith({ command: ['/nonexistent/ai-implement-session'] });
    const result = await runner.launch(sampleLaunch());
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
    expect(result._unsafeUnwrapErr().message).toContain('ENOENT');
    expect((await runner.listSessions())._unsafeUnwrap()).toEqual([]);
  });
});

describe('local runner (container)', () => {
  it('runs the session through the container CLI with -e names of settings only, its values over stdin, and removes the container on destroy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
    // The fake CLI logs into its HOME, the one host variable it is given.
    const logFile = join(dir, 'fake-cli.log');
    try {
      const ended = exits();
      const runner = runnerWith({
        container: { cli: FAKE_CLI, image: 'node:20-slim' },
        baseEnv: { ...hostEnv, HOME: dir },
        onExit: ended.onExit,
      });
      expect(runner.mode).toBe('container');
      const run = sampleLaunch({ env: { RESULT_TOKEN: 'tok-secret-value', FAKE_SESSION_ECHO: 'RESULT_TOKEN' } });
      const { handle } = (await runner.launch(run))._unsafeUnwrap();
      await waitFor(() => /READY/.test(runner.outputTail(handle) ?? ''));
      const tail = runner.outputTail(handle) ?? '';
      expect(tail).toContain('echo tok-secret-value');
      // Inside the "container": the -e keys and PATH only; HOME stays with the host. The run's
      // values (no setting of its own among them) came over standard input.
      expect(JSON.parse(/env-keys (.*)/.exec(tail)?.[1] ?? '[]')).toEqual(['AI_IMPLEMENT_CREDENTIALS_FILE', 'PATH']);
      expect(JSON.parse(/credential-keys (.*)/.exec(tail)?.[1] ?? '[]')).toEqual(['FAKE_SESSION_ECHO', 'RESULT_TOKEN']);
      await runner.destroy(handle);
      await ended.next();
      await waitFor(() => readFileSync(logFile, 'utf8').includes('"rm"'));
      const calls = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { args: string[] });
      const runCall = calls.find((c) => c.args[0] === 'run')!;
      expect(runCall.args.join(' ')).not.toContain('tok-secret-value');
      expect(runCall.args).toEqual(
        expect.arrayContaining([
          '--rm',
          '--name',
          handle,
          '--cpus',
          '2',
          '--memory',
          '4096m',
          '-i',
          '-e',
          'AI_IMPLEMENT_CREDENTIALS_FILE',
          'node:20-slim',
        ]),
      );
      expect(runCall.args).not.toContain('RESULT_TOKEN');
      // Nothing of this machine is mounted: no checkout, no DATA_DIR; the workspace is a volume.
      expect(runCall.args.filter((a) => a === '-v' || a === '--volume')).toEqual([]);
      expect(runCall.args.filter((_a, i) => runCall.args[i - 1] === '--mount')).toEqual(['type=volume,destination=/workspace']);
      expect(calls.some((c) => c.args.join(' ') === `rm -f ${handle}`)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('auto-detected: runs the session image’s own bundle, with nothing of the host mounted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
    try {
      const ended = exits();
      const runner = createAutoLocalRunner({
        command,
        image: 'ai-implement:9.9.9',
        detect: async () => FAKE_CLI,
        baseEnv: { ...hostEnv, HOME: dir },
        killGraceMs: 500,
        onExit: ended.onExit,
      });
      const { handle } = (await runner.launch(sampleLaunch()))._unsafeUnwrap();
      await ended.next();
      expect(runner.mode).toBe('container');
      const runCall = readFileSync(join(dir, 'fake-cli.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { args: string[] })
        .find((c) => c.args[0] === 'run')!;
      const image = runCall.args.indexOf('ai-implement:9.9.9');
      expect(runCall.args.slice(image)).toEqual(['ai-implement:9.9.9', ...IMAGE_SESSION_COMMAND]);
      expect(runCall.args).toContain(handle);
      expect(runCall.args.filter((a) => a === '-v' || a === '--volume' || a === '-w')).toEqual([]);
      expect(runCall.args.join(' ')).toContain('--pull never');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds run args with the job label, the workspace volume (no host mount) and the command after the image', () => {
    const args = containerRunArgs(
      { cli: 'docker', image: 'img:1' },
      { name: 'ai-eng-1-implementation-abc', jobId: 'job-1' },
      ['A', 'B'],
      ['node', 'x.js'],
    );
    expect(args).toEqual([
      'run',
      '--rm',
      '--name',
      'ai-eng-1-implementation-abc',
      '--label',
      'ai-implement.job_id=job-1',
      '--mount',
      'type=volume,destination=/workspace',
      '-e',
      'A',
      '-e',
      'B',
      'img:1',
      'node',
      'x.js',
    ]);
  });

  it('detects a usable CLI, and skips one that is missing or cannot reach its daemon', async () => {
    expect(await detectContainerCli(['/nonexistent/docker', FAKE_CLI])).toBe(FAKE_CLI);
    expect(await detectContainerCli(['/nonexistent/docker', '/bin/false'])).toBeUndefined();
  });
});

describe('output tail', () => {
  it('keeps the last bytes across chunk boundaries', () => {
    const tail = createOutputTail(5);
    for (const part of ['ab', 'cd', 'efg', 'h']) tail.push(Buffer.from(part));
    expect(tail.text()).toBe('defgh');
    expect(tail.total).toBe(8);
    tail.push(Buffer.from('0123456789'));
    expect(tail.text()).toBe('56789');
  });
});
