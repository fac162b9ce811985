import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asValue } from 'awilix';
import { toNodeHandler } from 'h3/node';
import { okAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge, localForgeRoot } from '../../adapters/forge/local/local-forge.adapter.js';
import { workflowInputs } from '../../adapters/runners/github-actions/workflow-inputs.js';
import { findBwrap } from '../../adapters/sandbox/bwrap.sandbox.js';
import { createRunnerRegistry } from '../../core/app/dispatch/runner-registry.js';
import type { Job } from '../../core/domain/model.js';
import { loadConfig } from '../../hosts/config.js';
import { createOrchestrator, type Orchestrator } from '../../hosts/container.js';
import { createLogger, secretValues } from '../../hosts/logger.js';
import { WORKFLOW_INPUTS } from '../../plugins/workflow-templates/workflow-templates.js';
import type { RunLaunch, Runner } from '../../ports/runner.port.js';
import { TARGET_FILES } from '../session/session-fixture.js';
import { type JobPlay, parseWorkflow, playJob } from './actions-job-player.js';

/**
 * The GitHub Actions path, played on this machine: the orchestrator syncs its workflow
 * templates into the repository (the local forge), a ticket is dispatched, and the dispatch's
 * inputs — exactly what the GitHub Actions runner would send (`workflowInputs`) — start a play
 * of the synced workflow's `session` job: its credential step, then the bundle download from the
 * orchestrator over loopback with the progress token and the SHA-256 check, then `node` on the
 * downloaded bundle, which clones, runs the (stand-in) agent in bubblewrap, verifies, pushes and
 * opens the pull request. Not played: `actions/setup-node` (this machine has node), the apt and
 * npm installs (they need the internet; bwrap is installed here).
 */

const FAKE_AGENT = fileURLToPath(new URL('../fakes/agent/fake-agent.mjs', import.meta.url));
const AGENT_COMMAND = [process.execPath, FAKE_AGENT, '-p', '{prompt}', '--model', '{model}', '--max-turns', '{maxTurns}'];
const ACCESS_CODE = 'actions job access code, long enough';
const RUNNER_SECRET = 'actions-job-runner-token-secret-0123456789';
const ANTHROPIC_KEY = 'sk-ant-actions-job-test-key';
const GITHUB_TOKEN = 'ghs_actions_job_workflow_token';

interface World {
  orchestrator: Orchestrator;
  url: string;
  dir: string;
  bareRepo: string;
  admin: string;
  plays: Promise<JobPlay>[];
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

let world: World | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.allSettled(world?.plays ?? []);
  await world?.orchestrator.dispose();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  if (world) await rm(world.dir, { recursive: true, force: true });
  world = undefined;
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A runner that does what GitHub does with a `workflow_dispatch`: takes the inputs the GitHub
 * Actions runner adapter would send and runs the synced workflow's job with them.
 */
function actionsRunner(play: (run: RunLaunch, inputs: Record<string, string>) => Promise<JobPlay>, plays: Promise<JobPlay>[]) {
  const live = new Set<string>();
  const runner: Runner = {
    kind: 'local',
    launch(run) {
      live.add(run.job.id);
      const played = play(run, workflowInputs(WORKFLOW_INPUTS, run.job, run.env));
      plays.push(played);
      played.finally(() => live.delete(run.job.id)).catch(() => undefined);
      return okAsync({ handle: run.job.id });
    },
    listSessions: () => okAsync([]),
    destroy: () => okAsync(undefined),
    // A played job that ended without a result is the test's to judge, not the run watcher's.
    observe: (job) => okAsync(live.has(job.id) ? { state: 'alive' } : { state: 'waiting' }),
  };
  return runner;
}

async function startWorld(options: { callbackUrl?: (orchestratorUrl: string) => Promise<string> } = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'ai-implement-actions-'));
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const url = await listen((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  const dataDir = join(dir, 'data');
  const config = loadConfig({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    RUNNER_TOKEN_SECRET: RUNNER_SECRET,
    RUNNER_MODE: 'local',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    STORAGE_URL: 'memory:',
    POLL_INTERVAL_MS: '600000',
  })._unsafeUnwrap();
  const bareRepo = join(localForgeRoot(dataDir), 'acme', 'app.git');
  const agentLogDir = join(dir, 'agent-log');
  await mkdir(agentLogDir);
  const plays: Promise<JobPlay>[] = [];
  let orchestrator: Orchestrator | undefined;

  const play = async (run: RunLaunch, inputs: Record<string, string>) => {
    const workflowText = git(bareRepo, 'show', `main:.github/workflows/${run.mapping.workflowFile}`);
    const callbackUrl = options.callbackUrl ? await options.callbackUrl(inputs.callback_url ?? '') : inputs.callback_url;
    return playJob({
      workflow: parseWorkflow(workflowText),
      job: 'session',
      inputs: { ...inputs, callback_url: callbackUrl ?? '' },
      secrets: { ANTHROPIC_API_KEY: ANTHROPIC_KEY },
      githubToken: GITHUB_TOKEN,
      dir: await mkdtemp(join(dir, 'job-')),
      skip: ['sandbox', 'agent-cli'],
      runnerEnv: { GITHUB_REPOSITORY: 'acme/app', GITHUB_REF_NAME: 'main' },
      // The local forge instead of github.com, and the stand-in agent instead of claude.
      stepEnv: {
        session: {
          AI_IMPLEMENT_FORGE: 'local',
          AI_IMPLEMENT_REPO_URL: bareRepo,
          AI_IMPLEMENT_AGENT_COMMAND: JSON.stringify(AGENT_COMMAND),
          AI_IMPLEMENT_WORKSPACE_DIR: join(dir, 'workspaces'),
          AI_IMPLEMENT_SANDBOX_READ_ONLY: dirname(FAKE_AGENT),
          AI_IMPLEMENT_SANDBOX_READ_WRITE: agentLogDir,
          FAKE_AGENT_LOG: join(agentLogDir, 'agent.log'),
        },
      },
    });
  };
  const logs: string[] = [];
  orchestrator = await createOrchestrator(config, {
    logger: asValue(createLogger({ secrets: secretValues(config), write: (line) => logs.push(line) })),
    runnerRegistry: asValue(createRunnerRegistry({ local: actionsRunner(play, plays) })),
  });
  handler = toNodeHandler(orchestrator.app);

  const forge = createLocalForge({ root: localForgeRoot(dataDir) });
  (await forge.createRepository({ owner: 'acme', repo: 'app' }, 'main', TARGET_FILES))._unsafeUnwrap();
  await forge.close();

  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await orchestrator!.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const admin = (await request('POST', '/api/auth', { code: ACCESS_CODE })).body.token as string;
  world = { orchestrator, url, dir, bareRepo, admin, plays, call: (m, p, b) => request(m, p, b, admin) };

  const saved = await world.call('POST', '/api/mappings', {
    teamKey: 'LOC',
    ticketing: 'local',
    forge: 'local',
    owner: 'acme',
    repo: 'app',
    defaultBranch: 'main',
    planningEnabled: false,
    // Caps and a budget the session must receive through the run_caps input.
    maxTurns: 17,
    maxCostUsd: 50,
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const synced = await world.call('POST', '/api/mappings/LOC/sync-workflows');
  expect(synced.status, JSON.stringify(synced.body)).toBe(200);
  return world;
}

const git = (bare: string, ...args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' });

async function dispatchOne(w: World): Promise<{ job: Job; play: JobPlay }> {
  const created = await w.call('POST', '/api/tracker/issues', {
    teamKey: 'LOC',
    title: 'Add a change file',
    description: 'Write AGENT_CHANGE.md so the verify script passes.',
    labels: ['AI-Implement'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // Filing the labelled issue asks for a reconcile; this one makes sure it ran.
  await w.orchestrator.cradle.reconcile.request();
  for (let i = 0; i < 100 && w.plays.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(w.plays).toHaveLength(1);
  const play = await w.plays[0]!;
  const jobs = await w.orchestrator.cradle.storage.jobs.list();
  return { job: jobs[0]!, play };
}

const step = (play: JobPlay, id: string) => play.steps.find((s) => s.id === id)!;

describe('the GitHub Actions session job, played against a running orchestrator', () => {
  it('downloads the pinned bundle with the progress token, verifies it, and the session opens the PR', {
    timeout: 150_000,
  }, async () => {
    expect(findBwrap(process.env.PATH), 'bubblewrap (bwrap) must be installed for this test').toBeTruthy();
    // What a GitHub-hosted runner has and the job's scripts use.
    for (const tool of ['jq', 'curl', 'sha256sum', 'bash', 'git'])
      expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} must be installed for this test`).toBe(0);
    const w = await startWorld();
    const workflowText = git(w.bareRepo, 'show', 'main:.github/workflows/claude-implement.yml');
    const bundle = w.orchestrator.cradle.sessionBundle.current()!;
    expect(workflowText).toContain(`AI_IMPLEMENT_SESSION_SHA256: ${bundle.sha256}`);

    const { job, play } = await dispatchOne(w);
    expect(play.steps.map((s) => [s.id, s.outcome])).toEqual([
      ['credentials', 'success'],
      ['sandbox', 'skipped'],
      ['node', 'skipped'],
      ['agent-cli', 'skipped'],
      ['bundle', 'success'],
      ['session', 'success'],
      ['refused', 'skipped'],
    ]);
    expect(step(play, 'bundle').output).toContain(`Session bundle ${bundle.sha256} verified`);

    // The three credentials were masked first, and left the event payload for a file the session deleted.
    const credentials = await w.orchestrator.cradle.runTokens.credentialValues(job.id);
    expect(credentials).toHaveLength(3);
    expect([...play.masks].sort()).toEqual([...credentials].sort());
    for (const value of credentials) expect(play.eventAfter).not.toContain(value);
    expect(JSON.parse(play.eventAfter).inputs.job_id).toBe(job.id);
    expect(existsSync(join(play.runnerTemp, 'ai-implement-credentials.json')), 'the session deletes the file').toBe(false);

    const done = await w.orchestrator.cradle.storage.jobs.get(job.id);
    expect(done?.status, step(play, 'session').output).toBe('completed');
    expect(done?.prUrl).toBe(`${w.url}/local-forge/acme/app/pull/1`);
    expect(git(w.bareRepo, 'show', `ai-implement/${job.identifier}:AGENT_CHANGE.md`)).toBeTruthy();

    // The mapping's caps and budget reached the session through the run_caps input.
    const caps = JSON.parse(JSON.parse(play.eventAfter).inputs.run_caps ?? '{}');
    expect(caps).toMatchObject({ AI_IMPLEMENT_MAX_TURNS: '17', AI_IMPLEMENT_MAX_COST_USD: '50' });
    const agentRuns = (await readFile(join(w.dir, 'agent-log', 'agent.log'), 'utf8')).trim().split('\n');
    const argv = JSON.parse(agentRuns[0] ?? '{}').argv as string[];
    expect(argv[argv.indexOf('--max-turns') + 1]).toBe('17');
  });

  it('refuses a bundle that is not the pinned one, runs nothing of it, and tells the orchestrator why', {
    timeout: 90_000,
  }, async () => {
    // A man in the middle between the job and the orchestrator: it passes every call on, but
    // serves an altered bundle (with a matching hash header, which the job does not trust).
    let tamperedServed = 0;
    const marker = join(tmpdir(), `ai-implement-tampered-${process.pid}-${Date.now()}`);
    const w = await startWorld({
      callbackUrl: async (orchestratorUrl) =>
        listen(async (req, res) => {
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          const upstream = await fetch(`${orchestratorUrl}${req.url}`, {
            method: req.method ?? 'GET',
            headers: {
              authorization: req.headers.authorization ?? '',
              ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
            },
            ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          });
          let body = Buffer.from(await upstream.arrayBuffer());
          const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? '' };
          if (req.url === '/runner/session-bundle' && upstream.status === 200) {
            tamperedServed++;
            body = Buffer.concat([
              Buffer.from(`import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');\n`),
              body,
            ]);
            headers['x-session-bundle-sha256'] = createHash('sha256').update(body).digest('hex');
          }
          res.writeHead(upstream.status, headers).end(body);
        }),
    });
    const { job, play } = await dispatchOne(w);
    expect(tamperedServed).toBe(1);
    expect(play.steps.map((s) => [s.id, s.outcome])).toEqual([
      ['credentials', 'success'],
      ['sandbox', 'skipped'],
      ['node', 'skipped'],
      ['agent-cli', 'skipped'],
      ['bundle', 'failure'],
      ['session', 'skipped'],
      ['refused', 'success'],
    ]);
    expect(step(play, 'bundle').output).toContain('Refused the session bundle');
    expect(existsSync(marker)).toBe(false);
    // The session never started; the job says why, and what to do.
    const failed = await w.orchestrator.cradle.storage.jobs.get(job.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toContain('sync the workflow templates again');
    expect(existsSync(join(play.runnerTemp, 'ai-implement-credentials.json'))).toBe(false);
  });
});
