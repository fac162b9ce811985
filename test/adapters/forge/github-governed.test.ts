import { afterEach, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../../adapters/forge/github/github.adapter.js';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, seedAcme, TOKEN } from '../../../testing/fakes/github/seed.js';

/** The real Octokit against the wire-level fake GitHub, behind the connection's governor, on one shared clock. */
const acme = { owner: OWNER, repo: REPO };
let fake: FakeGithub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function governed(timeoutMs?: number) {
  const clock = { t: Date.parse('2030-01-01T12:00:00Z') };
  const now = () => clock.t;
  fake = await startFakeGithub({ now });
  fake.addToken(TOKEN);
  seedAcme(fake);
  const governors = createGovernorRegistry({ now, random: () => 0.5 });
  const forge = createGithubForge({
    baseUrl: fake.url,
    auth: { token: TOKEN },
    now,
    ...(timeoutMs ? { timeoutMs } : {}),
    governor: governors.forConnection({ service: 'github', baseUrl: fake.url, credential: TOKEN }),
    retry: {
      maxDelayMs: 5_000,
      random: () => 0.5,
      sleep: async (ms) => {
        clock.t += ms;
      },
    },
  });
  return { fake, clock, governors, forge };
}

describe('GitHub behind its request governor', () => {
  it('primary limit: after x-ratelimit-remaining 0, nothing goes until x-ratelimit-reset', async () => {
    const { fake, clock, governors, forge } = await governed();
    fake.exhaustRateLimit({ resetInSeconds: 120 });
    const started = clock.t;
    const sentAt: number[] = [];
    const push = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...records) => {
      sentAt.push(clock.t - started);
      return push(...records);
    };
    // A 1 s poll; the last few polls' retries may sleep through the rest of the window and then succeed.
    while (clock.t - started < 110_000) {
      expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr().kind).toBe('rateLimited');
      clock.t += 1_000;
    }
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'github', state: 'limited', remaining: 0 });
    while (clock.t - started < 130_000) {
      await forge.getFile(acme, 'README.md', 'main');
      clock.t += 1_000;
    }
    // The reset is 120 s away; GitHub's error path adds a second of margin.
    expect(sentAt[0]).toBe(0);
    expect(sentAt.slice(1).every((at) => at >= 121_000)).toBe(true);
    expect(sentAt.length).toBeGreaterThan(1);
  });

  it('a spent budget seen on a successful answer holds the next request back until the reset', async () => {
    const { fake, clock, forge } = await governed();
    expect((await forge.getFile(acme, 'README.md', 'main')).isOk()).toBe(true);
    // The fake now says 0 left on the next answers.
    fake.exhaustRateLimit({ resetInSeconds: 60 });
    fake.requests.length = 0;
    await forge.getFile(acme, 'README.md', 'main');
    clock.t += 10_000;
    await forge.getFile(acme, 'README.md', 'main');
    expect(fake.requests).toHaveLength(1);
  });

  it('secondary limit: 403 with retry-after holds every request for that long', async () => {
    const { fake, clock, forge } = await governed();
    fake.secondaryRateLimit({ retryAfterSeconds: 60, times: 100 });
    const error = (await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: 'rateLimited', retryAfterMs: 60_000 });
    for (let s = 0; s < 50; s++) {
      clock.t += 1_000;
      expect((await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr()).toMatchObject({
        kind: 'rateLimited',
        message: expect.stringMatching(/^GitHub rate limited until 12:01:00 UTC$/),
      });
    }
    expect(fake.requests).toHaveLength(1);
  });

  it('a read GitHub never answers costs one request per call, not four: the deadline is the whole call', async () => {
    const { fake, clock, forge } = await governed(300);
    fake.failNext({ status: 200, hang: true, times: 10 });
    const started = performance.now();
    expect((await forge.findRun(acme, 'ai-implement.yml', 'job-1'))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fake.requests.filter((r) => r.status === 0)).toHaveLength(1);
    // The next poll asks again (after the backoff), once.
    clock.t += 1_000;
    await forge.findRun(acme, 'ai-implement.yml', 'job-1');
    expect(fake.requests.filter((r) => r.status === 0)).toHaveLength(2);
  });

  it('ends a request GitHub accepts and never answers at its deadline', async () => {
    const { fake, forge } = await governed(300);
    fake.failNext({ status: 200, hang: true, times: 10 });
    const started = performance.now();
    const error = (await forge.getFile(acme, 'README.md', 'main'))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/abort|timeout/i) });
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
