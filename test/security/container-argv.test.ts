import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutoLocalRunner, isLoopbackUrl } from '../../adapters/runners/local/auto-local.runner.js';
import { createLocalRunner, type LocalRunner, type LocalSessionExit } from '../../adapters/runners/local/local.runner.js';
import { sampleLaunch } from '../../testing/contracts/runner.contract.js';

/**
 * Issue 13, "The local container path": no credential on the CLI's argv or in its environment
 * (they reach the session over its standard input), never the host network, nothing of this
 * machine mounted (not the checkout, not DATA_DIR). The exact argv is checked.
 */

const FAKE_CLI = fileURLToPath(new URL('../hosts/runners/fixtures/fake-container-cli.mjs', import.meta.url));
const READER = fileURLToPath(new URL('./fixtures/read-stdin-credentials.mjs', import.meta.url));
const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

const CREDENTIALS = {
  AI_IMPLEMENT_RESULT_TOKEN: 'ait1.result-secret-value',
  AI_IMPLEMENT_PROGRESS_TOKEN: 'ait1.progress-secret-value',
  AI_IMPLEMENT_NONCE: 'nonce-secret-value',
};

const open: LocalRunner[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function oneExit() {
  let resolve: (exit: LocalSessionExit) => void = () => undefined;
  const ended = new Promise<LocalSessionExit>((r) => {
    resolve = r;
  });
  return { ended, onExit: (exit: LocalSessionExit) => resolve(exit) };
}

describe('the local container path', () => {
  it('runs exactly this argv: credentials and secrets over stdin, -e names of the settings, no host network, no host mount', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ai-implement-argv-'));
    dirs.push(home);
    const dataDir = join(home, '.data');
    const { ended, onExit } = oneExit();
    const runner = createLocalRunner({
      container: { cli: FAKE_CLI, image: 'ai-implement:1.2.3', command: [process.execPath, READER] },
      cwd: CHECKOUT,
      baseEnv: { PATH: process.env.PATH, HOME: home, DATA_DIR: dataDir, RUNNER_TOKEN_SECRET: 'orchestrator-secret' },
      onExit,
    });
    open.push(runner);
    const run = sampleLaunch({ env: { ...CREDENTIALS, AI_IMPLEMENT_JOB_ID: 'job-1', ENG_API_KEY: 'team-secret' } });
    const { handle } = (await runner.launch(run))._unsafeUnwrap();
    const exit = await ended;

    const [call] = readFileSync(join(home, 'fake-cli.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; env: string[] });
    // Only the run's own settings are variables; the team's secret travels with the credentials.
    const envNames = Object.keys({ ...run.env })
      .filter((k) => !(k in CREDENTIALS) && k.startsWith('AI_IMPLEMENT_'))
      .concat('AI_IMPLEMENT_CREDENTIALS_FILE');
    expect(envNames).not.toContain('ENG_API_KEY');
    expect(call?.args).toEqual([
      'run',
      '--rm',
      '--name',
      handle,
      '--label',
      `ai-implement.job_id=${run.job.id}`,
      ...(run.mapping.machineCpus ? ['--cpus', String(run.mapping.machineCpus)] : []),
      ...(run.mapping.machineMemoryMb ? ['--memory', `${run.mapping.machineMemoryMb}m`] : []),
      '--mount',
      'type=volume,destination=/workspace',
      '-i',
      ...envNames.flatMap((k) => ['-e', k]),
      'ai-implement:1.2.3',
      process.execPath,
      READER,
    ]);
    const argv = call?.args.join(' ') ?? '';
    // The run flags (all before the image; after it comes the command run inside the container).
    const flags = (call?.args ?? []).slice(0, call?.args.indexOf('ai-implement:1.2.3')).join(' ');
    for (const value of [...Object.values(CREDENTIALS), 'orchestrator-secret', 'team-secret']) expect(argv).not.toContain(value);
    for (const name of Object.keys(CREDENTIALS)) expect(call?.args).not.toContain(name);
    expect(flags).not.toContain(CHECKOUT);
    expect(flags).not.toContain(home);
    expect(flags).not.toMatch(/--network|--net\b|--net=|host|-v |--volume|type=bind/);
    // The CLI's own environment holds no credential either: `-e` names take their values from it.
    for (const name of [...Object.keys(CREDENTIALS), 'ENG_API_KEY', 'RUNNER_TOKEN_SECRET', 'DATA_DIR'])
      expect(call?.env).not.toContain(name);

    // The session got every credential from its standard input, none in its environment.
    const tail = exit.outputTail;
    expect(tail).toContain(
      'creds-file /dev/stdin keys ["AI_IMPLEMENT_NONCE","AI_IMPLEMENT_PROGRESS_TOKEN","AI_IMPLEMENT_RESULT_TOKEN","ENG_API_KEY"] nonce-ok true',
    );
    expect(tail).toContain('env-credentials []');
  });

  it.each([[['--network', 'host']], [['--network=host']], [['--net', 'host']], [['--net=host']]])(
    'refuses a container that would share the host network: %j',
    (extraArgs) => {
      expect(() => createLocalRunner({ container: { cli: FAKE_CLI, image: 'img', extraArgs } })).toThrow(
        'a session container never shares the host network',
      );
    },
  );

  it('runs sessions as processes when PUBLIC_URL is loopback (a container could not call back), without probing a CLI', async () => {
    let probed = false;
    const runner = createAutoLocalRunner({
      callbackUrl: 'http://127.0.0.1:4000',
      detect: async () => {
        probed = true;
        return FAKE_CLI;
      },
      command: [process.execPath, '-e', 'process.exit(0)'],
    });
    open.push(runner);
    (await runner.launch(sampleLaunch()))._unsafeUnwrap();
    expect(probed).toBe(false);
    expect(runner.mode).toBe('process');
    for (const url of ['http://localhost:4000', 'http://[::1]:4000', 'http://127.1.2.3']) expect(isLoopbackUrl(url)).toBe(true);
    for (const url of ['https://ai.example.com', 'http://10.0.0.5:4000']) expect(isLoopbackUrl(url)).toBe(false);
  });
});

describe('the session reads credentials from its standard input', () => {
  it('takes them from fd 0 when AI_IMPLEMENT_CREDENTIALS_FILE is /dev/stdin, a socket included', async () => {
    const { spawn } = await import('node:child_process');
    const module = fileURLToPath(new URL('../../hosts/session/run-credentials.ts', import.meta.url));
    const script = `import { takeRunCredentials } from ${JSON.stringify(module)}; console.log(JSON.stringify(takeRunCredentials({ AI_IMPLEMENT_CREDENTIALS_FILE: '/dev/stdin' })));`;
    // Node's 'pipe' stdio is a socket pair: the case a plain open('/dev/stdin') fails on.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(CREDENTIALS));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(JSON.parse(out)).toEqual({ env: CREDENTIALS });
  });
});
