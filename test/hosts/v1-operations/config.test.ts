import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hosts/config.js';
import { createOrchestrator } from '../../../hosts/container.js';
import { ACCESS_CODE, type Harness, STORAGE_KINDS, startHarness } from '../harness.js';
import { getJson } from '../v1/v1-helpers.js';

type KeyView = {
  key: string;
  value: string | null;
  source: string;
  apply: string;
  restartRequired: boolean;
  overlayValue?: string;
};
type Effective = { config: Record<string, string | null>; keys: KeyView[] };
type Overlay = { overlay: Record<string, string>; envLocked: { key: string; message: string }[]; restartRequired: string[] };
type AuditPage = { entries: { action: string; target?: string; detail?: Record<string, unknown> }[]; total: number };

const keyOf = (config: Effective, key: string) => config.keys.find((k) => k.key === key) as KeyView;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(STORAGE_KINDS)('/api/v1/config* on %s storage', (kind) => {
  it('answers the effective configuration with each key’s source, secrets masked, and the JSON Schema', async () => {
    h = await startHarness(kind, {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      LINEAR_API_KEY: 'lin_api_sekret_value',
      POLL_INTERVAL_MS: '45000',
    });
    const token = await h.login();
    const res = await h.call('GET', '/api/v1/config', { token });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('lin_api_sekret_value');
    expect(text).not.toContain(ACCESS_CODE);
    const config = JSON.parse(text) as Effective;
    expect(keyOf(config, 'LINEAR_API_KEY')).toMatchObject({ value: '********', source: 'env', secret: true, overlayable: false });
    expect(keyOf(config, 'POLL_INTERVAL_MS')).toMatchObject({
      value: '45000',
      source: 'env',
      apply: 'restart',
      restartRequired: false,
    });
    expect(keyOf(config, 'GITHUB_API_URL')).toMatchObject({ value: 'https://api.github.com', source: 'default' });
    expect(keyOf(config, 'RUNNER_MODE')).toMatchObject({ value: null, source: 'default', apply: 'live', envLocked: true });
    expect(config.config.POLL_INTERVAL_MS).toBe('45000');

    const schema = await getJson<{ type: string; properties: Record<string, Record<string, unknown>>; examples: unknown[] }>(
      h,
      token,
      '/api/v1/config/schema',
    );
    expect(schema.type).toBe('object');
    expect(schema.properties.RUNNER_MODE).toMatchObject({
      enum: ['default', 'gha', 'fly', 'local', 'shadow'],
      'x-apply': 'live',
    });
    expect(schema.properties.ADMIN_ACCESS_CODE).toMatchObject({ readOnly: true, writeOnly: true, 'x-secret': true });
    expect(schema.properties.GITHUB_APP_ID).toMatchObject({ pattern: '^\\d+$' });
    // Every example is an overlay the PUT accepts.
    for (const example of schema.examples) {
      expect((await h.call('PUT', '/api/v1/config/overlay', { token, body: example })).status).toBe(200);
    }
  });

  it('replaces, reads and deletes the overlay; every change is an audit entry', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    expect(await getJson<Overlay>(h, token, '/api/v1/config/overlay')).toMatchObject({ overlay: {}, envLocked: [] });

    const put = await h.call('PUT', '/api/v1/config/overlay', {
      token,
      body: { POLL_INTERVAL_MS: '60000', LINEAR_API_URL: 'https://linear.example.com/graphql' },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      overlay: { POLL_INTERVAL_MS: '60000', LINEAR_API_URL: 'https://linear.example.com/graphql' },
      restartRequired: ['LINEAR_API_URL', 'POLL_INTERVAL_MS'],
    });
    const config = await getJson<Effective>(h, token, '/api/v1/config');
    expect(keyOf(config, 'POLL_INTERVAL_MS')).toMatchObject({ value: '60000', source: 'overlay', restartRequired: true });

    const del = await h.call('DELETE', '/api/v1/config/overlay/POLL_INTERVAL_MS', { token });
    expect(del.status).toBe(200);
    expect(((await del.json()) as Overlay).overlay).toEqual({ LINEAR_API_URL: 'https://linear.example.com/graphql' });
    const again = await h.call('DELETE', '/api/v1/config/overlay/POLL_INTERVAL_MS', { token });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: 'Overlay path not found' });

    const audit = await getJson<AuditPage>(h, token, '/api/v1/audit?action=config');
    expect(audit.entries.map((e) => e.action)).toEqual(['config.overlay_deleted', 'config.overlay_replaced']);
    expect(audit.entries[0]).toMatchObject({
      target: 'POLL_INTERVAL_MS',
      detail: { changes: { POLL_INTERVAL_MS: { from: '60000', to: null } } },
    });
  });

  it('refuses an overlay that does not validate with 400 naming the offending key', async () => {
    h = await startHarness(kind);
    const token = await h.login();
    const cases: [unknown, string][] = [
      [
        { POLL_INTERVAL_MS: '5' },
        'Invalid overlay at POLL_INTERVAL_MS: POLL_INTERVAL_MS must be an integer from 1000 to 86400000',
      ],
      [{ RUNNER_MODE: 'turbo' }, 'Invalid overlay at RUNNER_MODE: RUNNER_MODE must be one of: default, gha, fly, local, shadow'],
      [{ NOPE: '1' }, 'Invalid overlay at NOPE: NOPE is not a configuration key'],
      [
        { GITHUB_TOKEN: 'ghp_x' },
        'Invalid overlay at GITHUB_TOKEN: GITHUB_TOKEN is a secret: set it in the environment, not the overlay',
      ],
      [{ DATA_DIR: '/tmp' }, 'Invalid overlay at DATA_DIR: DATA_DIR is set in the environment only (storage location)'],
      [{ POLL_INTERVAL_MS: 60000 }, 'Invalid overlay at POLL_INTERVAL_MS: POLL_INTERVAL_MS must be a string'],
      [
        { JIRA_HOST: 'https://jira.example.com' },
        'Invalid overlay at JIRA_HOST: JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN must be set together',
      ],
    ];
    for (const [body, error] of cases) {
      const res = await h.call('PUT', '/api/v1/config/overlay', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
    for (const raw of ['[1]', '{not json', '"x"']) {
      const res = await h.call('PUT', '/api/v1/config/overlay', { token, raw });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'Invalid request body' });
    }
    expect(await getJson<Overlay>(h, token, '/api/v1/config/overlay')).toMatchObject({ overlay: {} });
    expect((await getJson<AuditPage>(h, token, '/api/v1/audit?action=config')).total).toBe(0);
  });

  it('keeps the environment’s precedence for env-locked keys, and says so', async () => {
    h = await startHarness(kind, {
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      RUNNER_MODE: 'shadow',
      RUNNER_TOKEN_SECRET: 'runner-secret-0123456789',
    });
    const token = await h.login();
    const put = await h.call('PUT', '/api/v1/config/overlay', {
      token,
      body: { RUNNER_MODE: 'gha', FLY_SESSIONS_REGION: 'ord' },
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as Overlay).envLocked).toEqual([
      {
        key: 'RUNNER_MODE',
        message: 'RUNNER_MODE env var is set; the overlay value is persisted but has no effect until the env var is unset',
      },
    ]);
    const config = await getJson<Effective>(h, token, '/api/v1/config');
    expect(keyOf(config, 'RUNNER_MODE')).toMatchObject({ value: 'shadow', source: 'env', overlayValue: 'gha' });
    expect(keyOf(config, 'FLY_SESSIONS_REGION')).toMatchObject({ value: 'ord', source: 'overlay', apply: 'live' });
    // The overlay's live keys are the stored settings the runner-mode and settings APIs show.
    expect(await getJson(h, token, '/api/runner-mode')).toMatchObject({ mode: 'shadow', stored: 'gha', envLocked: true });
    expect(await getJson(h, token, '/api/settings')).toMatchObject({
      settings: { flySessionsRegion: { runtime: 'ord', source: 'stored' } },
    });
  });

  it('a live key applies at once: the runner mode in force follows the overlay', async () => {
    // A non-shadow runner needs the token secret its runs report back with.
    h = await startHarness(kind, { ADMIN_ACCESS_CODE: ACCESS_CODE, RUNNER_TOKEN_SECRET: 'runner-secret-0123456789' });
    const token = await h.login();
    await h.call('PUT', '/api/v1/config/overlay', { token, body: { RUNNER_MODE: 'local' } });
    expect(await getJson(h, token, '/api/runner-mode')).toMatchObject({ mode: 'local', source: 'stored' });
    await h.call('PUT', '/api/v1/config/overlay', { token, body: {} });
    expect(await getJson(h, token, '/api/runner-mode')).toMatchObject({ mode: 'default', stored: null });
  });
});

describe('the overlay across a restart (SQLite file)', () => {
  it('survives, and its restart keys are in force after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-implement-overlay-'));
    const start = () => createOrchestrator(loadConfig({ ADMIN_ACCESS_CODE: ACCESS_CODE, DATA_DIR: dataDir })._unsafeUnwrap());
    const login = async (o: Awaited<ReturnType<typeof start>>) =>
      (
        (await (
          await o.request('/api/auth', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: ACCESS_CODE }),
          })
        ).json()) as { token: string }
      ).token;
    const call = (o: Awaited<ReturnType<typeof start>>, token: string, method: string, path: string, body?: unknown) =>
      o.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    try {
      const first = await start();
      const t1 = await login(first);
      expect((await call(first, t1, 'PUT', '/api/v1/config/overlay', { POLL_INTERVAL_MS: '60000' })).status).toBe(200);
      expect(
        ((await (await call(first, t1, 'GET', '/api/v1/runtime')).json()) as { pollIntervalMs: number }).pollIntervalMs,
      ).toBe(30000);
      await first.dispose();

      const second = await start();
      try {
        const t2 = await login(second);
        expect((await (await call(second, t2, 'GET', '/api/v1/config/overlay')).json()) as Overlay).toMatchObject({
          overlay: { POLL_INTERVAL_MS: '60000' },
          restartRequired: [],
        });
        expect(
          ((await (await call(second, t2, 'GET', '/api/v1/runtime')).json()) as { pollIntervalMs: number }).pollIntervalMs,
        ).toBe(60000);
        const config = (await (await call(second, t2, 'GET', '/api/v1/config')).json()) as Effective;
        expect(keyOf(config, 'POLL_INTERVAL_MS')).toMatchObject({ value: '60000', source: 'overlay', restartRequired: false });
        const audit = (await (await call(second, t2, 'GET', '/api/v1/audit?action=config')).json()) as AuditPage;
        expect(audit.entries.map((e) => e.action)).toEqual(['config.overlay_replaced']);
      } finally {
        await second.dispose();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
