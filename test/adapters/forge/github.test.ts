import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  classifyRun,
  createGithubForge,
  type GithubForgeOptions,
  hasMarker,
} from '../../../adapters/forge/github/github.adapter.js';
import type { WorkflowRun } from '../../../ports/forge.port.js';
import { forgeContract } from '../../../testing/contracts/forge.contract.js';
import { type FakeGithub, type FakeGithubOptions, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import {
  APP_ID,
  APP_PERMISSIONS,
  appKeys,
  dispatchInputs,
  IMPLEMENT_FILE,
  INSTALLATION_ID,
  OWNER,
  REPO,
  seedAcme,
  TOKEN,
} from '../../../testing/fakes/github/seed.js';
import { blobSha } from '../../../testing/fakes/github/state.js';

const acme = { owner: OWNER, repo: REPO };
let keys: { privateKey: string; publicKey: string };
const open: FakeGithub[] = [];

beforeAll(() => {
  keys = appKeys();
});

afterEach(async () => {
  vi.useRealTimers();
  while (open.length > 0) await open.pop()?.close();
});

async function fakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const fake = await startFakeGithub(options);
  open.push(fake);
  fake.addToken(TOKEN);
  seedAcme(fake);
  fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
  return fake;
}

/** No test waits for real backoff: sleeps are recorded (and may move a shared clock). */
function forgeOn(fake: FakeGithub, auth: GithubForgeOptions['auth'], extra: Partial<GithubForgeOptions> = {}) {
  const sleeps: number[] = [];
  const forge = createGithubForge({
    baseUrl: fake.url,
    auth,
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    ...extra,
  });
  return { forge, sleeps };
}

const tokenAuth = { token: TOKEN };
const appAuth = () => ({ appId: APP_ID, privateKey: keys.privateKey });

function subjectFor(authOf: () => GithubForgeOptions['auth']) {
  return async () => {
    const fake = await fakeGithub();
    const auth = authOf();
    return {
      ...('token' in auth ? { mintsRepoTokens: false as const } : {}),
      forge: forgeOn(fake, auth).forge,
      repo: acme,
      workflowFile: IMPLEMENT_FILE,
      inputsFor: (marker: string) => dispatchInputs(marker),
      pushBranch: async (branch: string, files: Record<string, string>) => fake.addBranch(OWNER, REPO, branch, files),
      cleanup: () => fake.close(),
    };
  };
}

forgeContract(
  'github (token auth) against the fake GitHub',
  subjectFor(() => tokenAuth),
);
forgeContract('github (App auth) against the fake GitHub', subjectFor(appAuth));

const calls = (fake: FakeGithub, method: string, path: string | RegExp) =>
  fake.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
const DISPATCH_PATH = `/repos/${OWNER}/${REPO}/actions/workflows/${IMPLEMENT_FILE}/dispatches`;

describe('github forge: authentication', () => {
  it('sends the configured token as `authorization: token …`', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    expect((await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-a'))).isOk()).toBe(true);
    expect(calls(fake, 'POST', DISPATCH_PATH)[0]?.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it('answers auth for a rejected token and does not retry it', async () => {
    const fake = await fakeGithub();
    const { forge, sleeps } = forgeOn(fake, { token: 'ghp_revoked' });
    const result = await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-a'));
    expect(result._unsafeUnwrapErr()).toEqual({ kind: 'auth', message: 'Bad credentials' });
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('as an App: finds the installation with a verified JWT, then acts with an installation token', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, appAuth());
    expect((await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-a'))).isOk()).toBe(true);

    const [lookup] = calls(fake, 'GET', `/repos/${OWNER}/${REPO}/installation`);
    expect(lookup?.status).toBe(200);
    expect(lookup?.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const [mint] = calls(fake, 'POST', `/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(mint?.status).toBe(201);
    const issued = fake.issuedTokens();
    expect(issued).toHaveLength(1);
    expect(calls(fake, 'POST', DISPATCH_PATH)[0]?.headers.authorization).toBe(`token ${issued[0]?.token}`);
  });

  it('as an App: reuses the installation token until five minutes before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2030-01-01T12:00:00Z');
    vi.setSystemTime(t0);
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, appAuth());
    const mints = () => calls(fake, 'POST', `/app/installations/${INSTALLATION_ID}/access_tokens`).length;

    await forge.getFile(acme, 'README.md', 'main');
    await forge.getFile(acme, 'README.md', 'main');
    vi.setSystemTime(t0 + 54 * 60_000);
    await forge.getFile(acme, 'README.md', 'main');
    expect(mints()).toBe(1);
    expect(calls(fake, 'GET', `/repos/${OWNER}/${REPO}/installation`)).toHaveLength(1);

    vi.setSystemTime(t0 + 56 * 60_000);
    expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrap()).toBe('# widgets\n');
    expect(mints()).toBe(2);
  });

  it('as an App: a JWT signed with another key is refused (auth), and not retried', async () => {
    const fake = await fakeGithub();
    const { forge, sleeps } = forgeOn(fake, { appId: APP_ID, privateKey: appKeys().privateKey });
    const result = await forge.getFile(acme, 'README.md', 'main');
    expect(result._unsafeUnwrapErr()).toEqual({ kind: 'auth', message: 'A JSON web token could not be decoded' });
    expect(calls(fake, 'GET', `/repos/${OWNER}/${REPO}/installation`)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('as an App: a repository the App is not installed on is notFound', async () => {
    const fake = await fakeGithub();
    fake.addRepo({ owner: 'other-org', repo: 'tools' });
    const { forge } = forgeOn(fake, appAuth());
    expect((await forge.mintRepoToken({ owner: 'other-org', repo: 'tools' }, 'write'))._unsafeUnwrapErr().kind).toBe('notFound');
  });
});

describe('github forge: repository tokens', () => {
  it('as an App: asks for a token naming only that repository, with contents and pull-request write', async () => {
    const fake = await fakeGithub();
    seedAcme(fake, 'gadgets');
    const { forge } = forgeOn(fake, appAuth());
    const minted = (await forge.mintRepoToken(acme, 'write'))._unsafeUnwrap();

    const [mint] = calls(fake, 'POST', `/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(mint?.body).toEqual({ repositories: [REPO], permissions: { contents: 'write', pull_requests: 'write' } });
    const issued = fake.issuedTokens().find((t) => t.token === minted.token);
    expect(issued?.repositories).toEqual([REPO]);
    expect(minted.expiresAt).toBe(issued?.expiresAt ? Math.floor(issued.expiresAt / 1000) * 1000 : Number.NaN);

    // The token works on its repository and nowhere else, and cannot dispatch workflows.
    const asSession = (path: string, init: RequestInit = {}) =>
      fetch(`${fake.url}${path}`, {
        ...init,
        headers: { authorization: `token ${minted.token}`, 'content-type': 'application/json' },
      });
    expect((await asSession(`/repos/${OWNER}/${REPO}/contents/README.md`)).status).toBe(200);
    expect((await asSession(`/repos/${OWNER}/gadgets/contents/README.md`)).status).toBe(404);
    const dispatch = await asSession(DISPATCH_PATH, {
      method: 'POST',
      body: JSON.stringify({ ref: 'main', inputs: dispatchInputs('j') }),
    });
    expect(dispatch.status).toBe(403);
  });

  it('as an App: a read token asks for contents read only', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, appAuth());
    const minted = (await forge.mintRepoToken(acme, 'read'))._unsafeUnwrap();
    const [mint] = calls(fake, 'POST', `/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(mint?.body).toEqual({ repositories: [REPO], permissions: { contents: 'read' } });
    expect(fake.issuedTokens().find((t) => t.token === minted.token)?.permissions).toEqual({ contents: 'read' });
  });

  it('as an App: mints a token per call, never a cached or shared one, and revokes it', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, appAuth());
    const first = (await forge.mintRepoToken(acme, 'write'))._unsafeUnwrap();
    const second = (await forge.mintRepoToken(acme, 'write'))._unsafeUnwrap();
    expect(second.token).not.toBe(first.token);
    expect((await forge.revokeRepoToken(first.token)).isOk()).toBe(true);
    expect(calls(fake, 'DELETE', '/installation/token')).toHaveLength(1);
    const status = async (token: string) =>
      (await fetch(`${fake.url}/repos/${OWNER}/${REPO}/contents/README.md`, { headers: { authorization: `token ${token}` } }))
        .status;
    expect(await status(first.token)).toBe(401);
    expect(await status(second.token)).toBe(200);
  });

  it('with a token (PAT): refuses to hand out the orchestrator’s own token', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    const refused = (await forge.mintRepoToken(acme, 'write'))._unsafeUnwrapErr();
    expect(refused.kind).toBe('notConfigured');
    expect(refused.message).toContain('hands out no repository tokens');
    expect(refused.message).not.toContain(TOKEN);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('github forge: rate limits and failures', () => {
  function clocked(fakeOptions: FakeGithubOptions = {}) {
    const clock = { t: Date.parse('2030-01-01T12:00:00Z') };
    return { clock, now: () => clock.t, fakeOptions: { ...fakeOptions, now: () => clock.t } };
  }

  it('403 with the rate limit exhausted waits until the reset, then succeeds', async () => {
    const { clock, now, fakeOptions } = clocked();
    const fake = await fakeGithub(fakeOptions);
    fake.exhaustRateLimit({ resetInSeconds: 10 });
    const sleeps: number[] = [];
    const forge = createGithubForge({
      baseUrl: fake.url,
      auth: tokenAuth,
      now,
      retry: {
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.t += ms;
        },
      },
    });
    expect((await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-r'))).isOk()).toBe(true);
    expect(calls(fake, 'POST', DISPATCH_PATH).map((r) => r.status)).toEqual([403, 204]);
    expect(sleeps).toEqual([11_000]);
  });

  it('429 with retry-after waits that long, then succeeds', async () => {
    const fake = await fakeGithub();
    fake.secondaryRateLimit({ retryAfterSeconds: 3, status: 429 });
    const { forge, sleeps } = forgeOn(fake, tokenAuth);
    expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrap()).toBe('# widgets\n');
    expect(sleeps).toEqual([3000]);
  });

  it('a reset further away than the longest wait comes back as rateLimited with its delay', async () => {
    const { now, fakeOptions } = clocked();
    const fake = await fakeGithub(fakeOptions);
    fake.exhaustRateLimit({ resetInSeconds: 600 });
    const { forge, sleeps } = forgeOn(fake, tokenAuth, { now });
    const error = (await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr();
    expect(error).toEqual({ kind: 'rateLimited', retryAfterMs: 601_000, message: 'API rate limit exceeded for user ID 1.' });
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('5xx is retried with backoff; a persistent one ends as unavailable with its status', async () => {
    const fake = await fakeGithub();
    const README = /\/contents\/README\.md$/;
    fake.failNext({ method: 'GET', path: README, status: 502 });
    const { forge, sleeps } = forgeOn(fake, tokenAuth);
    expect((await forge.getFile(acme, 'README.md', 'main')).isOk()).toBe(true);
    expect(sleeps).toHaveLength(1);

    fake.failNext({ method: 'GET', path: README, status: 503, times: 10 });
    const error = (await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(sleeps).toHaveLength(1 + 3);
  });

  it('a workflow dispatch answered with a 5xx is not sent again: GitHub may have started the run', async () => {
    const fake = await fakeGithub();
    fake.failNext({ method: 'POST', path: DISPATCH_PATH, status: 502, times: 10 });
    const { forge, sleeps } = forgeOn(fake, tokenAuth);
    const error = (await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-5')))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: 'unavailable', status: 502 });
    expect(sleeps).toHaveLength(0);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a refused connection is unavailable', async () => {
    const fake = await fakeGithub();
    const url = fake.url;
    await fake.close();
    const forge = createGithubForge({ baseUrl: url, auth: tokenAuth, retry: { maxAttempts: 2, sleep: async () => {} } });
    expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr().kind).toBe('unavailable');
  });

  it('a bad ref and an unknown input are invalid with GitHub’s message and status, never retried', async () => {
    const fake = await fakeGithub();
    const { forge, sleeps } = forgeOn(fake, tokenAuth);
    const badRef = await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'nope', dispatchInputs('job-x'));
    expect(badRef._unsafeUnwrapErr()).toEqual({ kind: 'invalid', status: 422, message: 'No ref found for: nope' });
    const extra = await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', { ...dispatchInputs('job-x'), surprise: '1' });
    expect(extra._unsafeUnwrapErr()).toEqual({
      kind: 'invalid',
      status: 422,
      message: 'Unexpected inputs provided: ["surprise"]',
    });
    const missing = await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', { job_id: 'job-x' });
    expect(missing._unsafeUnwrapErr()).toMatchObject({
      kind: 'invalid',
      status: 422,
      message: expect.stringMatching(/^Required input '\w+' not provided$/),
    });
    expect(sleeps).toEqual([]);
    expect(fake.dispatches).toHaveLength(0);
  });
});

describe('github forge: linking a dispatch to its run', () => {
  it('dispatches with the inputs, and the template’s run-name carries the job id', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-42', 'ENG-9'));
    expect(fake.dispatches[0]).toMatchObject({
      workflow: IMPLEMENT_FILE,
      ref: 'main',
      inputs: dispatchInputs('job-42', 'ENG-9'),
    });
    const run = (await forge.findRun(acme, IMPLEMENT_FILE, 'job-42'))._unsafeUnwrap();
    expect(run?.name).toBe('ai-implement implementation ENG-9 [job-42]');
  });

  it('asks only for recent workflow_dispatch runs of that workflow', async () => {
    const now = Date.parse('2030-01-03T00:00:00Z');
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth, { now: () => now });
    await forge.findRun(acme, IMPLEMENT_FILE, 'job-1');
    const [list] = calls(fake, 'GET', `/repos/${OWNER}/${REPO}/actions/workflows/${IMPLEMENT_FILE}/runs`);
    expect(list?.query).toMatchObject({ event: 'workflow_dispatch', created: '>=2030-01-01T00:00:00Z', per_page: '100' });
  });

  it('matches the marker as a whole token: job-1 does not link the run of job-12', async () => {
    const fake = await fakeGithub();
    fake.onDispatch(() => ({ createRun: false }));
    const { forge } = forgeOn(fake, tokenAuth);
    fake.createRun({
      owner: OWNER,
      repo: REPO,
      workflow: IMPLEMENT_FILE,
      displayTitle: 'ai-implement implementation ENG-1 [job-12]',
    });
    expect((await forge.findRun(acme, IMPLEMENT_FILE, 'job-1'))._unsafeUnwrap()).toBeUndefined();
    fake.createRun({
      owner: OWNER,
      repo: REPO,
      workflow: IMPLEMENT_FILE,
      displayTitle: 'ai-implement implementation ENG-1 [job-1]',
      createdAt: 1,
    });
    // Created long ago: outside the lookback window, so still not linked.
    expect((await forge.findRun(acme, IMPLEMENT_FILE, 'job-1'))._unsafeUnwrap()).toBeUndefined();
    const recent = fake.createRun({
      owner: OWNER,
      repo: REPO,
      workflow: IMPLEMENT_FILE,
      displayTitle: 'ai-implement implementation ENG-1 [job-1]',
    });
    expect((await forge.findRun(acme, IMPLEMENT_FILE, 'job-1'))._unsafeUnwrap()?.id).toBe(String(recent.id));
  });

  it('pages through busy workflows to find an older run, and ignores runs of other events', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    const base = Date.now() - 60_000;
    fake.createRun({ owner: OWNER, repo: REPO, workflow: IMPLEMENT_FILE, displayTitle: 'x [job-old]', createdAt: base });
    fake.createRun({
      owner: OWNER,
      repo: REPO,
      workflow: IMPLEMENT_FILE,
      displayTitle: 'x [job-push]',
      createdAt: base + 1,
      event: 'push',
    });
    for (let i = 0; i < 150; i++) {
      fake.createRun({
        owner: OWNER,
        repo: REPO,
        workflow: IMPLEMENT_FILE,
        displayTitle: `x [job-n${i}]`,
        createdAt: base + 10 + i,
      });
    }
    expect((await forge.findRun(acme, IMPLEMENT_FILE, 'job-old'))._unsafeUnwrap()?.name).toBe('x [job-old]');
    expect(calls(fake, 'GET', /\/runs$/).map((r) => r.query.page)).toEqual(['1', '2']);
    expect((await forge.findRun(acme, IMPLEMENT_FILE, 'job-push'))._unsafeUnwrap()).toBeUndefined();
  });

  it('reports the run’s progress, and classifyRun turns a GitHub timeout into timed_out / timed_out', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    const dispatchedAt = Date.now();
    await forge.dispatchWorkflow(acme, IMPLEMENT_FILE, 'main', dispatchInputs('job-t'));
    const runId = fake.dispatches[0]?.runId ?? 0;
    const look = async () =>
      classifyRun((await forge.findRun(acme, IMPLEMENT_FILE, 'job-t'))._unsafeUnwrap(), dispatchedAt, Date.now());

    expect(await look()).toMatchObject({ status: 'dispatched', runId: String(runId) });
    fake.updateRun(runId, { status: 'in_progress' });
    expect(await look()).toMatchObject({ status: 'running', runId: String(runId) });
    fake.updateRun(runId, { status: 'completed', conclusion: 'timed_out' });
    expect(await look()).toEqual({
      status: 'timed_out',
      timedOutReason: 'timed_out',
      conclusion: 'timed_out',
      runId: String(runId),
      runUrl: `https://github.example/${OWNER}/${REPO}/actions/runs/${runId}`,
    });
  });
});

describe('classifyRun', () => {
  const t0 = 1_000_000;
  const run = (status: WorkflowRun['status'], conclusion?: string): WorkflowRun => ({
    id: '9',
    url: 'https://github.example/acme/widgets/actions/runs/9',
    name: 'ai-implement implementation ENG-1 [job-1]',
    status,
    createdAt: t0 + 5000,
    ...(conclusion ? { conclusion } : {}),
  });

  it('waits for a run for ten minutes, then says run_not_found', () => {
    expect(classifyRun(undefined, t0, t0 + 10 * 60_000 - 1)).toEqual({ status: 'dispatched' });
    expect(classifyRun(undefined, t0, t0 + 10 * 60_000)).toEqual({ status: 'timed_out', timedOutReason: 'run_not_found' });
    expect(classifyRun(undefined, t0, t0 + 60_000, 30_000)).toEqual({ status: 'timed_out', timedOutReason: 'run_not_found' });
  });

  it('maps a linked run’s state, whatever the time since dispatch', () => {
    const late = t0 + 3 * 60 * 60_000;
    expect(classifyRun(run('queued'), t0, late)).toMatchObject({ status: 'dispatched', runId: '9' });
    expect(classifyRun(run('in_progress'), t0, late)).toMatchObject({ status: 'running', runId: '9' });
    expect(classifyRun(run('completed', 'success'), t0, late)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(classifyRun(run('completed', 'failure'), t0, late)).toMatchObject({ status: 'failed', conclusion: 'failure' });
    expect(classifyRun(run('completed', 'cancelled'), t0, late)).toMatchObject({ status: 'failed', conclusion: 'cancelled' });
    expect(classifyRun(run('completed', 'startup_failure'), t0, late)).toMatchObject({ status: 'failed' });
    expect(classifyRun(run('completed', 'timed_out'), t0, late)).toMatchObject({
      status: 'timed_out',
      timedOutReason: 'timed_out',
    });
    expect(classifyRun(run('completed'), t0, late)).toMatchObject({ status: 'failed', conclusion: 'unknown' });
  });

  it('hasMarker needs the marker as a whole token', () => {
    expect(hasMarker('ai-implement planning ENG-1 [job-1]', 'job-1')).toBe(true);
    expect(hasMarker('ai-implement planning ENG-1 [job-12]', 'job-1')).toBe(false);
    expect(hasMarker('[xjob-1]', 'job-1')).toBe(false);
    expect(hasMarker('[job-12] then [job-1]', 'job-1')).toBe(true);
    expect(hasMarker('anything', '')).toBe(false);
  });
});

describe('github forge: pull requests and files', () => {
  it('returns an open pull request for the branch without creating another', async () => {
    const fake = await fakeGithub();
    fake.addBranch(OWNER, REPO, 'ai/ENG-3', { 'a.txt': 'a' });
    const { forge } = forgeOn(fake, tokenAuth);
    const first = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-3', base: 'main', title: 'ENG-3', body: '' })
    )._unsafeUnwrap();
    const second = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-3', base: 'main', title: 'ENG-3', body: '' })
    )._unsafeUnwrap();
    expect(second.number).toBe(first.number);
    expect(calls(fake, 'POST', `/repos/${OWNER}/${REPO}/pulls`)).toHaveLength(1);
    expect(calls(fake, 'GET', `/repos/${OWNER}/${REPO}/pulls`).map((r) => r.query.head)).toEqual([
      `${OWNER}:ai/ENG-3`,
      `${OWNER}:ai/ENG-3`,
    ]);
  });

  it('recovers from a race: "A pull request already exists" returns the one that won', async () => {
    const fake = await fakeGithub();
    fake.addBranch(OWNER, REPO, 'ai/ENG-4', { 'b.txt': 'b' });
    const { forge } = forgeOn(fake, tokenAuth);
    const winner = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-4', base: 'main', title: 'ENG-4', body: '' })
    )._unsafeUnwrap();
    fake.failNext({ method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls`, status: 200, body: [] });
    const loser = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-4', base: 'main', title: 'ENG-4', body: '' })
    )._unsafeUnwrap();
    expect(loser.number).toBe(winner.number);
    expect(calls(fake, 'POST', `/repos/${OWNER}/${REPO}/pulls`).map((r) => r.status)).toEqual([201, 422]);
  });

  it('maps a merged pull request’s state; a branch with no commits is invalid with GitHub’s words', async () => {
    const fake = await fakeGithub();
    fake.addBranch(OWNER, REPO, 'ai/ENG-5', { 'c.txt': 'c' });
    fake.addBranch(OWNER, REPO, 'ai/empty');
    const { forge } = forgeOn(fake, tokenAuth);
    const pr = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-5', base: 'main', title: 'ENG-5', body: '' })
    )._unsafeUnwrap();
    expect(pr.state).toBe('open');
    const empty = await forge.openPullRequest(acme, { branch: 'ai/empty', base: 'main', title: 'x', body: '' });
    expect(empty._unsafeUnwrapErr()).toEqual({
      kind: 'invalid',
      status: 422,
      message: 'Validation Failed: No commits between main and ai/empty',
    });
    fake.mergePull(OWNER, REPO, pr.number);
    // A merged pull request is no longer open, so the branch gets a new one.
    fake.addBranch(OWNER, REPO, 'ai/ENG-5', { 'c.txt': 'c2' });
    const next = (
      await forge.openPullRequest(acme, { branch: 'ai/ENG-5', base: 'main', title: 'ENG-5 again', body: '' })
    )._unsafeUnwrap();
    expect(next.number).not.toBe(pr.number);
  });

  it('putFile: creates without sha, updates with the blob sha, and sends nothing for identical text', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    const path = '.github/workflows/extra.yml';
    const puts = () => calls(fake, 'PUT', `/repos/${OWNER}/${REPO}/contents/${path}`);
    await forge.putFile(acme, path, 'one\n', 'add', 'main');
    await forge.putFile(acme, path, 'one\n', 'add again', 'main');
    expect(puts()).toHaveLength(1);
    expect(puts()[0]?.body).toEqual({ message: 'add', branch: 'main', content: Buffer.from('one\n').toString('base64') });
    await forge.putFile(acme, path, 'two\n', 'update', 'main');
    expect(puts()).toHaveLength(2);
    expect(puts()[1]?.body).toMatchObject({ sha: blobSha('one\n') });
    expect(fake.readFile(OWNER, REPO, path)).toBe('two\n');
  });

  it('putFile: a conflicting write (409) is read again and retried', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    fake.failNext({
      method: 'PUT',
      path: `/repos/${OWNER}/${REPO}/contents/README.md`,
      status: 409,
      body: { message: 'README.md does not match abc' },
    });
    expect((await forge.putFile(acme, 'README.md', '# new\n', 'update', 'main')).isOk()).toBe(true);
    expect(fake.readFile(OWNER, REPO, 'README.md')).toBe('# new\n');
  });

  it('as an App without the workflows permission, writing a workflow file is refused (auth)', async () => {
    const fake = await fakeGithub();
    fake.state.installations.get(INSTALLATION_ID)!.permissions = { actions: 'write', contents: 'write', pull_requests: 'write' };
    const { forge } = forgeOn(fake, appAuth());
    const error = (await forge.putFile(acme, '.github/workflows/x.yml', 'x', 'add', 'main'))._unsafeUnwrapErr();
    expect(error).toEqual({ kind: 'auth', message: 'Resource not accessible by integration' });
    expect((await forge.putFile(acme, 'docs/x.md', 'x', 'add', 'main')).isOk()).toBe(true);
  });

  it('getFile: a missing file is undefined; a missing ref is notFound', async () => {
    const fake = await fakeGithub();
    const { forge } = forgeOn(fake, tokenAuth);
    expect((await forge.getFile(acme, 'nope.md', 'main'))._unsafeUnwrap()).toBeUndefined();
    expect((await forge.getFile(acme, 'README.md', 'no-branch'))._unsafeUnwrapErr()).toEqual({
      kind: 'notFound',
      message: 'No commit found for the ref no-branch',
    });
    expect((await forge.getFile(acme, '.github', 'main'))._unsafeUnwrapErr()).toMatchObject({ kind: 'invalid' });
  });
});
