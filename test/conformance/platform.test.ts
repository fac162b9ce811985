import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../testing/fakes/fly/fake-fly.server.js';
import { type FakeJira, startFakeJira } from '../../testing/fakes/jira/jira-fake.js';
import { REPO_FIELD_ID } from '../../testing/fakes/jira/jira-store.js';
import { ACCESS_CODE, expectAnswer, type ServerProcess, startServerProcess } from './server.js';

/**
 * error-codes…txt: runner mode, sessions, secrets, Jira configuration; admin-ui-and-api.txt:
 * the remaining endpoints of the reference table answer; v1: POST /api/v1/refresh → 202.
 *
 * `bare` has no Fly, no Jira and no RUNNER_MODE; `full` has a fake Fly sessions app, a fake
 * Jira and RUNNER_MODE=fly.
 */

const MODES = ['default', 'gha', 'fly', 'local', 'shadow'];
const ENV_LOCKED = 'RUNNER_MODE env var is set; persisted to DB but has no effect at runtime until the env var is unset';
const FLY_UNSET = 'Fly sessions config not set';
const SECRET_VALUE = 'conformance-secret-value-d41d8c';

let bare: ServerProcess;
let full: ServerProcess;
let fly: FakeFly;
let jira: FakeJira;
beforeAll(async () => {
  fly = await startFakeFly();
  jira = await startFakeJira();
  [bare, full] = await Promise.all([
    startServerProcess({ ADMIN_ACCESS_CODE: ACCESS_CODE, STORAGE_URL: 'memory:' }),
    startServerProcess({
      ADMIN_ACCESS_CODE: ACCESS_CODE,
      STORAGE_URL: 'memory:',
      RUNNER_MODE: 'fly',
      RUNNER_TOKEN_SECRET: 'conformance-runner-secret-0123',
      FLY_API_TOKEN: fly.token,
      FLY_API_URL: fly.url,
      FLY_SESSIONS_APP: FAKE_FLY_APP,
      JIRA_HOST: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
    }),
  ]);
  full.neverReveal(fly.token, SECRET_VALUE);
  bare.neverReveal(SECRET_VALUE);
  const mapping = await full.call('POST', '/api/mappings', {
    token: true,
    body: { teamKey: 'ENG', owner: 'acme', repo: 'widgets', defaultBranch: 'main' },
  });
  expect(mapping.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await Promise.all([bare?.close(), full?.close()]);
  await fly?.close();
  await jira?.close();
});

describe('POST /api/runner-mode', () => {
  it('GET /api/runner-mode answers the current mode (default when nothing is set)', async () => {
    const res = await bare.call('GET', '/api/runner-mode', { token: true });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('default');
  });

  it.each(MODES)('accepts mode %s and GET reflects it', async (mode) => {
    const res = await bare.call('POST', '/api/runner-mode', { body: { mode }, token: true });
    expect(res.status, res.text).toBe(200);
    expect((await bare.call('GET', '/api/runner-mode', { token: true })).body.mode).toBe(mode);
  });

  it.each([['docker'], [''], ['GHA'], [3], [null]])(
    '400 mode must be one of: default, gha, fly, local, shadow (%j)',
    async (mode) => {
      expectAnswer(await bare.call('POST', '/api/runner-mode', { body: { mode }, token: true }), 400, {
        error: 'mode must be one of: default, gha, fly, local, shadow',
      });
    },
  );

  it('400 Invalid request body: body could not be parsed as JSON', async () => {
    expectAnswer(await bare.call('POST', '/api/runner-mode', { raw: 'mode=gha', token: true }), 400, {
      error: 'Invalid request body',
    });
  });

  it('409 with RUNNER_MODE set: the value is saved but has no effect at runtime', async () => {
    expectAnswer(await full.call('POST', '/api/runner-mode', { body: { mode: 'gha' }, token: true }), 409, { error: ENV_LOCKED });
    const after = await full.call('GET', '/api/runner-mode', { token: true });
    expect(after.body.mode).toBe('fly');
    expect(after.text).toContain('"gha"'); // persisted to the DB
  });
});

describe('GET/POST /api/settings', () => {
  it('GET answers flySessionsApp and flySessionsRegion; POST saves them', async () => {
    const got = await bare.call('GET', '/api/settings', { token: true });
    expect(got.status).toBe(200);
    expect(got.text).toContain('flySessionsApp');
    expect(got.text).toContain('flySessionsRegion');
    const saved = await bare.call('POST', '/api/settings', {
      body: { flySessionsApp: 'my-sessions', flySessionsRegion: 'ord' },
      token: true,
    });
    expect(saved.status, saved.text).toBe(200);
    expect((await bare.call('GET', '/api/settings', { token: true })).text).toContain('my-sessions');
  });

  it('the env var wins and the answer says so', async () => {
    const res = await full.call('GET', '/api/settings', { token: true });
    expect(res.text).toContain(FAKE_FLY_APP);
  });
});

describe('Sessions', () => {
  it('GET /api/sessions returns an empty list, not an error, when Fly sessions are not configured', async () => {
    const res = await bare.call('GET', '/api/sessions', { token: true });
    expect(res.status).toBe(200);
    const list = Array.isArray(res.json) ? res.json : Object.values(res.body).find(Array.isArray);
    expect(list).toEqual([]);
  });

  it('503 Fly sessions config not set: destroying a session while Fly sessions are not configured', async () => {
    expectAnswer(await bare.call('DELETE', '/api/sessions/m-1', { token: true }), 503, { error: FLY_UNSET });
  });

  it('GET /api/sessions lists live machines; DELETE destroys one', async () => {
    const machine = fly.seedMachine(FAKE_FLY_APP, { state: 'started', metadata: {} });
    const list = await full.call('GET', '/api/sessions', { token: true });
    expect(list.status).toBe(200);
    expect(list.text).toContain(machine.id);
    const destroyed = await full.call('DELETE', `/api/sessions/${machine.id}`, { token: true });
    expect(destroyed.status, destroyed.text).toBe(200);
  });

  it('500 (underlying error message): listing the sessions failed', async () => {
    // One listing's attempts (4), fewer than the Fly governor's circuit threshold (5): the
    // connection is healthy again for the tests after this one once its backoff has passed.
    fly.failNext({ status: 500, error: 'fly exploded', method: 'GET', path: /\/machines/, times: 4 });
    const res = await full.call('GET', '/api/sessions', { token: true });
    expect(res.status).toBe(500);
    expect(typeof res.body.error).toBe('string');
    const deadline = Date.now() + 20_000;
    while ((await full.call('GET', '/api/sessions', { token: true })).status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 30_000);
});

describe('Secrets without Fly sessions', () => {
  it.each([
    ['GET', '/api/global-secrets'],
    ['POST', '/api/global-secrets'],
    ['DELETE', '/api/global-secrets/MY_TOKEN'],
    ['GET', '/api/mappings/ENG/secrets'],
    ['POST', '/api/mappings/ENG/secrets'],
    ['DELETE', '/api/mappings/ENG/secrets/MY_TOKEN'],
  ])('%s %s → 503 Fly sessions config not set', async (method, path) => {
    expectAnswer(await bare.call(method, path, { body: { name: 'MY_TOKEN', value: SECRET_VALUE }, token: true }), 503, {
      error: FLY_UNSET,
    });
  });
});

describe('Secrets', () => {
  it('a per-team secret MY_TOKEN for ENG is stored as ENG_MY_TOKEN, listed by name only', async () => {
    const res = await full.call('POST', '/api/mappings/ENG/secrets', {
      body: { name: 'MY_TOKEN', value: SECRET_VALUE },
      token: true,
    });
    expect(res.status, res.text).toBe(200);
    expect(fly.secretNames(FAKE_FLY_APP)).toContain('ENG_MY_TOKEN');
    const list = await full.call('GET', '/api/mappings/ENG/secrets', { token: true });
    expect(list.status).toBe(200);
    expect(list.text).toContain('MY_TOKEN');
    // The team's secret is not a global one.
    const global = await full.call('GET', '/api/global-secrets', { token: true });
    expect(global.status).toBe(200);
    expect(global.text).not.toContain('ENG_MY_TOKEN');
  });

  it('global secrets: set, list, delete', async () => {
    expect(
      (await full.call('POST', '/api/global-secrets', { body: { name: 'SHARED_KEY', value: SECRET_VALUE }, token: true })).status,
    ).toBe(200);
    expect((await full.call('GET', '/api/global-secrets', { token: true })).text).toContain('SHARED_KEY');
    expect((await full.call('DELETE', '/api/global-secrets/SHARED_KEY', { token: true })).status).toBe(200);
    expect(fly.secretNames(FAKE_FLY_APP)).not.toContain('SHARED_KEY');
  });

  it.each([['/api/mappings/ENG/secrets'], ['/api/global-secrets']])('%s: 400 Invalid request body', async (path) => {
    expectAnswer(await full.call('POST', path, { raw: '{"name":', token: true }), 400, { error: 'Invalid request body' });
  });

  it.each([
    ['/api/mappings/ENG/secrets', { value: SECRET_VALUE }],
    ['/api/mappings/ENG/secrets', { name: 'MY_TOKEN' }],
    ['/api/mappings/ENG/secrets', { name: 'MY_TOKEN', value: '' }],
    ['/api/global-secrets', { name: '', value: SECRET_VALUE }],
    ['/api/global-secrets', { name: 'X' }],
  ])('%s %j: 400 name and value are required', async (path, body) => {
    expectAnswer(await full.call('POST', path, { body, token: true }), 400, { error: 'name and value are required' });
  });

  it.each([['MY-TOKEN'], ['MY TOKEN'], ['MY.TOKEN'], ['ÉCLAIR']])(
    '400 name must contain only letters, digits, and underscores (%s)',
    async (name) => {
      for (const path of ['/api/mappings/ENG/secrets', '/api/global-secrets']) {
        expectAnswer(await full.call('POST', path, { body: { name, value: SECRET_VALUE }, token: true }), 400, {
          error: 'name must contain only letters, digits, and underscores',
        });
      }
    },
  );

  it('a name too long for the secret store is a 400 naming the problem, not a 500', async () => {
    for (const path of ['/api/mappings/ENG/secrets', '/api/global-secrets']) {
      const res = await full.call('POST', path, { body: { name: 'A'.repeat(200_000), value: SECRET_VALUE }, token: true });
      expectAnswer(res, 400, { error: 'name must be at most 128 characters' });
    }
  });

  it('400 Secret name must not start with a team key prefix (...)', async () => {
    const res = await full.call('POST', '/api/global-secrets', { body: { name: 'ENG_OTHER', value: SECRET_VALUE }, token: true });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/^Secret name must not start with a team key prefix \(.+\)$/);
  });

  it('404 Secret not found: the named secret does not exist (on delete)', async () => {
    expectAnswer(await full.call('DELETE', '/api/global-secrets/NO_SUCH_SECRET', { token: true }), 404, {
      error: 'Secret not found',
    });
    expectAnswer(await full.call('DELETE', '/api/mappings/ENG/secrets/NO_SUCH_SECRET', { token: true }), 404, {
      error: 'Secret not found',
    });
  });

  it.each([
    ['GET', '/api/mappings/GHOST/secrets'],
    ['POST', '/api/mappings/GHOST/secrets'],
    ['DELETE', '/api/mappings/GHOST/secrets/MY_TOKEN'],
  ])('%s %s: 404 Team not found', async (method, path) => {
    expectAnswer(await full.call(method, path, { body: { name: 'MY_TOKEN', value: SECRET_VALUE }, token: true }), 404, {
      error: 'Team not found',
    });
  });

  it('500 (underlying error message): the secret operation failed', async () => {
    fly.failNext({ status: 500, error: 'secrets store down', path: /\/secrets/, times: 20 });
    const res = await full.call('GET', '/api/global-secrets', { token: true });
    expect(res.status).toBe(500);
    expect(typeof res.body.error).toBe('string');
    for (let i = 0; i < 20 && (await full.call('GET', '/api/global-secrets', { token: true })).status === 500; i++);
  });
});

describe('Jira configuration', () => {
  it.each([
    ['POST', '/api/jira/validate-jql'],
    ['GET', '/api/jira/fields'],
    ['GET', `/api/jira/field-options?fieldId=${REPO_FIELD_ID}`],
  ])('%s %s → 501 Jira not configured', async (method, path) => {
    expectAnswer(await bare.call(method, path, { body: { jql: 'project = ENG' }, token: true }), 501, {
      error: 'Jira not configured',
    });
  });

  it('POST /api/jira/validate-jql: 200 for a valid clause', async () => {
    const res = await full.call('POST', '/api/jira/validate-jql', { body: { jql: 'project = ENG' }, token: true });
    expect(res.status, res.text).toBe(200);
  });

  it('400 Invalid JSON body: the validate-jql body could not be parsed', async () => {
    expectAnswer(await full.call('POST', '/api/jira/validate-jql', { raw: '{"jql":', token: true }), 400, {
      error: 'Invalid JSON body',
    });
  });

  it('400 jql field required: the validate-jql body omitted jql', async () => {
    expectAnswer(await full.call('POST', '/api/jira/validate-jql', { body: {}, token: true }), 400, {
      error: 'jql field required',
    });
  });

  it('400 (validation message): the JQL clause is invalid', async () => {
    const res = await full.call('POST', '/api/jira/validate-jql', { body: { jql: 'project = = ENG AND (' }, token: true });
    expect(res.status).toBe(400);
    expect(typeof res.body.error).toBe('string');
    expect(res.body.error).not.toBe('');
  });

  it('GET /api/jira/fields lists the custom fields', async () => {
    const res = await full.call('GET', '/api/jira/fields', { token: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain(REPO_FIELD_ID);
  });

  it('400 fieldId query param required', async () => {
    expectAnswer(await full.call('GET', '/api/jira/field-options', { token: true }), 400, {
      error: 'fieldId query param required',
    });
  });

  it('GET /api/jira/field-options lists a select field’s options', async () => {
    const res = await full.call('GET', `/api/jira/field-options?fieldId=${REPO_FIELD_ID}`, { token: true });
    expect(res.status).toBe(200);
  });

  it('/api/jira/field-options returns an empty list, not an error, when the field has no selectable options', async () => {
    const res = await full.call('GET', '/api/jira/field-options?fieldId=customfield_10016', { token: true });
    expect(res.status, res.text).toBe(200);
    const list = Array.isArray(res.json) ? res.json : Object.values(res.body).find(Array.isArray);
    expect(list).toEqual([]);
  });

  it.each(['summary', 'labels', 'not a field'])(
    '/api/jira/field-options for %j (a field that is not a select) → an empty list',
    async (fieldId) => {
      const res = await full.call('GET', `/api/jira/field-options?fieldId=${encodeURIComponent(fieldId)}`, { token: true });
      expect(res.status, res.text).toBe(200);
      expect(Object.values(res.body).find(Array.isArray)).toEqual([]);
    },
  );

  it('500 (underlying error message): the Jira request failed', async () => {
    jira.failNext('serverError', { times: 20, match: /\/field/ });
    const res = await full.call('GET', '/api/jira/fields', { token: true });
    expect(res.status).toBe(500);
    expect(typeof res.body.error).toBe('string');
    for (let i = 0; i < 20 && (await full.call('GET', '/api/jira/fields', { token: true })).status === 500; i++);
  });
});

describe('the rest of the endpoint reference answers', () => {
  it.each([
    '/api/mappings',
    '/api/log',
    '/api/issues',
    '/api/pulls',
    '/api/blockers',
    '/api/reaper/summary',
    '/api/reaper/recent',
    '/api/dedup',
    '/api/customizations',
    '/api/pipelines-steps',
    '/api/admin/config-status',
    '/api/admin/template-status',
  ])('GET %s → 200 JSON', async (path) => {
    const res = await bare.call('GET', path, { token: true });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toBeDefined();
  });

  it('POST /api/v1/refresh returns 202 Accepted, not 200', async () => {
    expect((await bare.call('POST', '/api/v1/refresh', { token: true })).status).toBe(202);
  });

  it('v1 "Webhooks": /webhooks/linear has its own rate limit of 600 requests a minute (429 past it)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 600 }, () => bare.call('POST', '/webhooks/linear', { body: { type: 'Issue' } })),
    );
    expect(answers.filter((a) => a.status === 429)).toHaveLength(0);
    const over = await bare.call('POST', '/webhooks/linear', { body: { type: 'Issue' } });
    expect(over.status).toBe(429);
    expect(typeof over.body.error).toBe('string');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // The admin API is not limited by it.
    expect((await bare.call('GET', '/api/mappings', { token: true })).status).toBe(200);
  });

  it('DELETE /api/dedup/{issueId} of an issue not in the window → 404 with an error field', async () => {
    const res = await bare.call('DELETE', '/api/dedup/not-there', { token: true });
    expect(res.status).toBe(404);
    expect(typeof res.body.error).toBe('string');
  });
});
