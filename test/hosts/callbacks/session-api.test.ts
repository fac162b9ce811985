import { asValue } from 'awilix';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../../core/app/dispatch/run-environment.js';
import type { StepHistoryService } from '../../../core/app/runs/step-history.service.js';
import type { RunLaunch } from '../../../ports/runner.port.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import {
  APP_ID,
  APP_PERMISSIONS,
  appKeys,
  INSTALLATION_ID,
  OWNER,
  REPO,
  seedAcme,
  TOKEN,
} from '../../../testing/fakes/github/seed.js';
import { T0 } from '../harness.js';
import {
  type CallbackHarness,
  type CallbackHarnessOptions,
  EXTRA_SECRET,
  errorOf,
  resultBody,
  startCallbackHarness,
  validStep,
} from './callbacks-harness.js';

const AT = new Date(T0).toISOString();
let keys: { privateKey: string; publicKey: string };
beforeAll(() => {
  keys = appKeys();
});

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function started(options: CallbackHarnessOptions = {}): Promise<{ h: CallbackHarness; run: RunLaunch; nonce: string }> {
  const h = await startCallbackHarness(options);
  open.push(h);
  await h.createIssue();
  const run = await h.dispatch();
  return { h, run, nonce: run.env[RUN_ENV.nonce]! };
}

async function fakeGithub(): Promise<FakeGithub> {
  const fake = await startFakeGithub();
  open.push(fake);
  fake.addToken(TOKEN);
  seedAcme(fake);
  seedAcme(fake, 'other-repo');
  fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
  return fake;
}

describe('POST /api/token', () => {
  it('App credentials: a token narrowed to the job repository, from the fake GitHub', async () => {
    const fake = await fakeGithub();
    const { h, nonce } = await started({
      env: { GITHUB_APP_ID: String(APP_ID), GITHUB_APP_PRIVATE_KEY: keys.privateKey, GITHUB_API_URL: fake.url },
    });
    const res = await h.call('POST', '/api/token', { body: { nonce, owner: 'ACME' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresAt: string; owner: string; repo: string };
    expect(body).toMatchObject({ owner: OWNER, repo: REPO });
    const issued = fake.issuedTokens().find((t) => t.token === body.token);
    expect(issued?.repositories).toEqual([REPO]);
    // A planning run only clones: contents read is all its token gets (issue 13).
    expect(issued?.permissions).toEqual({ contents: 'read' });
    // GitHub states the expiry in whole seconds.
    expect(Date.parse(body.expiresAt)).toBe(Math.floor((issued?.expiresAt ?? 0) / 1000) * 1000);
  });

  it('App credentials: the minted token is redacted from what the run posts after (issue 13)', async () => {
    const fake = await fakeGithub();
    const { h, run, nonce } = await started({
      env: { GITHUB_APP_ID: String(APP_ID), GITHUB_APP_PRIVATE_KEY: keys.privateKey, GITHUB_API_URL: fake.url },
    });
    const { token } = (await (await h.call('POST', '/api/token', { body: { nonce, owner: OWNER } })).json()) as { token: string };
    const reason = `push failed: ${Buffer.from(`x-access-token:${token}`).toString('base64')} / ${token}`;
    expect((await h.call('POST', '/api/status', { body: { nonce, event: 'session_failed', reason } })).status).toBe(200);
    const body = (await h.issue(run.job.issueId)).comments.at(-1)?.body ?? '';
    expect(body).not.toContain(token);
    expect(body).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64').slice(8, 40));
    expect(body).toContain('[REDACTED]');
  });

  it('token (PAT) credentials: refused with 500, the orchestrator’s own token never handed out (issue 13)', async () => {
    const fake = await fakeGithub();
    const { h, nonce } = await started({ env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url } });
    const res = await h.call('POST', '/api/token', { body: { nonce, owner: OWNER } });
    expect(await errorOf(res)).toEqual({ status: 500, error: 'Failed to generate token' });
    expect(fake.requests).toHaveLength(0);
  });

  it('400 nonce and owner are required', async () => {
    const { h, nonce } = await started();
    for (const body of [{}, { nonce }, { owner: OWNER }, { nonce: '', owner: OWNER }, { nonce, owner: 3 }, []]) {
      expect(await errorOf(await h.call('POST', '/api/token', { body }))).toEqual({
        status: 400,
        error: 'nonce and owner are required',
      });
    }
  });

  it('403 Invalid or expired nonce: unknown, or its job has finished', async () => {
    const { h, run, nonce } = await started();
    expect(await errorOf(await h.call('POST', '/api/token', { body: { nonce: 'made-up', owner: OWNER } }))).toEqual({
      status: 403,
      error: 'Invalid or expired nonce',
    });
    expect(
      await errorOf(await h.call('POST', '/api/token', { body: { nonce: run.env[RUN_ENV.progressToken], owner: OWNER } })),
    ).toEqual({
      status: 403,
      error: 'Invalid or expired nonce',
    });
    expect((await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'))).status).toBe(200);
    expect(await errorOf(await h.call('POST', '/api/token', { body: { nonce, owner: OWNER } }))).toEqual({
      status: 403,
      error: 'Invalid or expired nonce',
    });
  });

  it('403 Owner mismatch', async () => {
    const { h, nonce } = await started();
    expect(await errorOf(await h.call('POST', '/api/token', { body: { nonce, owner: 'someone-else' } }))).toEqual({
      status: 403,
      error: 'Owner mismatch',
    });
  });

  it('500 Failed to generate token: a body that is not JSON', async () => {
    const { h } = await started();
    for (const raw of ['{nonce', '']) {
      expect(await errorOf(await h.call('POST', '/api/token', { raw }))).toEqual({
        status: 500,
        error: 'Failed to generate token',
      });
    }
  });

  it('500 Failed to generate token: no GitHub configured, or GitHub refuses', async () => {
    const { h, nonce } = await started();
    expect(await errorOf(await h.call('POST', '/api/token', { body: { nonce, owner: OWNER } }))).toEqual({
      status: 500,
      error: 'Failed to generate token',
    });

    const fake = await fakeGithub();
    const other = await started({
      env: { GITHUB_TOKEN: 'ghp_not_known_to_github', GITHUB_API_URL: fake.url },
    });
    const res = await other.h.call('POST', '/api/token', { body: { nonce: other.nonce, owner: OWNER } });
    expect(await errorOf(res)).toEqual({ status: 500, error: 'Failed to generate token' });
  });
});

describe('POST /api/status', () => {
  it('posts the progress comment with its timestamp, and moves the job to running', async () => {
    const { h, run, nonce } = await started();
    expect((await h.job(run.job.id)).status).toBe('dispatched');
    const res = await h.call('POST', '/api/status', { body: { nonce, event: 'environment_ready' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await h.job(run.job.id)).status).toBe('running');
    expect((await h.issue(run.job.issueId)).comments.at(-1)?.body).toBe(
      `✅ Environment ready. Claude is implementing…\n\n🕒 ${AT}`,
    );
  });

  it.each([
    [{ event: 'session_created' }, '🚀 Session machine created. Cloning repo and running setup…'],
    [
      { event: 'pr_opened', prNumber: 7, prUrl: 'https://github.example/acme/widgets/pull/7' },
      '📝 Claude finished. PR #7 opened: https://github.example/acme/widgets/pull/7',
    ],
    [{ event: 'verification_started' }, '🧪 Running verification script…'],
    [{ event: 'verification_passed' }, '✅ Verification passed'],
    [{ event: 'verification_failed', detail: '2 tests failed' }, '❌ Verification failed: 2 tests failed'],
    [{ event: 'session_cleaned_up', durationMs: 3_723_000 }, '🧹 Session machine cleaned up. Duration: 1h 2m 3s'],
    [
      { event: 'session_failed', reason: 'npm install failed' },
      '⚠️ Session failed: npm install failed. Machine will be cleaned up.',
    ],
    [
      { event: 'session_timed_out', reason: 'lifetime exceeded' },
      '⚠️ Session timed out: lifetime exceeded. Machine will be cleaned up.',
    ],
  ])('%j → the spec text, with the logs link when given', async (fields, headline) => {
    const { h, run, nonce } = await started();
    const logsUrl = 'https://fly.example/apps/sessions/machines/m1/logs';
    expect((await h.call('POST', '/api/status', { body: { nonce, ...fields, logsUrl } })).status).toBe(200);
    expect((await h.issue(run.job.issueId)).comments.at(-1)?.body).toBe(`${headline}\n\n🕒 ${AT} · [Machine logs](${logsUrl})`);
  });

  it('redacts secret values the session received from the comment', async () => {
    const { h, run, nonce } = await started();
    const reason = `auth failed with ${EXTRA_SECRET} and nonce ${nonce}`;
    expect((await h.call('POST', '/api/status', { body: { nonce, event: 'session_failed', reason } })).status).toBe(200);
    const body = (await h.issue(run.job.issueId)).comments.at(-1)?.body ?? '';
    expect(body).toContain('auth failed with [REDACTED] and nonce [REDACTED]');
    expect(body).not.toContain(EXTRA_SECRET);
  });

  it('redacts secret values from the logs link the session gives', async () => {
    const { h, run, nonce } = await started();
    const logsUrl = `https://logs.example/run?key=${EXTRA_SECRET}`;
    expect((await h.call('POST', '/api/status', { body: { nonce, event: 'verification_passed', logsUrl } })).status).toBe(200);
    const body = (await h.issue(run.job.issueId)).comments.at(-1)?.body ?? '';
    expect(body).toContain('[Machine logs](https://logs.example/run?key=[REDACTED])');
    expect(body).not.toContain(EXTRA_SECRET);
  });

  it('400 Invalid JSON body', async () => {
    const { h } = await started();
    expect(await errorOf(await h.call('POST', '/api/status', { raw: '{"nonce":' }))).toEqual({
      status: 400,
      error: 'Invalid JSON body',
    });
  });

  it('400 nonce is required', async () => {
    const { h } = await started();
    for (const body of [{ event: 'session_created' }, { nonce: 5, event: 'session_created' }, [1]]) {
      expect(await errorOf(await h.call('POST', '/api/status', { body }))).toEqual({ status: 400, error: 'nonce is required' });
    }
  });

  it('400 event is required', async () => {
    const { h, nonce } = await started();
    for (const event of [undefined, 3, { type: 'session_created' }]) {
      expect(await errorOf(await h.call('POST', '/api/status', { body: { nonce, event } }))).toEqual({
        status: 400,
        error: 'event is required',
      });
    }
  });

  it('400 Unknown event type: {type}', async () => {
    const { h, nonce } = await started();
    expect(await errorOf(await h.call('POST', '/api/status', { body: { nonce, event: 'coffee_break' } }))).toEqual({
      status: 400,
      error: 'Unknown event type: coffee_break',
    });
  });

  it('403 Invalid or expired nonce', async () => {
    const { h } = await started();
    expect(await errorOf(await h.call('POST', '/api/status', { body: { nonce: 'nope', event: 'session_created' } }))).toEqual({
      status: 403,
      error: 'Invalid or expired nonce',
    });
  });

  it('500 Internal server error: posting the comment failed', async () => {
    const { h, run, nonce } = await started();
    await h.orchestrator.cradle.trackerStore.remove(run.job.issueId);
    expect(await errorOf(await h.call('POST', '/api/status', { body: { nonce, event: 'session_created' } }))).toEqual({
      status: 500,
      error: 'Internal server error',
    });
  });
});

describe('POST /api/step-report', () => {
  it('stores the step and moves the job to running', async () => {
    const { h, run, nonce } = await started();
    const res = await h.call('POST', '/api/step-report', { body: { nonce, step: validStep() } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await h.job(run.job.id)).status).toBe('running');
    expect(await h.orchestrator.cradle.stepHistory.list(run.job.id)).toEqual([
      { ...validStep(), source: 'step-report', receivedAt: T0 },
    ]);
  });

  it('400 Invalid JSON body', async () => {
    const { h } = await started();
    expect(await errorOf(await h.call('POST', '/api/step-report', { raw: 'step' }))).toEqual({
      status: 400,
      error: 'Invalid JSON body',
    });
  });

  it('400 nonce is required', async () => {
    const { h } = await started();
    expect(await errorOf(await h.call('POST', '/api/step-report', { body: { step: validStep() } }))).toEqual({
      status: 400,
      error: 'nonce is required',
    });
  });

  it('400 step is required', async () => {
    const { h, nonce } = await started();
    for (const step of [undefined, 'clone', [validStep()]]) {
      expect(await errorOf(await h.call('POST', '/api/step-report', { body: { nonce, step } }))).toEqual({
        status: 400,
        error: 'step is required',
      });
    }
  });

  it.each(['id', 'type', 'status', 'started_at'])('400 step.%s is required and must be a string', async (field) => {
    const { h, nonce } = await started();
    for (const value of [undefined, 1, false]) {
      const res = await h.call('POST', '/api/step-report', { body: { nonce, step: validStep({ [field]: value }) } });
      expect(await errorOf(res)).toEqual({ status: 400, error: `step.${field} is required and must be a string` });
    }
  });

  it('403 Invalid or expired nonce', async () => {
    const { h } = await started();
    expect(await errorOf(await h.call('POST', '/api/step-report', { body: { nonce: 'nope', step: validStep() } }))).toEqual({
      status: 403,
      error: 'Invalid or expired nonce',
    });
  });

  it('500 Internal server error: the step could not be persisted', async () => {
    const failing: StepHistoryService = {
      append: () => Promise.reject(new Error('disk full')),
      list: async () => [],
      forget: async () => {},
    };
    const { h, nonce } = await started({ overrides: { stepHistory: asValue(failing) } });
    expect(await errorOf(await h.call('POST', '/api/step-report', { body: { nonce, step: validStep() } }))).toEqual({
      status: 500,
      error: 'Internal server error',
    });
  });

  it('needs no admin token even with the admin enabled (self-authenticated by the nonce)', async () => {
    const { h, nonce } = await started();
    expect((await h.call('POST', '/api/step-report', { body: { nonce, step: validStep() } })).status).toBe(200);
    expect((await h.call('POST', '/api/step-report', { body: { nonce, step: validStep() }, token: 'garbage' })).status).toBe(200);
  });
});
