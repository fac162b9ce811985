/**
 * ARCHITECTURE "Teams embedding the core": from the library entry alone, an embedder brings
 * adapters of their own — here a tracker (the Ticketing port, as `linear`) and a runner (the
 * Runner port, as `local`) — through `createCore(deps, settings, overrides)`, reconciles,
 * sees the dispatch reach their runner with its callback tokens, takes the run's result back
 * through the core's callback use case, and disposes.
 */
import { okAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  asValue,
  type Core,
  createCore,
  loadConfig,
  type Mapping,
  PluginLoadError,
  type RunLaunch,
  type Runner,
  type Stage,
  type TicketIssue,
  type Ticketing,
} from '../../index.js';
import { customDir } from '../plugins/custom-dir.js';

const SECRET = 'embedding-test-runner-secret-0123456789';
const quiet = { info() {}, warn() {}, error() {} };

function ownTracker() {
  const issue: TicketIssue = {
    id: 'own-1',
    identifier: 'OWN-1',
    teamKey: 'OWN',
    title: 'Add a health check',
    url: 'https://tracker.example/OWN-1',
    priority: 2,
    createdAt: 0,
    stage: 'triggered',
    labels: ['AI-Implement'],
    blockedBy: [],
  };
  const moves: Stage[] = [];
  const comments: string[] = [];
  const ticketing: Ticketing = {
    kind: 'linear',
    listCandidates: (mapping: Mapping) => okAsync(mapping.teamKey === 'OWN' ? [issue] : []),
    getIssue: () => okAsync(issue),
    moveToStage: (_issue, stage) => {
      moves.push(stage);
      issue.stage = stage;
      return okAsync(undefined);
    },
    comment: (_id, body) => {
      comments.push(body);
      return okAsync(undefined);
    },
  };
  return { ticketing, moves, comments };
}

function ownRunner() {
  const launches: RunLaunch[] = [];
  const runner: Runner = {
    kind: 'local',
    launch: (run) => {
      launches.push(run);
      return okAsync({ handle: `own-${launches.length}` });
    },
    listSessions: () => okAsync([]),
    destroy: () => okAsync(undefined),
    observe: () => okAsync({ state: 'alive' }),
  };
  return { runner, launches };
}

let core: Core | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

describe('createCore with adapters of the embedder', () => {
  it('dispatches from their tracker to their runner and takes the result back through the callback use case', async () => {
    const tracker = ownTracker();
    const runner = ownRunner();
    const settings = loadConfig({ STORAGE_URL: 'memory:', RUNNER_MODE: 'local', RUNNER_TOKEN_SECRET: SECRET })._unsafeUnwrap();
    core = await createCore({ logger: quiet }, settings, {
      ticketingRegistry: asValue({ get: (kind) => (kind === 'linear' ? tracker.ticketing : undefined), kinds: () => ['linear'] }),
      runnerRegistry: asValue({
        get: (kind) => (kind === 'local' ? runner.runner : undefined),
        kinds: () => ['local'],
        describeMissing: (kind) => `${kind} is not offered here`,
      }),
    });
    const { mappings, reconcile, storage, runTokens, runCallbacks } = core.cradle;
    const saved = await mappings.save({ teamKey: 'OWN', ticketing: 'linear', owner: 'acme', repo: 'app', defaultBranch: 'main' });
    expect(saved.isOk()).toBe(true);

    await reconcile.request();
    expect(runner.launches).toHaveLength(1);
    const launch = runner.launches[0] as RunLaunch;
    expect(launch.job).toMatchObject({ identifier: 'OWN-1', phase: 'planning', runner: 'local' });
    expect(tracker.moves).toContain('planning');

    const claims = runTokens.verify(`Bearer ${launch.env.AI_IMPLEMENT_RESULT_TOKEN}`, '/runner/result')._unsafeUnwrap();
    const result = await runCallbacks.result(claims, { phase: 'planning', outcome: 'success', comments: [], plan: 'Do it.' });
    expect(result._unsafeUnwrap()).toMatchObject({ ok: true, jobId: launch.job.id, status: 'completed' });
    expect((await storage.jobs.get(launch.job.id))?.status).toBe('completed');
    expect(tracker.moves).toContain('plan_complete');
  });

  it('keeps a port passed in deps over an override of the same key', async () => {
    const settings = loadConfig({ STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow' })._unsafeUnwrap();
    const mine = { info() {}, warn() {}, error() {} };
    core = await createCore({ logger: mine }, settings, { logger: asValue({ ...quiet }) });
    expect(core.cradle.logger).toBe(mine);
  });
});

describe('createCore with a broken custom directory', () => {
  it('rejects with the PluginLoadError of the library entry, listing each file and its problem', async () => {
    const dir = await customDir({ 'steps/lint.step.mjs': 'export const lint = 1;\n' });
    try {
      const settings = loadConfig({ STORAGE_URL: 'memory:', RUNNER_MODE: 'shadow', CUSTOM_DIR: dir.path })._unsafeUnwrap();
      const error = await createCore({ logger: quiet }, settings).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PluginLoadError);
      expect((error as PluginLoadError).problems).toEqual([
        { file: 'custom/steps/lint.step.mjs', problem: expect.stringContaining('its default export is not a step') },
      ]);
    } finally {
      await dir.remove();
    }
  });
});
