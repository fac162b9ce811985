import { asValue } from 'awilix';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionBundle } from '../../../hosts/session-bundle/build-session-bundle.js';
import { renderWorkflowTemplates } from '../../../plugins/workflow-templates/workflow-templates.js';
import { ACCESS_CODE, type Harness, startHarness } from '../harness.js';
import { type GithubHarness, OWNER, REPO, startGithubHarness, TEAM } from './github-harness.js';

let g: GithubHarness | undefined;
let bare: Harness | undefined;
afterEach(async () => {
  await g?.close();
  await bare?.close();
  g = bare = undefined;
});

const PATHS = [
  '.github/workflows/claude-implement.yml',
  '.github/workflows/claude-plan.yml',
  '.github/workflows/comment-trigger.yml',
];

const status = async (gh: GithubHarness) => {
  const res = await gh.h.call('GET', '/api/admin/template-status', { token: gh.token });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    templateVersion: string;
    stale: number;
    unknown: number;
    repositories: {
      teamKey: string;
      repository: string;
      status: string;
      files: { path: string; status: string }[];
      error?: string;
    }[];
  };
};

describe('POST /api/mappings/:teamKey/sync-workflows', () => {
  it('writes the three templates onto the default branch, which the fake GitHub then holds', async () => {
    g = await startGithubHarness({ mapping: { planningEnabled: true } });
    const res = await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      synced: true,
      teamKey: TEAM,
      repository: `${OWNER}/${REPO}`,
      branch: 'main',
      files: PATHS,
      templateVersion: expect.any(String),
    });
    const mapping = (await g.h.orchestrator.cradle.storage.mappings.get(TEAM))!;
    const sessionBundleSha256 = g.h.orchestrator.cradle.sessionBundle.current()?.sha256 ?? '';
    const expected = renderWorkflowTemplates(
      { ...mapping, orchestratorUrl: 'https://orchestrator.example.com' },
      { sessionBundleSha256 },
    );
    expect(g.github.readFile(OWNER, REPO, '.github/workflows/claude-implement.yml')).toContain(
      `AI_IMPLEMENT_SESSION_SHA256: ${sessionBundleSha256}`,
    );
    for (const file of expected) expect(g.github.readFile(OWNER, REPO, file.path)).toBe(file.content);
    expect(g.github.readFile(OWNER, REPO, '.github/workflows/comment-trigger.yml')).toContain(
      'ORCHESTRATOR_URL: "https://orchestrator.example.com"',
    );
    const puts = g.github.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual(PATHS.map((p) => `/repos/${OWNER}/${REPO}/contents/${p}`));

    // A second sync of current files commits nothing.
    const again = await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect(again.status).toBe(200);
    expect(g.github.requests.filter((r) => r.method === 'PUT' && r.status < 300)).toHaveLength(3);
  });

  it('404 Team not found for an unknown mapping; 401 without the admin token', async () => {
    g = await startGithubHarness();
    const res = await g.h.call('POST', '/api/mappings/NOPE/sync-workflows', { token: g.token });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Team not found' });
    expect((await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`)).status).toBe(401);
  });

  it('500 with the underlying message when GitHub refuses the write', async () => {
    g = await startGithubHarness();
    g.github.failNext({ method: 'PUT', status: 403, body: { message: 'Resource not accessible by integration' }, times: 5 });
    const res = await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/Resource not accessible by integration/);
  });

  it('500 saying what to set when GitHub is not configured', async () => {
    bare = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    const token = await bare.login();
    expect(
      (
        await bare.call('POST', '/api/mappings', {
          token,
          body: { teamKey: TEAM, owner: OWNER, repo: REPO, defaultBranch: 'main' },
        })
      ).status,
    ).toBe(200);
    const res = await bare.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: 'github forge is not configured (set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)',
    });
  });
});

describe('GET /api/admin/template-status', () => {
  it('missing before a sync, current after, stale once a template (or a file in the repo) changes', async () => {
    g = await startGithubHarness();
    const before = await status(g);
    expect(before.repositories).toEqual([
      expect.objectContaining({ teamKey: TEAM, repository: `${OWNER}/${REPO}`, status: 'missing' }),
    ]);
    expect(before.stale).toBe(1);

    await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    const after = await status(g);
    expect(after.repositories[0]?.status).toBe('current');
    expect(after.repositories[0]?.files.map((f) => f.status)).toEqual(['current', 'current']);
    expect(after.stale).toBe(0);

    // The orchestrator's template changes (here: its PUBLIC_URL, which is rendered into the
    // comment trigger) — the repository now holds an outdated file.
    const path = '.github/workflows/comment-trigger.yml';
    const old = g.github.readFile(OWNER, REPO, path)!;
    g.github.writeFile(OWNER, REPO, path, old.replace('https://orchestrator.example.com', 'https://old.example.com'));
    const stale = await status(g);
    expect(stale.repositories[0]).toMatchObject({ status: 'stale' });
    expect(stale.repositories[0]?.files).toEqual([
      expect.objectContaining({ path: '.github/workflows/claude-implement.yml', status: 'current' }),
      expect.objectContaining({ path, status: 'stale' }),
    ]);
    expect(stale.stale).toBe(1);
  });

  it('a new session bundle makes the dispatched templates stale; without a bundle nothing renders', async () => {
    let bundle: SessionBundle | undefined = { bytes: Buffer.from('one'), sha256: 'a'.repeat(64) };
    g = await startGithubHarness({ overrides: { sessionBundle: asValue({ current: () => bundle }) } });
    await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect((await status(g)).repositories[0]?.status).toBe('current');

    bundle = { bytes: Buffer.from('two'), sha256: 'c'.repeat(64) };
    const stale = await status(g);
    expect(stale.repositories[0]?.files).toEqual([
      expect.objectContaining({ path: '.github/workflows/claude-implement.yml', status: 'stale' }),
      expect.objectContaining({ path: '.github/workflows/comment-trigger.yml', status: 'current' }),
    ]);
    await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect(g.github.readFile(OWNER, REPO, '.github/workflows/claude-implement.yml')).toContain('c'.repeat(64));
    expect((await status(g)).repositories[0]?.status).toBe('current');

    bundle = undefined;
    const unbuilt = await g.h.call('POST', `/api/mappings/${TEAM}/sync-workflows`, { token: g.token });
    expect(await unbuilt.json()).toMatchObject({ error: expect.stringContaining('Session bundle not built') });
    expect((await status(g)).repositories[0]).toMatchObject({ status: 'unknown', error: 'Session bundle not built' });
  });

  it('reports a repository it cannot read as unknown with the reason, and the others still', async () => {
    g = await startGithubHarness();
    const gone = { teamKey: 'GONE', ticketing: 'local', owner: OWNER, repo: 'deleted', defaultBranch: 'main' };
    expect((await g.h.call('POST', '/api/mappings', { token: g.token, body: gone })).status).toBe(200);
    const report = await status(g);
    expect(report.repositories.map((r) => [r.teamKey, r.status])).toEqual(
      [
        [TEAM, 'missing'],
        ['GONE', 'unknown'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect(report.repositories.find((r) => r.teamKey === 'GONE')?.error).toMatch(/Not Found/i);
    expect(report.unknown).toBe(1);
  });
});

describe('GET /api/admin/config-status', () => {
  it('all checks pass when everything is set, and no value is ever shown', async () => {
    g = await startGithubHarness({ env: { RUNNER_TOKEN_SECRET: 'runner-token-secret-value' } });
    const res = await g.h.call('GET', '/api/admin/config-status', { token: g.token });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [
      'runner-token-secret-value',
      'github-webhook-secret-for-tests',
      'gap-fill-trigger-secret-for-tests',
      'ghp_test',
      'orchestrator.example.com',
    ]) {
      expect(text).not.toContain(secret);
    }
    const body = JSON.parse(text) as { ok: boolean; checks: { key: string; ok: boolean; detail: string }[]; ticketing: unknown };
    expect(body.checks.map((c) => [c.key, c.ok])).toEqual([
      ['ticketing', true],
      ['runnerCallback', true],
      ['gapFillTrigger', true],
      ['githubWebhook', true],
      ['github', true],
      ['agentSandbox', true],
    ]);
    expect(body.checks.find((c) => c.key === 'agentSandbox')?.detail).toMatch(/^bubblewrap; egress allow-list/);
    expect(body.ok).toBe(true);
    expect(body.ticketing).toEqual({
      linear: { configured: false, mappings: 0 },
      jira: { configured: false, mappings: 0 },
      github: { configured: true, mappings: 0 },
      local: { configured: true, mappings: 1 },
    });
  });

  it('says what is missing: a mapping on an unconfigured tracker, the callback, the trigger and the webhook', async () => {
    bare = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE });
    const token = await bare.login();
    const saved = await bare.call('POST', '/api/mappings', {
      token,
      body: {
        teamKey: TEAM,
        ticketing: 'jira',
        jql: 'project = ENG',
        repoFieldValue: 'web',
        owner: OWNER,
        repo: REPO,
        defaultBranch: 'main',
      },
    });
    expect(saved.status).toBe(200);
    const res = await bare.call('GET', '/api/admin/config-status', { token });
    const body = (await res.json()) as { ok: boolean; checks: { key: string; ok: boolean; detail: string }[] };
    expect(body.ok).toBe(false);
    const byKey = Object.fromEntries(body.checks.map((c) => [c.key, c]));
    expect(byKey.ticketing).toMatchObject({ ok: false, detail: expect.stringContaining('jira ticketing is not configured') });
    expect(byKey.runnerCallback).toMatchObject({ ok: false, detail: expect.stringContaining('RUNNER_TOKEN_SECRET unset') });
    expect(byKey.gapFillTrigger).toMatchObject({
      ok: false,
      detail: 'GAP_FILL_TRIGGER_SECRET unset: /trigger/gap-fill answers 501',
    });
    expect(byKey.githubWebhook).toMatchObject({
      ok: false,
      detail: 'GITHUB_WEBHOOK_SECRET unset: /api/github/webhook answers 503',
    });
    expect(byKey.github?.ok).toBe(false);
  });

  it('flags a loopback PUBLIC_URL: runners elsewhere cannot call back', async () => {
    bare = await startHarness('memory', { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: 'x'.repeat(32) });
    const token = await bare.login();
    const body = (await (await bare.call('GET', '/api/admin/config-status', { token })).json()) as {
      checks: { key: string; ok: boolean; detail: string }[];
    };
    expect(body.checks.find((c) => c.key === 'runnerCallback')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('loopback'),
    });
  });
});
