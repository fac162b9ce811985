import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RUN_ENV } from '../../core/app/dispatch/run-environment.js';
import { repoTokenAccess } from '../../core/app/runs/repo-token-leases.js';
import { type FakeGithub, startFakeGithub } from '../../testing/fakes/github/fake-github.js';
import { APP_ID, APP_PERMISSIONS, appKeys, INSTALLATION_ID, OWNER, REPO, seedAcme } from '../../testing/fakes/github/seed.js';
import { type CallbackHarness, resultBody, startCallbackHarness } from '../hosts/callbacks/callbacks-harness.js';

/**
 * Issue 13, "Tokens that die with their run": an App installation token is minted per job with
 * the least permissions its phase needs, and revoked (DELETE /installation/token) when the job ends.
 */

let keys: { privateKey: string; publicKey: string };
beforeAll(() => {
  keys = appKeys();
});
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function world(): Promise<{ fake: FakeGithub; h: CallbackHarness }> {
  const fake = await startFakeGithub();
  open.push(fake);
  seedAcme(fake);
  fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
  const h = await startCallbackHarness({
    env: { GITHUB_APP_ID: String(APP_ID), GITHUB_APP_PRIVATE_KEY: keys.privateKey, GITHUB_API_URL: fake.url },
  });
  open.push(h);
  return { fake, h };
}

const readme = (fake: FakeGithub, token: string) =>
  fetch(`${fake.url}/repos/${OWNER}/${REPO}/contents/README.md`, { headers: { authorization: `token ${token}` } }).then(
    (r) => r.status,
  );

async function eventually(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return probe();
}

describe('repository tokens die with their job', () => {
  it('each /api/token call mints a token of its own for the job repository with contents read (planning)', async () => {
    const { fake, h } = await world();
    await h.createIssue();
    const run = await h.dispatch();
    expect(run.env[RUN_ENV.phase]).toBe('planning');
    const ask = async () =>
      (
        (await (await h.call('POST', '/api/token', { body: { nonce: run.env[RUN_ENV.nonce], owner: OWNER } })).json()) as {
          token: string;
        }
      ).token;
    const [first, second] = [await ask(), await ask()];
    expect(first).not.toBe(second);
    for (const token of [first, second]) {
      const issued = fake.issuedTokens().find((t) => t.token === token);
      expect(issued?.repositories).toEqual([REPO]);
      expect(issued?.permissions).toEqual({ contents: 'read' });
    }
  });

  it('revokes every token of the job at GitHub when the job ends; the tokens stop working', async () => {
    const { fake, h } = await world();
    await h.createIssue();
    const run = await h.dispatch();
    const res = await h.call('POST', '/api/token', { body: { nonce: run.env[RUN_ENV.nonce], owner: OWNER } });
    const { token } = (await res.json()) as { token: string };
    expect(await readme(fake, token)).toBe(200);
    const revokes = () => fake.requests.filter((r) => r.method === 'DELETE' && r.path === '/installation/token');
    expect(revokes()).toHaveLength(0);

    const result = await h.runner('POST', '/runner/result', run.env[RUN_ENV.resultToken], resultBody('planning'));
    expect(result.status).toBe(200);
    expect(await eventually(async () => revokes().length === 1)).toBe(true);
    expect(revokes()[0]?.headers.authorization).toBe(`token ${token}`);
    expect(await readme(fake, token)).toBe(401);
    // A later /api/token with the ended job's nonce is refused: nothing new is minted.
    const after = await h.call('POST', '/api/token', { body: { nonce: run.env[RUN_ENV.nonce], owner: OWNER } });
    expect(after.status).toBe(403);
  });

  it('asks for write (contents and pull requests) only for the implementation phase', () => {
    expect(repoTokenAccess('implementation')).toBe('write');
    expect(repoTokenAccess('planning')).toBe('read');
    expect(repoTokenAccess('gap-analysis')).toBe('read');
  });
});
