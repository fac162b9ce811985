import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS, V1_ENDPOINTS } from './endpoints.js';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';
import { waitFor } from './world.js';

/**
 * v1-api-state-issues-config.txt through the real server: every table's endpoint answers with
 * the fields its description names, the examples of the page work as written, and the OpenAPI
 * 3.0 document lists every endpoint of both API pages. Issues live on the embedded tracker; runs
 * are dry runs (shadow), so nothing leaves the machine.
 */

const SECRET_VALUE = 'conformance-v1-secret-value-7e21aa';
const WORKSPACE = 'ai-implement-ENG-123-abcdef';

let s: ServerProcess;
let workspaceDir: string;
let issue: string;
beforeAll(async () => {
  // The workspaces listed and removed are this directory's only (never the shared temp dir).
  workspaceDir = mkdtempSync(join(tmpdir(), 'conformance-workspaces-'));
  s = await startServerProcess({
    ADMIN_ACCESS_CODE: ACCESS_CODE,
    STORAGE_URL: 'memory:',
    RUNNER_MODE: 'shadow',
    POLL_INTERVAL_MS: '3600000',
    AI_IMPLEMENT_WORKSPACE_DIR: workspaceDir,
  });
  s.neverReveal(SECRET_VALUE);
  const mapping = await s.call('POST', '/api/mappings', {
    token: true,
    body: { teamKey: 'LOC', ticketing: 'local', owner: 'acme', repo: 'app', defaultBranch: 'main', planningEnabled: false },
  });
  expect(mapping.status, mapping.text).toBe(200);
  const created = await s.call('POST', '/api/tracker/issues', {
    token: true,
    body: { teamKey: 'LOC', title: 'v1 surface', labels: ['AI-Implement'] },
  });
  expect(created.status, created.text).toBe(201);
  issue = (created.body.issue as { identifier: string }).identifier;
}, 60_000);
afterAll(async () => {
  await s?.close();
  rmSync(workspaceDir, { recursive: true, force: true });
});

const get = (path: string) => s.call('GET', path, { token: true });

describe('State & Metrics, Configuration, Secrets, Templates, Workspaces & Git, Audit: each GET answers what its row names', () => {
  it.each([
    ['/api/v1/state', ['queued', 'running', 'completed', 'tokens']],
    ['/api/v1/runtime', ['version', 'dataDir', 'features']],
    ['/api/v1/transitions', ['issues']],
    ['/api/v1/models', ['providers']],
    ['/api/v1/config', ['config']],
    ['/api/v1/config/schema', ['type', 'properties', 'examples']],
    ['/api/v1/config/overlay', ['overlay']],
    ['/api/v1/secrets', ['keys']],
    ['/api/v1/templates', ['templates']],
    ['/api/v1/workspaces', ['workspaces']],
    ['/api/v1/git/context', ['repositories']],
    ['/api/v1/audit?limit=50&offset=0', ['entries', 'total', 'limit', 'offset']],
  ])('GET %s → 200 JSON with %j', async (path, fields) => {
    const res = await get(path);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    for (const field of fields) expect(res.body, field).toHaveProperty(field);
  });

  it('GET /api/v1/git/context: per mapped repository its remote, branches and routing rule', async () => {
    const repos = (await get('/api/v1/git/context')).body.repositories as Record<string, unknown>[];
    const loc = repos.find((r) => r.teamKey === 'LOC');
    expect(loc).toMatchObject({ remote: expect.any(String), branches: expect.any(Array), routing: expect.any(Object) });
  });

  it('GET /api/v1/audit?limit=50&offset=0 pages as asked', async () => {
    const res = await get('/api/v1/audit?limit=50&offset=0');
    expect(res.body).toMatchObject({ limit: 50, offset: 0 });
    expect((res.body.entries as unknown[]).length).toBeLessThanOrEqual(50);
  });

  it('GET /metrics: Prometheus text, without a token', async () => {
    const res = await s.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# (HELP|TYPE) /m);
  });

  it('GET /api/v1/events: an SSE stream', async () => {
    const res = await fetch(`${s.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${await s.adminToken()}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/event-stream/);
    await res.body?.cancel();
  });
});

describe('Docs & Spec', () => {
  it('GET /api/v1/openapi.json: an OpenAPI 3.0 document with an info object', async () => {
    const res = await get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(String(res.body.openapi)).toMatch(/^3\.0\.\d+$/);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it('the document lists every endpoint of the admin API reference and of the v1 page', async () => {
    const paths = (await get('/api/v1/openapi.json')).body.paths as Record<string, Record<string, unknown>>;
    // The example parameters back to the document's templates.
    const template = (path: string) =>
      (path.split('?')[0] ?? '')
        .replace(/^\/api\/mappings\/ENG/, '/api/mappings/{teamKey}')
        .replace(/secrets\/MY_TOKEN$/, 'secrets/{name}')
        .replace(/^\/api\/v1\/secrets\/\{name\}$/, '/api/v1/secrets/{key}')
        .replace(/^\/api\/jobs\/job-1/, '/api/jobs/{jobId}')
        .replace(/^\/api\/sessions\/machine-1$/, '/api/sessions/{machineId}')
        .replace(/^\/api\/dedup\/issue-1$/, '/api/dedup/{issueId}')
        .replace(/^\/api\/v1\/ENG-123/, '/api/v1/{id}')
        .replace(/^\/api\/v1\/attempts\/attempt-1$/, '/api/v1/attempts/{aid}')
        .replace(/^\/api\/v1\/config\/overlay\/POLL_INTERVAL_MS$/, '/api/v1/config/overlay/{path}')
        .replace(/^\/api\/v1\/templates\/(builtin-planning|my-template)/, '/api/v1/templates/{id}')
        .replace(/^\/api\/v1\/workspaces\/.+$/, '/api/v1/workspaces/{key}');
    const outside: [string, string][] = [
      ['POST', '/api/auth'],
      ['GET', '/metrics'],
      ['POST', '/webhooks/linear'],
      ['GET', '/api/docs'],
      ['POST', '/runner/result'],
      ['POST', '/runner/progress'],
      ['POST', '/api/github/webhook'],
      ['POST', '/trigger/gap-fill'],
    ];
    const missing = [...ADMIN_ENDPOINTS, ...V1_ENDPOINTS, ...outside]
      .map(([method, path]) => [method.toLowerCase(), template(path)] as const)
      .filter(([method, path]) => !paths[path]?.[method])
      .map(([method, path]) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
  });

  it('GET /api/docs: the interactive explorer page', async () => {
    const res = await s.call('GET', '/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
  });
});

describe('Issue Management and Attempts, with the page’s examples', () => {
  it('GET /api/v1/:id: issue detail with recent events and attempts', async () => {
    const res = await get(`/api/v1/${issue}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ identifier: issue, recentEvents: expect.any(Array), attempts: expect.any(Array) });
  });

  it.each(['o4-mini', 'gpt-4.1'])('POST /api/v1/:id/model {"model": "%s"} sets the per-issue model override', async (model) => {
    const res = await s.call('POST', `/api/v1/${issue}/model`, { token: true, body: { model } });
    expect(res.status, res.text).toBe(200);
    expect((await get(`/api/v1/${issue}`)).body.overrides).toMatchObject({ model });
  });

  it('POST then DELETE /api/v1/:id/template sets and clears the template override', async () => {
    const set = await s.call('POST', `/api/v1/${issue}/template`, { token: true, body: { template: 'Do {{ issue.title }}' } });
    expect(set.status, set.text).toBe(200);
    expect((await get(`/api/v1/${issue}`)).body.overrides).toMatchObject({ template: 'Do {{ issue.title }}' });
    expect((await s.call('DELETE', `/api/v1/${issue}/template`, { token: true })).status).toBe(200);
    expect((await get(`/api/v1/${issue}`)).body.overrides).toMatchObject({ template: null });
  });

  it('POST /api/v1/:id/steer with nothing running is refused with an error field', async () => {
    const res = await s.call('POST', `/api/v1/${issue}/steer`, {
      token: true,
      body: { message: 'Focus on the auth module first, skip the tests for now.' },
    });
    expect(res.status).toBe(409);
    expect(typeof res.body.error).toBe('string');
  });

  it('POST /api/v1/:id/transition moves the issue as GET /api/v1/transitions offers; attempts list and detail follow', async () => {
    type Row = { identifier: string; inFlightJobId: string | null; transitions: { to: string; manual: boolean }[] };
    const attemptsOf = async () => ((await get(`/api/v1/${issue}/attempts`)).body.attempts ?? []) as { id: string }[];
    expect((await s.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
    // The dry run's attempt ends at once; with nothing in flight the issue is back at Triggered.
    await waitFor(async () => ((await attemptsOf()).length > 0 ? true : undefined), `the first attempt of ${issue}`);
    const offered = await waitFor(async () => {
      const rows = (await get('/api/v1/transitions')).body.issues as Row[];
      const row = rows.find((r) => r.identifier === issue);
      return row && row.inFlightJobId === null ? row.transitions.find((t) => t.manual) : undefined;
    }, `a manual transition of ${issue}`);
    const before = (await attemptsOf()).length;
    const moved = await s.call('POST', `/api/v1/${issue}/transition`, {
      token: true,
      body: { to: offered.to, reason: 'Retry after fix' },
    });
    expect(moved.status, moved.text).toBe(200);

    const attempts = await waitFor(async () => {
      const list = await attemptsOf();
      return list.length > before ? list : undefined;
    }, `another attempt of ${issue}`);
    const detail = await get(`/api/v1/attempts/${attempts[0]?.id}`);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.events).toEqual(expect.any(Array));
  });

  it('an unknown issue or attempt is 404', async () => {
    expect((await get('/api/v1/NOPE-999')).status).toBe(404);
    expect((await get('/api/v1/NOPE-999/attempts')).status).toBe(404);
    expect((await get('/api/v1/attempts/no-such-attempt')).status).toBe(404);
  });
});

describe('Configuration overlay, Secrets, Templates and Workspaces round trips', () => {
  it('PUT replaces the overlay, GET shows it and the merged config, DELETE …/overlay/:path removes a path', async () => {
    const put = await s.call('PUT', '/api/v1/config/overlay', { token: true, body: { POLL_INTERVAL_MS: '60000' } });
    expect(put.status, put.text).toBe(200);
    expect((await get('/api/v1/config/overlay')).body.overlay).toEqual({ POLL_INTERVAL_MS: '60000' });
    expect((await get('/api/v1/config')).body.config).toMatchObject({ POLL_INTERVAL_MS: '60000' });
    expect((await s.call('DELETE', '/api/v1/config/overlay/POLL_INTERVAL_MS', { token: true })).status).toBe(200);
    expect((await get('/api/v1/config/overlay')).body.overlay).toEqual({});
  });

  it('POST /api/v1/secrets/:key stores a secret; GET returns key names only, never the values; DELETE removes it', async () => {
    const set = await s.call('POST', '/api/v1/secrets/MY_TOKEN', { token: true, body: { value: SECRET_VALUE } });
    expect(set.status, set.text).toBe(200);
    const listed = await get('/api/v1/secrets');
    expect(listed.body.keys).toContain('MY_TOKEN');
    expect((await s.call('DELETE', '/api/v1/secrets/MY_TOKEN', { token: true })).status).toBe(200);
    expect((await get('/api/v1/secrets')).body.keys).not.toContain('MY_TOKEN');
  });

  it('templates: create, get, update, preview with sample variables, delete', async () => {
    const created = await s.call('POST', '/api/v1/templates', {
      token: true,
      body: { id: 'conformance-template', name: 'Conformance', body: 'Fix {{ issue.identifier }}' },
    });
    expect(created.status, created.text).toBe(201);
    expect((await get('/api/v1/templates/conformance-template')).body).toMatchObject({ id: 'conformance-template' });
    const updated = await s.call('PUT', '/api/v1/templates/conformance-template', {
      token: true,
      body: { body: 'Fix {{ issue.identifier }} now' },
    });
    expect(updated.status, updated.text).toBe(200);
    const preview = await s.call('POST', '/api/v1/templates/conformance-template/preview', {
      token: true,
      body: { variables: { issue: { identifier: 'ENG-123' } } },
    });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.rendered).toBe('Fix ENG-123 now');
    expect((await s.call('DELETE', '/api/v1/templates/conformance-template', { token: true })).status).toBe(200);
    expect((await get('/api/v1/templates/conformance-template')).status).toBe(404);
  });

  it('workspaces are listed with their disk usage, and DELETE /api/v1/workspaces/:key frees one', async () => {
    mkdirSync(join(workspaceDir, WORKSPACE));
    writeFileSync(join(workspaceDir, WORKSPACE, 'file.txt'), 'x'.repeat(4096));
    // Same prefix, not a run's workspace: the local runner's credential dir, another program's temp dir.
    const decoys = ['ai-implement-run-a1b2c3', 'ai-implement-conformance-Xy12Ab'];
    for (const decoy of decoys) mkdirSync(join(workspaceDir, decoy));
    const listed = (await get('/api/v1/workspaces')).body.workspaces as { key: string; sizeBytes: number }[];
    expect(listed.map((w) => w.key)).toEqual([WORKSPACE]);
    expect(listed[0]?.sizeBytes).toBeGreaterThanOrEqual(4096);
    for (const decoy of decoys) {
      expectAnswer(await s.call('DELETE', `/api/v1/workspaces/${decoy}`, { token: true }), 404, { error: 'Workspace not found' });
      expect(existsSync(join(workspaceDir, decoy)), decoy).toBe(true);
    }
    const removed = await s.call('DELETE', `/api/v1/workspaces/${WORKSPACE}`, { token: true });
    expect(removed.status, removed.text).toBe(200);
    expectAnswer(await s.call('DELETE', `/api/v1/workspaces/${WORKSPACE}`, { token: true }), 404, {
      error: 'Workspace not found',
    });
  });
});
