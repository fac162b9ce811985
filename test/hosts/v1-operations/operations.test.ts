import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelCatalog } from '../../../adapters/models/model-catalog.js';
import { createFsWorkspacePool } from '../../../adapters/workspaces/fs-workspace-pool.js';
import { startFakeAnthropic } from '../../fakes/anthropic/fake-anthropic.js';
import { heldShadowRunner } from '../capturing-runner.js';
import { type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { getJson, localMapping, SHADOW, seedIssue } from '../v1/v1-helpers.js';

type Entry = { actor: string; action: string; detail?: Record<string, unknown> };
type Models = { providers: { provider: string; source: string; region?: string; models: { id: string }[]; note?: string }[] };

const cleanup: (() => unknown)[] = [];
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const fn of cleanup.splice(0)) await fn();
});

describe.each(STORAGE_KINDS)('models, workspaces, git context and audit on %s storage', (kind) => {
  it('GET /api/v1/models: the built-in list without a key, Anthropic’s list (every page) with the sessions’ key, cached', async () => {
    const fake = await startFakeAnthropic('sk-ant-test-key-123');
    cleanup.push(() => fake.close());
    h = await startHarness(kind, undefined, { modelCatalog: asValue(createModelCatalog({ anthropicBaseUrl: fake.url })) });
    const token = await h.login();
    const without = await getJson<Models>(h, token, '/api/v1/models');
    expect(without.providers).toEqual([
      expect.objectContaining({
        provider: 'anthropic',
        source: 'builtin',
        note: 'No ANTHROPIC_API_KEY secret configured: the built-in list',
      }),
    ]);
    expect(fake.keys).toEqual([]);

    expect(
      (await h.call('POST', '/api/v1/secrets/ANTHROPIC_API_KEY', { token, body: { value: 'sk-ant-test-key-123' } })).status,
    ).toBe(200);
    await localMapping(h, token, { provider: 'bedrock', awsRegion: 'eu-west-1' });
    const res = await h.call('GET', '/api/v1/models', { token });
    const text = await res.text();
    expect(text).not.toContain('sk-ant-test-key-123');
    const models = JSON.parse(text) as Models;
    expect(models.providers[0], models.providers[0]?.note).toMatchObject({ provider: 'anthropic', source: 'api' });
    expect(models.providers[0]?.models.map((m) => m.id)).toEqual([
      'claude-fake-large-1',
      'claude-fake-small-1',
      'claude-fake-tiny-1',
    ]);
    expect(models.providers[1]).toMatchObject({ provider: 'bedrock', region: 'eu-west-1', source: 'builtin' });
    expect(fake.keys).toEqual(['sk-ant-test-key-123', 'sk-ant-test-key-123']);
    await getJson(h, token, '/api/v1/models');
    expect(fake.keys).toHaveLength(2);
  });

  it('GET /api/v1/models: a key the API refuses falls back to the built-in list and says why', async () => {
    const fake = await startFakeAnthropic('another-key');
    cleanup.push(() => fake.close());
    h = await startHarness(kind, undefined, { modelCatalog: asValue(createModelCatalog({ anthropicBaseUrl: fake.url })) });
    const token = await h.login();
    await h.call('POST', '/api/v1/secrets/ANTHROPIC_API_KEY', { token, body: { value: 'sk-ant-wrong' } });
    const models = await getJson<Models>(h, token, '/api/v1/models');
    expect(models.providers[0]).toMatchObject({ source: 'builtin' });
    expect(models.providers[0]?.note).toMatch(/^Anthropic’s model list failed \(401/);
  });

  it('GET|DELETE /api/v1/workspaces: disk usage, owner, in use while a run is in flight; 404 and 409', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ai-implement-ws-root-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    h = await startHarness(kind, SHADOW, { ...heldShadowRunner(), workspacePool: asValue(createFsWorkspacePool(root)) });
    const token = await h.login();
    await localMapping(h, token);
    const issue = await seedIssue(h, { title: 'busy', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const busy = `ai-implement-${issue.identifier}-abc123`;
    mkdirSync(join(root, busy, 'repo'), { recursive: true });
    writeFileSync(join(root, busy, 'repo', 'file.txt'), 'x'.repeat(1000));
    mkdirSync(join(root, 'ai-implement-OLD-7-zz9yx8'));
    writeFileSync(join(root, 'ai-implement-OLD-7-zz9yx8', 'a'), 'y'.repeat(300));
    mkdirSync(join(root, 'unrelated-dir'));

    const list = await getJson<{ workspaces: Record<string, unknown>[]; totalBytes: number }>(h, token, '/api/v1/workspaces');
    expect(list.workspaces.map((w) => w.key).sort()).toEqual([busy, 'ai-implement-OLD-7-zz9yx8']);
    const held = list.workspaces.find((w) => w.key === busy);
    expect(held).toMatchObject({ identifier: issue.identifier, teamKey: 'LOC', inUse: true });
    expect(held?.sizeBytes).toBeGreaterThanOrEqual(1000);
    expect(list.totalBytes).toBeGreaterThanOrEqual(1300);

    const conflict = await h.call('DELETE', `/api/v1/workspaces/${busy}`, { token });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: string }).error).toMatch(
      new RegExp(`^Workspace in use by ${issue.identifier} \\(job .+\\)$`),
    );
    for (const key of ['nope', 'unrelated-dir']) {
      const missing = await h.call('DELETE', `/api/v1/workspaces/${key}`, { token });
      expect(missing.status, key).toBe(404);
      expect(await missing.json()).toEqual({ error: 'Workspace not found' });
    }
    const freed = await h.call('DELETE', '/api/v1/workspaces/ai-implement-OLD-7-zz9yx8', { token });
    expect(freed.status).toBe(200);
    expect(await freed.json()).toMatchObject({ deleted: true, key: 'ai-implement-OLD-7-zz9yx8' });
    expect((await getJson<{ workspaces: unknown[] }>(h, token, '/api/v1/workspaces')).workspaces).toHaveLength(1);
    const audit = await getJson<{ entries: { action: string; target: string }[] }>(h, token, '/api/v1/audit?action=workspace');
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'workspace.deleted', target: 'ai-implement-OLD-7-zz9yx8' }),
    ]);
  });

  it('the retention sweep frees workspaces unused for three days, never one in use', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ai-implement-ws-sweep-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    h = await startHarness(kind, SHADOW, { ...heldShadowRunner(), workspacePool: asValue(createFsWorkspacePool(root)) });
    const token = await h.login();
    await localMapping(h, token);
    const issue = await seedIssue(h, { title: 'busy', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const fourDaysAgo = new Date(h.clock.now() - 4 * 24 * 60 * 60_000);
    const now = new Date(h.clock.now());
    for (const key of [`ai-implement-${issue.identifier}-aaaaaa`, 'ai-implement-OLD-1-bbbbbb', 'ai-implement-NEW-2-cccccc']) {
      mkdirSync(join(root, key));
      writeFileSync(join(root, key, 'f'), 'z'.repeat(100));
      const at = key.includes('NEW') ? now : fourDaysAgo;
      utimesSync(join(root, key, 'f'), at, at);
      utimesSync(join(root, key), at, at);
    }
    const swept = await h.orchestrator.cradle.workspaceSweep.run();
    expect(swept).toMatchObject({ freed: ['ai-implement-OLD-1-bbbbbb'] });
    const left = await getJson<{ workspaces: { key: string }[] }>(h, token, '/api/v1/workspaces');
    expect(left.workspaces.map((w) => w.key).sort()).toEqual([
      `ai-implement-${issue.identifier}-aaaaaa`,
      'ai-implement-NEW-2-cccccc',
    ]);
    const audit = await getJson<{ entries: Entry[] }>(h, token, '/api/v1/audit?action=workspace.swept');
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: 'orchestrator',
        detail: expect.objectContaining({ keys: ['ai-implement-OLD-1-bbbbbb'] }),
      }),
    ]);
  });

  it('GET /api/v1/git/context: per mapping the remote, branches, prefix and routing; the bot’s branch in flight', async () => {
    h = await startHarness(kind, SHADOW, heldShadowRunner());
    const token = await h.login();
    expect(await getJson(h, token, '/api/v1/git/context')).toEqual({ repositories: [] });
    await localMapping(h, token, { branchPrefix: 'bot/' });
    const issue = await seedIssue(h, { title: 'route me', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    const context = await getJson<{ repositories: Record<string, unknown>[] }>(h, token, '/api/v1/git/context');
    expect(context.repositories).toEqual([
      expect.objectContaining({
        teamKey: 'LOC',
        repository: 'acme/app',
        remote: 'https://github.com/acme/app.git',
        defaultBranch: 'main',
        branchPrefix: 'bot/',
        routing: { ticketing: 'local', team: 'LOC', jql: null, repoFieldValue: null, paused: false },
        branches: [expect.objectContaining({ name: `bot/${issue.identifier}`, identifier: issue.identifier })],
        pullRequests: [],
      }),
    ]);
  });

  it('GET /api/v1/audit: operator actions and dispatch decisions, newest first, paged and filtered; bad paging is 400', async () => {
    h = await startHarness(kind, SHADOW, heldShadowRunner());
    const token = await h.login();
    await localMapping(h, token);
    await seedIssue(h, { title: 'audit me', labels: ['AI-Implement'] });
    await h.orchestrator.cradle.reconcile.request();
    // The dispatch's entry comes from the event bus: stored before the overlay changes that follow.
    await h.orchestrator.cradle.audit.idle();
    for (const ms of ['1000', '2000', '3000']) {
      h.clock.advance(1000);
      await h.call('PUT', '/api/v1/config/overlay', { token, body: { POLL_INTERVAL_MS: ms === '1000' ? '10000' : `${ms}0` } });
    }
    await h.orchestrator.cradle.audit.idle();
    const all = await getJson<{ entries: { action: string; actor: string; at: number }[]; total: number; retention: number }>(
      h,
      token,
      '/api/v1/audit',
    );
    expect(all.retention).toBe(5000);
    expect(all.entries.map((e) => e.action)).toEqual([
      'config.overlay_replaced',
      'config.overlay_replaced',
      'config.overlay_replaced',
      'dispatch.created',
      'mapping.created',
      'auth.signed_in',
    ]);
    expect(all.total).toBe(6);
    const page = await getJson<{ entries: { action: string }[]; total: number; limit: number; offset: number }>(
      h,
      token,
      '/api/v1/audit?limit=2&offset=2',
    );
    expect(page).toMatchObject({ total: 6, limit: 2, offset: 2 });
    expect(page.entries.map((e) => e.action)).toEqual(['config.overlay_replaced', 'dispatch.created']);
    const byActor = await getJson<{ entries: { action: string; teamKey?: string }[] }>(
      h,
      token,
      '/api/v1/audit?actor=orchestrator',
    );
    expect(byActor.entries).toEqual([expect.objectContaining({ action: 'dispatch.created', teamKey: 'LOC' })]);
    expect((await getJson<{ total: number }>(h, token, '/api/v1/audit?teamKey=LOC')).total).toBe(2);
    expect(
      (await getJson<{ total: number }>(h, token, `/api/v1/audit?since=${new Date(all.entries[0]?.at ?? 0).toISOString()}`))
        .total,
    ).toBe(1);

    for (const [query, error] of [
      ['limit=0', 'limit must be an integer from 1 to 500'],
      ['limit=501', 'limit must be an integer from 1 to 500'],
      ['limit=abc', 'limit must be an integer from 1 to 500'],
      ['offset=-1', 'offset must be an integer from 0 to 9007199254740991'],
      ['actor=robot', 'actor must be operator or orchestrator'],
      ['since=yesterday-ish', 'since must be epoch milliseconds or an ISO 8601 time'],
    ]) {
      const res = await h.call('GET', `/api/v1/audit?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
  });
});

describe('route precedence', () => {
  it('the new static /api/v1 paths are not taken for issue identifiers', async () => {
    h = await startHarness();
    const token = await h.login();
    for (const path of ['/api/v1/models', '/api/v1/config', '/api/v1/templates', '/api/v1/workspaces', '/api/v1/audit']) {
      const res = await h.call('GET', path, { token });
      expect(res.status, path).toBe(200);
    }
    for (const path of ['/api/v1/config/schema', '/api/v1/config/overlay', '/api/v1/git/context']) {
      expect((await h.call('GET', path, { token })).status, path).toBe(200);
    }
    expect((await h.call('GET', '/api/v1/NOPE-1', { token })).status).toBe(404);
  });
});
