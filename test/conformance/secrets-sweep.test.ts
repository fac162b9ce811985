import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_FLY_APP, type FakeFly, startFakeFly } from '../../testing/fakes/fly/fake-fly.server.js';
import { type FakeGithub, startFakeGithub } from '../../testing/fakes/github/fake-github.js';
import { seedAcme, TOKEN } from '../../testing/fakes/github/seed.js';
import { type FakeJira, startFakeJira } from '../../testing/fakes/jira/jira-fake.js';
import { type FakeLinear, startFakeLinear } from '../../testing/fakes/linear/fake-linear.server.js';
import { ADMIN_ENDPOINTS } from './endpoints.js';
import { ACCESS_CODE, RUNNER_SECRET, type ServerProcess, startServerProcess } from './server.js';

/**
 * No configured secret value (access code, runner secret, webhook and trigger secrets, API keys
 * and tokens) ever appears in an answer's body or headers: every endpoint of the reference,
 * called with and without the admin token and with bad input, on a server with every secret
 * set. (The server helper checks each answer.) The process output is checked too.
 */

const SECRETS = {
  ADMIN_ACCESS_CODE: ACCESS_CODE,
  RUNNER_TOKEN_SECRET: RUNNER_SECRET,
  GITHUB_WEBHOOK_SECRET: 'sweep-webhook-secret-4471aa',
  GAP_FILL_TRIGGER_SECRET: 'sweep-gap-fill-secret-90be12',
  LINEAR_WEBHOOK_SECRET: 'sweep-linear-webhook-secret-77c1',
};

let s: ServerProcess;
let fly: FakeFly;
let github: FakeGithub;
let jira: FakeJira;
let linear: FakeLinear;
let values: string[];
beforeAll(async () => {
  [fly, github, jira, linear] = await Promise.all([startFakeFly(), startFakeGithub(), startFakeJira(), startFakeLinear()]);
  github.addToken(TOKEN);
  seedAcme(github);
  const env = {
    ...SECRETS,
    STORAGE_URL: 'memory:',
    POLL_INTERVAL_MS: '3600000',
    FLY_API_TOKEN: fly.token,
    FLY_API_URL: fly.url,
    FLY_SESSIONS_APP: FAKE_FLY_APP,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    JIRA_HOST: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    LINEAR_API_KEY: linear.apiKey,
    LINEAR_API_URL: linear.url,
  };
  values = [...Object.values(SECRETS), fly.token, TOKEN, jira.apiToken, linear.apiKey];
  s = await startServerProcess(env);
  s.neverReveal(fly.token);
  expect(
    (
      await s.call('POST', '/api/mappings', {
        token: true,
        body: {
          teamKey: 'ENG',
          owner: 'acme',
          repo: 'widgets',
          defaultBranch: 'main',
          ticketing: 'linear',
          extraEnv: { X: 'y' },
        },
      })
    ).status,
  ).toBe(200);
}, 60_000);
afterAll(async () => {
  await s?.close();
  await Promise.all([fly?.close(), github?.close(), jira?.close(), linear?.close()]);
});

describe('no secret value in any answer', () => {
  it.each(ADMIN_ENDPOINTS)('%s %s, with the token, without it, and with a bad body', async (method, path) => {
    await s.call(method, path, { token: true, body: { name: 'X', value: 'y', mode: 'gha', jql: 'project = ENG' } });
    await s.call(method, path, { body: {} });
    await s.call(method, path, { token: true, raw: '{"broken":' });
    // Secrets offered in the request are not echoed back either.
    await s.call(method, path, {
      token: true,
      body: { code: ACCESS_CODE, value: RUNNER_SECRET, name: SECRETS.GITHUB_WEBHOOK_SECRET },
    });
  });

  it('the callback, session, webhook and trigger endpoints, with credentials that are secrets of something else', async () => {
    for (const [method, path] of [
      ['POST', '/runner/result'],
      ['POST', '/runner/progress'],
      ['GET', '/runner/planning-context'],
      ['POST', '/api/token'],
      ['POST', '/api/status'],
      ['POST', '/api/step-report'],
      ['POST', '/api/github/webhook'],
      ['POST', '/trigger/gap-fill'],
      ['POST', '/webhooks/linear'],
    ] as const) {
      for (const token of [RUNNER_SECRET, ACCESS_CODE, SECRETS.GAP_FILL_TRIGGER_SECRET]) {
        await s.call(method, path, { token, body: { nonce: RUNNER_SECRET, owner: 'acme', issueKey: 'ENG-1', prNumber: 1 } });
      }
    }
  });

  it('the other admin and v1 routes', async () => {
    for (const path of ['/api/v1/secrets', '/api/tracker/issues', '/healthz', '/api/no-such-route', '/admin', '/metrics']) {
      await s.call('GET', path, { token: true });
    }
  });

  it('nor in what the process wrote to its output', () => {
    const output = s.output();
    for (const value of values) expect(output.includes(value), 'a secret value in the process output').toBe(false);
  });
});
