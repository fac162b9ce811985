import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../../adapters/forge/github/github.adapter.js';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { APP_ID, APP_PERMISSIONS, appKeys, INSTALLATION_ID, OWNER, REPO, seedAcme } from '../../../testing/fakes/github/seed.js';

/**
 * A GitHub App's own calls — finding the installation, minting and revoking installation
 * tokens — go through the connection's governor like every other request. The clock starts at
 * the wall clock (the App's JWT is signed with it) and moves by hand.
 */
const acme = { owner: OWNER, repo: REPO };
let keys: { privateKey: string; publicKey: string };
let fake: FakeGithub | undefined;
beforeAll(() => {
  keys = appKeys();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function governedApp() {
  const clock = { t: Date.now() };
  const now = () => clock.t;
  fake = await startFakeGithub({ now });
  seedAcme(fake);
  fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
  fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
  const governors = createGovernorRegistry({ now, random: () => 0.5 });
  const forge = createGithubForge({
    baseUrl: fake.url,
    auth: { appId: APP_ID, privateKey: keys.privateKey },
    now,
    governor: governors.forConnection({ service: 'github', baseUrl: fake.url, credential: `app:${APP_ID}` }),
    retry: { maxAttempts: 1 },
  });
  const sent = (pattern: RegExp) => fake!.requests.filter((r) => pattern.test(r.path)).length;
  return { fake, clock, governors, forge, sent };
}

describe('a GitHub App’s installation-token calls behind the connection’s governor', () => {
  it('a secondary limit met finding the installation holds every request, the App’s own included, for its retry-after', async () => {
    const { fake, clock, governors, forge } = await governedApp();
    fake.failNext({
      path: /\/installation$/,
      status: 403,
      headers: { 'retry-after': '60' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      times: 100,
    });
    expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr()).toMatchObject({
      kind: 'rateLimited',
      retryAfterMs: 60_000,
    });
    const before = fake.requests.length;
    for (let s = 0; s < 59; s++) {
      clock.t += 1_000;
      expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
      expect((await forge.mintRepoToken(acme, 'read'))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    }
    expect(fake.requests.length).toBe(before);
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'github', state: 'limited' });
  });

  it('a 5xx burst while minting installation tokens opens the circuit: no more token requests until the cool-down', async () => {
    const { fake, clock, governors, forge, sent } = await governedApp();
    fake.failNext({ method: 'POST', path: /\/access_tokens$/, status: 502, body: { message: 'Server Error' }, times: 5 });
    for (let i = 0; i < 5; i++) {
      expect((await forge.mintRepoToken(acme, 'write'))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
      clock.t += 31_000; // past each backoff
    }
    clock.t -= 31_000;
    expect(sent(/\/access_tokens$/)).toBe(5);
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'github', state: 'open' });
    clock.t += 5_000;
    expect((await forge.mintRepoToken(acme, 'write'))._unsafeUnwrapErr().message).toMatch(/^GitHub circuit open since /);
    expect(sent(/\/access_tokens$/)).toBe(5);
    clock.t += 30_000;
    const token = (await forge.mintRepoToken(acme, 'write'))._unsafeUnwrap();
    expect(token.token).toMatch(/^ghs_/);
    expect(sent(/\/access_tokens$/)).toBe(6);
    expect(governors.list(clock.t)[0]).toMatchObject({ state: 'ok' });
  });

  it('revoking a session’s token is held back inside a rate-limit window too', async () => {
    const { fake, clock, forge, sent } = await governedApp();
    const token = (await forge.mintRepoToken(acme, 'read'))._unsafeUnwrap();
    fake.secondaryRateLimit({ retryAfterSeconds: 30, times: 1, status: 429 });
    expect((await forge.getFile(acme, 'README.md', 'main')).isErr()).toBe(true);
    clock.t += 10_000;
    expect((await forge.revokeRepoToken(token.token))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    expect(sent(/^\/installation\/token$/)).toBe(0);
    clock.t += 21_000;
    expect((await forge.revokeRepoToken(token.token)).isOk()).toBe(true);
    expect(sent(/^\/installation\/token$/)).toBe(1);
  });
});
