import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asFunction, asValue } from 'awilix';
import { toNodeHandler } from 'h3/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../adapters/forge/local/local-forge.adapter.js';
import { createLocalRunner, reportExits } from '../../adapters/runners/local/local.runner.js';
import { PROXY_ENV } from '../../adapters/sandbox/bwrap.sandbox.js';
import type { LocalIssue } from '../../adapters/ticketing/local/local-issue.js';
import type { Job } from '../../core/domain/model.js';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../hosts/container.js';
import { createLogger, secretValues } from '../../hosts/logger.js';
import { customDir } from '../plugins/custom-dir.js';
import { TARGET_FILES } from '../session/session-fixture.js';

/**
 * The whole lifecycle on this machine, with no accounts: the embedded tracker, the local forge
 * (bare git repositories under DATA_DIR/repos) and the local runner, which starts the real
 * session runtime (`hosts/cli/main.ts session`) as a child process that calls the orchestrator
 * back over HTTP. Only the coding agent is a stand-in (test/fakes/agent/fake-agent.mjs).
 */

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const FAKE_AGENT = fileURLToPath(new URL('../fakes/agent/fake-agent.mjs', import.meta.url));
const AGENT_COMMAND = [
  process.execPath,
  FAKE_AGENT,
  '-p',
  '{prompt}',
  '--model',
  '{model}',
  '--max-turns',
  '{maxTurns}',
  '--output-format',
  'stream-json',
  '--verbose',
];
const ACCESS_CODE = 'e2e access code, long enough';
const RUNNER_SECRET = 'e2e-runner-token-secret-0123456789';
const TRIGGER = 'AI-Implement';

interface World {
  orchestrator: Orchestrator;
  /** The orchestrator's log lines (kept off the test output; shown when a run does not settle). */
  logs: string[];
  dataDir: string;
  agentLog: string;
  admin: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  bareRepo: string;
}

let world: World | undefined;
let server: Server | undefined;
afterEach(async () => {
  await world?.orchestrator.dispose();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (world) await rm(world.dataDir, { recursive: true, force: true });
  world = undefined;
  server = undefined;
});

async function startWorld(sessionEnv: Record<string, string> = {}, env: Record<string, string> = {}): Promise<World> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ai-implement-e2e-'));
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = loadConfig({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    RUNNER_TOKEN_SECRET: RUNNER_SECRET,
    RUNNER_MODE: 'local',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    STORAGE_URL: 'memory:',
    POLL_INTERVAL_MS: '1000',
    ...env,
  })._unsafeUnwrap();

  // The session's own settings travel on its command line (AI_IMPLEMENT_* never comes from extraEnv).
  // The sandbox shows the fake agent's directory and its log's, nothing else of the checkout or DATA_DIR.
  await mkdir(join(dataDir, 'agent-log'));
  const settings = {
    AI_IMPLEMENT_AGENT_COMMAND: JSON.stringify(AGENT_COMMAND),
    AI_IMPLEMENT_WORKSPACE_DIR: join(dataDir, 'workspaces'),
    AI_IMPLEMENT_SANDBOX_READ_ONLY: dirname(FAKE_AGENT),
    AI_IMPLEMENT_SANDBOX_READ_WRITE: join(dataDir, 'agent-log'),
    ...sessionEnv,
  };
  const logs: string[] = [];
  let orchestrator: Orchestrator | undefined;
  orchestrator = await createOrchestrator(config, {
    logger: asValue(createLogger({ secrets: secretValues(config), write: (line) => logs.push(line) })),
    localRunner: asFunction(() =>
      createLocalRunner({
        command: [
          'env',
          ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
          process.execPath,
          '--import',
          'tsx',
          'hosts/cli/main.ts',
          'session',
        ],
        cwd: CHECKOUT,
        killGraceMs: 1000,
        onExit: reportExits((jobId, seen) => orchestrator?.cradle.runWatcher.report(jobId, seen)),
      }),
    )
      .singleton()
      .disposer((runner) => runner.close()),
  });
  handler = toNodeHandler(orchestrator.app);

  const forge = createLocalForge({ root: localForgeRoot(dataDir) });
  const bareRepo = (await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', TARGET_FILES))._unsafeUnwrap();
  await forge.close();

  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await orchestrator!.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const login = await request('POST', '/api/auth', { code: ACCESS_CODE });
  const admin = login.body.token as string;
  orchestrator.start();
  world = {
    orchestrator,
    logs,
    dataDir,
    agentLog: join(dataDir, 'agent-log', 'agent.log'),
    admin,
    bareRepo,
    call: (method, path, body) => request(method, path, body, admin),
  };
  return world;
}

async function mapping(w: World, extra: Record<string, unknown>, agent: Record<string, string> = {}): Promise<void> {
  const saved = await w.call('POST', '/api/mappings', {
    teamKey: 'LOC',
    ticketing: 'local',
    forge: 'local',
    owner: 'acme',
    repo: 'app',
    defaultBranch: 'main',
    planningEnabled: false,
    autoApprovePlans: true,
    ...extra,
    extraEnv: { FAKE_AGENT_LOG: w.agentLog, ...agent },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}

async function fileIssue(w: World): Promise<LocalIssue> {
  const created = await w.call('POST', '/api/tracker/issues', {
    teamKey: 'LOC',
    title: 'Add a change file',
    description: 'Write AGENT_CHANGE.md so the verify script passes.',
    labels: [TRIGGER],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.issue as LocalIssue;
}

const jobsOf = async (w: World, issueId: string) =>
  (await w.orchestrator.cradle.storage.jobs.list())
    .filter((j) => j.issueId === issueId)
    .sort((a, b) => a.dispatchedAt - b.dispatchedAt);

const terminal = (j: Job) => ['completed', 'failed', 'timed_out', 'review_failed'].includes(j.status);

/** Waits until `done` holds for the issue's jobs (or fails with what the last session printed). */
async function settle(w: World, issueId: string, done: (jobs: Job[]) => boolean, timeoutMs = 75_000): Promise<Job[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await jobsOf(w, issueId);
    // The outcome comment is posted right after the job turns terminal: let it land.
    if (done(jobs)) {
      await new Promise((r) => setTimeout(r, 300));
      return jobsOf(w, issueId);
    }
    if (Date.now() > until) {
      const last = jobs[jobs.length - 1];
      const tail = last ? w.orchestrator.cradle.localRunner.outputTail(last.id) : undefined;
      throw new Error(
        `jobs did not settle: ${JSON.stringify(jobs.map((j) => [j.phase, j.status, j.error]))}\n${tail ?? ''}\n${w.logs.slice(-20).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ticket(w: World, id: string): Promise<LocalIssue> {
  const found = await w.orchestrator.cradle.trackerStore.find(id);
  if (!found) throw new Error(`no issue ${id}`);
  return found;
}
const headlines = (issue: LocalIssue) => issue.comments.map((c) => c.body.split('\n')[0] ?? '');
const git = (w: World, ...args: string[]) => execFileSync('git', ['--git-dir', w.bareRepo, ...args], { encoding: 'utf8' });

describe('end to end on this machine: local tracker, local forge, local runner, the real session', () => {
  it('plans, implements, verifies, pushes and opens the PR, with every comment on the ticket', { timeout: 120_000 }, async () => {
    const w = await startWorld();
    await mapping(w, { planningEnabled: true });
    const issue = await fileIssue(w);

    const jobs = await settle(w, issue.id, (js) => js.some((j) => j.phase === 'implementation' && terminal(j)));
    expect(jobs.map((j) => [j.phase, j.status, j.runner])).toEqual([
      ['planning', 'completed', 'local'],
      ['implementation', 'completed', 'local'],
    ]);
    const impl = jobs[1]!;
    expect(impl.prNumber).toBe(1);
    expect(impl.prUrl).toBe(`${w.orchestrator.cradle.config.publicUrl}/local-forge/acme/app/pull/1`);

    // The ticket: at PR opened, with the spec's progress comments and the outcome.
    const done = await ticket(w, issue.id);
    expect(done.labels).toContain('Ready for Review');
    expect(done.labels).not.toContain('AI-Working');
    expect(headlines(done)).toEqual([
      // planning run
      '🚀 Session machine created. Cloning repo and running setup…',
      `🧹 Session machine cleaned up. Duration: ${headlines(done)[1]?.split('Duration: ')[1]}`,
      `📋 Implementation plan for ${issue.identifier}`,
      // implementation run
      '🚀 Session machine created. Cloning repo and running setup…',
      '✅ Environment ready. Claude is implementing…',
      '🧪 Running verification script…',
      '✅ Verification passed',
      `📝 Claude finished. PR #1 opened: ${impl.prUrl}`,
      `🧹 Session machine cleaned up. Duration: ${headlines(done)[8]?.split('Duration: ')[1]}`,
      "🤖 Claude's summary",
      `🔗 Pull request #1 opened: ${impl.prUrl}`,
    ]);
    for (const at of [1, 8]) expect(headlines(done)[at]).toMatch(/^🧹 Session machine cleaned up\. Duration: (\d+m )?\d+s$/);
    for (const c of done.comments.filter((c) => /^(🚀|✅|🧪|📝|🧹)/.test(c.body))) {
      expect(c.body).toMatch(/\n\n🕒 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    }

    // The pull request's branch holds the agent's change in the bare repository; main does not.
    expect(git(w, 'show', `ai-implement/${issue.identifier}:AGENT_CHANGE.md`)).toMatch(
      /^fixed\nImplement LOC-1: Add a change file/,
    );
    expect(() =>
      execFileSync('git', ['--git-dir', w.bareRepo, 'cat-file', '-e', 'main:AGENT_CHANGE.md'], { stdio: 'ignore' }),
    ).toThrow();
    expect(git(w, 'rev-parse', 'refs/pull/1/head').trim()).toBe(
      git(w, 'rev-parse', `refs/heads/ai-implement/${issue.identifier}`).trim(),
    );

    // The implementation prompt carried the plan of the planning run; the agent saw no token.
    const calls = (await readFile(w.agentLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; argv: string[]; env: string[]; envValues: Record<string, string> });
    expect(calls.map((c) => c.kind)).toEqual(['plan', 'implement', 'review']);
    expect(calls[1]?.argv[calls[1].argv.indexOf('-p') + 1]).toContain('## Implementation plan\n\n1. Add AGENT_CHANGE.md');
    for (const call of calls) {
      // Its own variables, and where the sandbox's egress proxy is (the sandbox has no other way out).
      expect(call.env).toEqual(['FAKE_AGENT_LOG', 'HOME', 'PATH', ...Object.keys(PROXY_ENV)].sort());
      expect(call.envValues.HTTPS_PROXY).toBe('http://127.0.0.1:3128');
      expect(JSON.stringify(call.envValues)).not.toMatch(/ait1\.|AI_IMPLEMENT|e2e-runner-token-secret/);
    }

    // The step history and the pull requests panel.
    const steps = await w.call('GET', `/api/jobs/${impl.id}/steps`);
    const stepIds = (steps.body.steps as { id: string; status: string }[])
      .filter((s) => s.status === 'succeeded')
      .map((s) => s.id);
    expect(new Set(stepIds)).toEqual(
      new Set(['clone', 'setup', 'implement', 'verify', 'commit-push', 'open-pr', 'post-push-review', 'report']),
    );
    const pulls = await w.call('GET', '/api/pulls');
    expect(JSON.stringify(pulls.body)).toContain(impl.prUrl);
  });

  it('fails with the spec message when the agent changes nothing', { timeout: 90_000 }, async () => {
    const w = await startWorld();
    await mapping(w, {}, { FAKE_AGENT_MODE: 'noop' });
    const issue = await fileIssue(w);
    const [job] = await settle(w, issue.id, (js) => js.some(terminal));
    const message = 'Nothing to commit: Claude left no file changes in the working tree';
    expect(job).toMatchObject({ phase: 'implementation', status: 'failed', error: message });
    const done = await ticket(w, issue.id);
    expect(headlines(done)).toContain(`⚠️ Session failed: ${message}. Machine will be cleaned up.`);
    expect(headlines(done)).toContain(`⚠️ Implementation failed: ${message}`);
    expect(done.labels.filter((l) => l.startsWith('AI-') || l === 'Ready for Review')).toEqual([]);
    expect(git(w, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').trim()).toBe('main');
  });

  it('stops an agent that runs past maxTurns', { timeout: 90_000 }, async () => {
    const w = await startWorld();
    await mapping(w, { maxTurns: 3 }, { FAKE_AGENT_MODE: 'loop' });
    const issue = await fileIssue(w);
    const [job] = await settle(w, issue.id, (js) => js.some(terminal));
    const reason = 'LLM invocation failed with exit code 1: Reached max turns (3)';
    expect(job).toMatchObject({ status: 'failed', error: reason });
    expect(headlines(await ticket(w, issue.id))).toContain(`⚠️ Implementation failed: ${reason}`);
  });

  it('fails when the verification script keeps failing, and opens no PR', { timeout: 90_000 }, async () => {
    const w = await startWorld();
    await mapping(w, { maxIterations: 1 }, { FAKE_AGENT_MODE: 'always-break' });
    const issue = await fileIssue(w);
    const [job] = await settle(w, issue.id, (js) => js.some(terminal));
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/^Verification failed after 1 of 1 iterations \(exit 2\): .*AGENT_CHANGE\.md is BROKEN/s);
    expect(job?.prUrl).toBeUndefined();
    const heads = headlines(await ticket(w, issue.id));
    expect(heads).toContain('🧪 Running verification script…');
    expect(heads).toContain('❌ Verification failed: npm run verify exited with 2: AGENT_CHANGE.md is BROKEN');
    expect(heads.some((h) => h.startsWith('⚠️ Implementation failed: Verification failed after 1 of 1 iterations'))).toBe(true);
  });

  it('a custom step that throws fails the run, and the ticket says which step and file', { timeout: 90_000 }, async () => {
    // Inside the checkout: under vitest the orchestrator resolves ai-implement/plugins by self-reference.
    const dir = await customDir({
      'steps/lint.step.mjs':
        "import { defineStep, z } from 'ai-implement/plugins';\nexport default defineStep({ name: 'lint', needs: ['shell'], config: z.object({}), async run() { throw new Error('lint exploded'); } });\n",
      'pipelines/implementation.yml':
        'phase: implementation\nsteps:\n  - { id: clone, module: clone }\n  - { id: lint, module: lint }\n',
    });
    const custom = dir.path;
    try {
      // The orchestrator checks the directory at its start; the session loads it again to run it.
      const w = await startWorld({ AI_IMPLEMENT_CUSTOM_DIR: custom }, { CUSTOM_DIR: custom });
      await mapping(w, {});
      const issue = await fileIssue(w);
      const [job] = await settle(w, issue.id, (js) => js.some(terminal));
      const reason = 'the step failed unexpectedly: lint exploded (step "lint", custom/steps/lint.step.mjs)';
      expect(job).toMatchObject({ phase: 'implementation', status: 'failed', error: reason });
      expect(headlines(await ticket(w, issue.id))).toContain(`⚠️ Implementation failed: ${reason}`);
      const steps = await w.call('GET', `/api/jobs/${job?.id}/steps`);
      const history = steps.body.steps as { id: string; status: string; output?: { error?: string } }[];
      expect(history.find((s) => s.id === 'clone' && s.status === 'succeeded')).toBeDefined();
      expect(history.find((s) => s.id === 'lint' && s.status === 'failed')?.output?.error).toBe(reason);
    } finally {
      await dir.remove();
    }
  });

  it('kills a run past maxJobMinutes and reports it', { timeout: 90_000 }, async () => {
    // A "minute" of 8 s for this run: the session's watchdog fires at 90% of it.
    const w = await startWorld({ AI_IMPLEMENT_MINUTE_MS: '8000' });
    await mapping(w, { maxJobMinutes: 1 }, { FAKE_AGENT_MODE: 'hang' });
    const issue = await fileIssue(w);
    const [job] = await settle(w, issue.id, (js) => js.some(terminal));
    const reason = 'Session exceeded maxJobMinutes (1 min) and was stopped';
    // The local session ran out of its lifetime: the spec's timed_out with reason container_timeout.
    expect(job).toMatchObject({ status: 'timed_out', timedOutReason: 'container_timeout', error: reason });
    const heads = headlines(await ticket(w, issue.id));
    expect(heads).toContain(`⚠️ Session timed out: ${reason}. Machine will be cleaned up.`);
    expect(heads).toContain(`⚠️ Implementation failed: ${reason}`);
    // The agent was killed with the run: no fake agent process is left hanging.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(FAKE_AGENT) && l.includes(w.dataDir));
    expect(left).toEqual([]);
  });
});
