import { afterEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../../../core/domain/model.js';
import { type RunnersHarness, startRunnersHarness } from './runners-harness.js';

let h: RunnersHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LOCKED = 'RUNNER_MODE env var is set; persisted to DB but has no effect at runtime until the env var is unset';

describe('GET/POST /api/runner-mode', () => {
  it('starts at default, and a stored mode becomes the mode the dispatcher uses', async () => {
    h = await startRunnersHarness({ fly: false });
    expect((await h.api('GET', '/api/runner-mode')).body).toEqual({
      mode: 'default',
      stored: null,
      effective: 'default',
      source: 'default',
      envLocked: false,
      env: null,
    });
    const set = await h.api('POST', '/api/runner-mode', { mode: 'local' });
    expect(set).toEqual({
      status: 200,
      body: { mode: 'local', stored: 'local', effective: 'local', source: 'stored', envLocked: false, env: null },
    });
    await h.createMapping({ executionMode: 'github-actions' });
    const mapping = (await h.orchestrator.cradle.storage.mappings.get('ENG')) as Mapping;
    expect(await h.orchestrator.cradle.runnerFor(mapping)).toBe('local');
    await h.api('POST', '/api/runner-mode', { mode: 'default' });
    expect(await h.orchestrator.cradle.runnerFor(mapping)).toBe('github-actions');
  });

  it.each([
    ['not JSON', '{mode:', 'Invalid request body'],
    ['a JSON array', '["gha"]', 'Invalid request body'],
    ['an unknown mode', '{"mode":"kubernetes"}', 'mode must be one of: default, gha, fly, local, shadow'],
    ['no mode', '{}', 'mode must be one of: default, gha, fly, local, shadow'],
    ['a mode of the wrong type', '{"mode":3}', 'mode must be one of: default, gha, fly, local, shadow'],
  ])('answers 400 for %s', async (_what, raw, error) => {
    h = await startRunnersHarness({ fly: false });
    const res = await h.api('POST', '/api/runner-mode', undefined, raw);
    expect(res).toEqual({ status: 400, body: { error } });
    expect((await h.api('GET', '/api/runner-mode')).body.stored).toBeNull();
  });

  it('answers 409 while RUNNER_MODE is set, but still saves the value', async () => {
    h = await startRunnersHarness({ fly: false, env: { RUNNER_MODE: 'shadow' } });
    const res = await h.api('POST', '/api/runner-mode', { mode: 'fly' });
    expect(res).toEqual({ status: 409, body: { error: LOCKED } });
    expect((await h.api('GET', '/api/runner-mode')).body).toEqual({
      mode: 'shadow',
      stored: 'fly',
      effective: 'shadow',
      source: 'env',
      envLocked: true,
      env: 'shadow',
    });
  });

  it('needs the admin token', async () => {
    h = await startRunnersHarness({ fly: false });
    const res = await h.call('POST', '/api/runner-mode', { body: { mode: 'gha' } });
    expect(res.status).toBe(401);
  });
});

describe('GET/POST /api/settings', () => {
  it('shows the stored value as the one in force when no env var is set, and saves at once', async () => {
    h = await startRunnersHarness({ fly: false });
    expect((await h.api('GET', '/api/settings')).body).toEqual({
      settings: {
        flySessionsApp: { runtime: null, stored: null, source: 'unset', envOverride: false, envVar: 'FLY_SESSIONS_APP' },
        flySessionsRegion: { runtime: null, stored: null, source: 'unset', envOverride: false, envVar: 'FLY_SESSIONS_REGION' },
      },
    });
    const saved = await h.api('POST', '/api/settings', { flySessionsApp: 'my-sessions', flySessionsRegion: 'ord' });
    expect(saved.status).toBe(200);
    expect(saved.body.settings).toMatchObject({
      flySessionsApp: { runtime: 'my-sessions', stored: 'my-sessions', source: 'stored', envOverride: false },
      flySessionsRegion: { runtime: 'ord', stored: 'ord', source: 'stored', envOverride: false },
    });
    const cleared = await h.api('POST', '/api/settings', { flySessionsRegion: null });
    expect(cleared.body.settings).toMatchObject({
      flySessionsApp: { runtime: 'my-sessions' },
      flySessionsRegion: { runtime: null, stored: null, source: 'unset' },
    });
  });

  it('says when the env var wins, with the runtime value beside the stored one', async () => {
    h = await startRunnersHarness({ fly: false, env: { FLY_SESSIONS_APP: 'env-app' } });
    const saved = await h.api('POST', '/api/settings', { flySessionsApp: 'db-app' });
    expect(saved.body.settings).toMatchObject({
      flySessionsApp: { runtime: 'env-app', stored: 'db-app', source: 'env', envOverride: true, envVar: 'FLY_SESSIONS_APP' },
    });
  });

  it.each([
    ['not JSON', 'nope', 'Invalid request body'],
    ['no known setting', '{"other":1}', 'Specify flySessionsApp or flySessionsRegion'],
    [
      'a bad app name',
      '{"flySessionsApp":"My App!"}',
      'flySessionsApp must be a Fly app name (lowercase letters, digits and dashes)',
    ],
    [
      'a bad region',
      '{"flySessionsRegion":"chicago"}',
      'flySessionsRegion must be a Fly region code (three lowercase letters, e.g. ord)',
    ],
  ])('answers 400 for %s and saves nothing', async (_what, raw, error) => {
    h = await startRunnersHarness({ fly: false });
    expect(await h.api('POST', '/api/settings', undefined, raw)).toEqual({ status: 400, body: { error } });
    expect((await h.api('GET', '/api/settings')).body.settings).toMatchObject({ flySessionsApp: { stored: null } });
  });
});
