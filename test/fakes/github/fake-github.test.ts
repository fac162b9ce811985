import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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

/** Raw HTTP against the fake: the shapes and codes GitHub documents, without Octokit in between. */
let keys: { privateKey: string; publicKey: string };
const open: FakeGithub[] = [];
beforeAll(() => {
  keys = appKeys();
});
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function fake(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const f = await startFakeGithub(options);
  open.push(f);
  f.addToken(TOKEN);
  seedAcme(f);
  f.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  f.addInstallation({
    id: INSTALLATION_ID,
    appId: APP_ID,
    account: OWNER,
    repositories: [REPO],
    permissions: { ...APP_PERMISSIONS },
  });
  return f;
}

function jwt(claims: Record<string, unknown>, privateKey = keys.privateKey): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`;
}
const nowS = () => Math.floor(Date.now() / 1000);
const appJwt = () => jwt({ iat: nowS() - 30, exp: nowS() + 540, iss: APP_ID });

async function call(f: FakeGithub, method: string, path: string, auth: string | undefined, body?: unknown) {
  const res = await fetch(`${f.url}${path}`, {
    method,
    headers: auth ? { authorization: auth } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('fake GitHub: authentication', () => {
  it('answers 401 in GitHub’s error shape, with rate-limit headers on every response', async () => {
    const f = await fake();
    const none = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, undefined);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    const bad = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, 'token ghp_wrong');
    expect(bad.body.message).toBe('Bad credentials');
    const good = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `Bearer ${TOKEN}`);
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ full_name: `${OWNER}/${REPO}`, default_branch: 'main' });
    for (const r of [none, bad, good]) expect(r.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(good.headers.get('x-ratelimit-reset'))).toBeGreaterThan(nowS());
  });

  it('serves the Enterprise Server prefix /api/v3 as well', async () => {
    const f = await fake();
    expect((await call(f, 'GET', `/api/v3/repos/${OWNER}/${REPO}`, `token ${TOKEN}`)).status).toBe(200);
  });

  it('checks App JWTs: signature, issuer, iat, exp and its ten-minute limit', async () => {
    const f = await fake();
    const path = `/repos/${OWNER}/${REPO}/installation`;
    const ok = await call(f, 'GET', path, `Bearer ${appJwt()}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      id: INSTALLATION_ID,
      app_id: APP_ID,
      account: { login: OWNER },
      repository_selection: 'selected',
    });

    const messages = async (token: string) => (await call(f, 'GET', path, `Bearer ${token}`)).body.message;
    expect(await messages(TOKEN)).toBe('A JSON web token could not be decoded');
    expect(await messages(jwt({ iat: nowS() - 30, exp: nowS() + 540, iss: APP_ID }, appKeys().privateKey))).toBe(
      'A JSON web token could not be decoded',
    );
    expect(await messages(jwt({ iat: nowS() - 30, exp: nowS() + 540, iss: 999 }))).toBe('Integration not found');
    expect(await messages(jwt({ iat: nowS() - 700, exp: nowS() - 100, iss: APP_ID }))).toMatch(
      /^'Expiration time' claim \('exp'\) must be/,
    );
    expect(await messages(jwt({ iat: nowS(), exp: nowS() + 3600, iss: APP_ID }))).toBe(
      "'Expiration time' claim ('exp') is too far in the future",
    );
    expect(await messages(jwt({ iat: nowS() + 600, exp: nowS() + 900, iss: APP_ID }))).toMatch(/^'Issued at' claim/);
    // A JWT is for app endpoints only.
    expect((await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `Bearer ${appJwt()}`)).status).toBe(403);
  });

  it('mints installation tokens only within what the installation was granted', async () => {
    const f = await fake();
    f.addRepo({ owner: OWNER, repo: 'secret-sauce' });
    const path = `/app/installations/${INSTALLATION_ID}/access_tokens`;
    const minted = await call(f, 'POST', path, `Bearer ${appJwt()}`, { repositories: [REPO], permissions: { contents: 'read' } });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({
      permissions: { contents: 'read' },
      repository_selection: 'selected',
      repositories: [{ name: REPO }],
    });
    expect(minted.body.token).toMatch(/^ghs_\w{36}$/);
    expect(minted.body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const outside = await call(f, 'POST', path, `Bearer ${appJwt()}`, { repositories: ['secret-sauce'] });
    expect(outside.status).toBe(422);
    expect(outside.body.message).toBe(
      'There is at least one repository that does not exist or is not accessible to the parent installation.',
    );
    const escalate = await call(f, 'POST', path, `Bearer ${appJwt()}`, { permissions: { administration: 'write' } });
    expect(escalate.body.message).toBe('The permissions requested are not granted to this installation.');
    expect((await call(f, 'POST', '/app/installations/9999/access_tokens', `Bearer ${appJwt()}`, {})).status).toBe(404);

    // Read-only contents: reading works, writing is refused.
    const token = `token ${minted.body.token}`;
    expect((await call(f, 'GET', `/repos/${OWNER}/${REPO}/contents/README.md`, token)).status).toBe(200);
    const write = await call(f, 'PUT', `/repos/${OWNER}/${REPO}/contents/x.md`, token, { message: 'm', content: 'eA==' });
    expect(write.body.message).toBe('Resource not accessible by integration');
  });

  it('refuses an installation token once it has expired', async () => {
    const clock = { t: Date.now() };
    const f = await fake({ now: () => clock.t, tokenLifetimeMs: 60_000 });
    const minted = await call(f, 'POST', `/app/installations/${INSTALLATION_ID}/access_tokens`, `Bearer ${appJwt()}`, {});
    expect((await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `token ${minted.body.token}`)).status).toBe(200);
    clock.t += 61_000;
    expect((await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `token ${minted.body.token}`)).body.message).toBe('Bad credentials');
  });
});

describe('fake GitHub: rate limits', () => {
  it('403 with x-ratelimit-remaining 0 until the reset, then the budget is back', async () => {
    const clock = { t: Date.now() };
    const f = await fake({ now: () => clock.t });
    f.exhaustRateLimit({ resetInSeconds: 5 });
    const limited = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `token ${TOKEN}`);
    expect(limited.status).toBe(403);
    expect(limited.body.message).toBe('API rate limit exceeded for user ID 1.');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBe(Math.floor(clock.t / 1000) + 5);
    clock.t += 5000;
    const after = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `token ${TOKEN}`);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-remaining')).toBe('4999');
  });

  it('a secondary limit answers with retry-after', async () => {
    const f = await fake();
    f.secondaryRateLimit({ retryAfterSeconds: 7, status: 429 });
    const limited = await call(f, 'GET', `/repos/${OWNER}/${REPO}`, `token ${TOKEN}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.message).toMatch(/secondary rate limit/);
  });
});

describe('fake GitHub: actions', () => {
  const dispatch = (f: FakeGithub, workflow: string, body: unknown) =>
    call(f, 'POST', `/repos/${OWNER}/${REPO}/actions/workflows/${workflow}/dispatches`, `token ${TOKEN}`, body);

  it('accepts a dispatch with 204 and no body; 404 for an unknown workflow; 422 without the trigger', async () => {
    const f = await fake();
    f.writeFile(OWNER, REPO, '.github/workflows/ci.yml', 'name: CI\non: push\njobs: {}\n');
    const ok = await dispatch(f, IMPLEMENT_FILE, { ref: 'main', inputs: dispatchInputs('job-1') });
    expect(ok).toMatchObject({ status: 204, body: undefined });
    expect((await dispatch(f, 'nope.yml', { ref: 'main' })).status).toBe(404);
    const push = await dispatch(f, 'ci.yml', { ref: 'main' });
    expect(push.body.message).toBe("Workflow does not have 'workflow_dispatch' trigger");
  });

  it('lists runs newest first with GitHub’s filters and paging', async () => {
    const f = await fake();
    const day = Date.parse('2030-05-01T00:00:00Z');
    const mk = (title: string, at: number, extra: { branch?: string; event?: string } = {}) =>
      f.createRun({ owner: OWNER, repo: REPO, workflow: IMPLEMENT_FILE, displayTitle: title, createdAt: at, ...extra });
    mk('a', day - 1000);
    mk('b', day + 1000);
    mk('c', day + 2000, { event: 'push' });
    mk('d', day + 3000, { branch: 'other' });
    f.addBranch(OWNER, REPO, 'other');
    const list = async (query: string) =>
      (await call(f, 'GET', `/repos/${OWNER}/${REPO}/actions/workflows/${IMPLEMENT_FILE}/runs?${query}`, `token ${TOKEN}`))
        .body as {
        total_count: number;
        workflow_runs: Array<{ display_title: string; path: string; event: string; status: string; conclusion: null }>;
      };
    expect((await list('')).workflow_runs.map((r) => r.display_title)).toEqual(['d', 'c', 'b', 'a']);
    expect((await list('created=>=2030-05-01T00:00:00Z')).workflow_runs.map((r) => r.display_title)).toEqual(['d', 'c', 'b']);
    expect((await list('created=2030-04-30')).workflow_runs.map((r) => r.display_title)).toEqual(['a']);
    expect((await list('created=2030-05-01T00:00:01Z..2030-05-01T00:00:02Z')).workflow_runs.map((r) => r.display_title)).toEqual([
      'c',
      'b',
    ]);
    expect((await list('event=push')).workflow_runs.map((r) => r.display_title)).toEqual(['c']);
    expect((await list('branch=main&event=workflow_dispatch')).workflow_runs.map((r) => r.display_title)).toEqual(['b', 'a']);
    const paged = await list('per_page=3&page=2');
    expect(paged.total_count).toBe(4);
    expect(paged.workflow_runs.map((r) => r.display_title)).toEqual(['a']);
    expect(paged.workflow_runs[0]).toMatchObject({
      path: `.github/workflows/${IMPLEMENT_FILE}`,
      status: 'queued',
      conclusion: null,
    });
  });
});

describe('fake GitHub: contents and pulls', () => {
  it('returns files as base64 with git’s blob sha, and demands that sha to replace them', async () => {
    const f = await fake();
    const got = await call(f, 'GET', `/repos/${OWNER}/${REPO}/contents/README.md?ref=main`, `token ${TOKEN}`);
    const gitSha = execFileSync('git', ['hash-object', '--stdin'], { input: '# widgets\n' }).toString().trim();
    expect(got.body).toMatchObject({ type: 'file', encoding: 'base64', path: 'README.md', sha: gitSha, size: 10 });
    expect(Buffer.from(got.body.content, 'base64').toString()).toBe('# widgets\n');

    const path = `/repos/${OWNER}/${REPO}/contents/README.md`;
    const content = Buffer.from('new').toString('base64');
    const noSha = await call(f, 'PUT', path, `token ${TOKEN}`, { message: 'm', content });
    expect(noSha).toMatchObject({ status: 422, body: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' } });
    const stale = await call(f, 'PUT', path, `token ${TOKEN}`, { message: 'm', content, sha: 'f'.repeat(40) });
    expect(stale).toMatchObject({ status: 409, body: { message: `README.md does not match ${'f'.repeat(40)}` } });
    const updated = await call(f, 'PUT', path, `token ${TOKEN}`, { message: 'm', content, sha: gitSha });
    expect(updated.status).toBe(200);
    expect(updated.body.commit.parents).toHaveLength(1);
    const created = await call(f, 'PUT', `/repos/${OWNER}/${REPO}/contents/docs/new.md`, `token ${TOKEN}`, {
      message: 'm',
      content,
    });
    expect(created.status).toBe(201);
    const dir = await call(f, 'GET', `/repos/${OWNER}/${REPO}/contents/docs`, `token ${TOKEN}`);
    expect(dir.body.map((e: { path: string; type: string }) => [e.path, e.type])).toEqual([['docs/new.md', 'file']]);
  });

  it('pulls: 201 on create, GitHub’s 422 for a duplicate, and a head filter needs its owner prefix', async () => {
    const f = await fake();
    f.addBranch(OWNER, REPO, 'ai/ENG-1', { 'x.txt': 'x' });
    const path = `/repos/${OWNER}/${REPO}/pulls`;
    const created = await call(f, 'POST', path, `token ${TOKEN}`, { title: 'ENG-1', head: 'ai/ENG-1', base: 'main' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number: 1,
      state: 'open',
      head: { ref: 'ai/ENG-1', label: `${OWNER}:ai/ENG-1` },
      base: { ref: 'main' },
    });
    const dup = await call(f, 'POST', path, `token ${TOKEN}`, { title: 'again', head: 'ai/ENG-1', base: 'main' });
    expect(dup.status).toBe(422);
    expect(dup.body).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${OWNER}:ai/ENG-1.` }],
    });
    const badHead = await call(f, 'POST', path, `token ${TOKEN}`, { title: 't', head: 'missing', base: 'main' });
    expect(badHead.body.errors).toEqual([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);

    f.addBranch(OWNER, REPO, 'ai/ENG-2', { 'y.txt': 'y' });
    await call(f, 'POST', path, `token ${TOKEN}`, { title: 'ENG-2', head: 'ai/ENG-2', base: 'main' });
    const byHead = await call(f, 'GET', `${path}?head=${OWNER}:ai/ENG-1`, `token ${TOKEN}`);
    expect(byHead.body.map((p: { number: number }) => p.number)).toEqual([1]);
    const unprefixed = await call(f, 'GET', `${path}?head=ai/ENG-1`, `token ${TOKEN}`);
    expect(unprefixed.body).toHaveLength(2);
  });
});
