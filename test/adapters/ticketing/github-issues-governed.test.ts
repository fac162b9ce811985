import { afterEach, describe, expect, it } from 'vitest';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import type { FakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { githubIssuesSubject, githubMapping as mapping } from '../../fakes/github/github-issues-subject.js';

/**
 * The GitHub Issues adapter behind its connection's request governor, the fake GitHub and the
 * governor on one manual clock: GitHub's secondary limit (403 with `retry-after`) and its
 * primary budget (`x-ratelimit-remaining: 0` until `x-ratelimit-reset`) hold every request
 * for the window — nothing is sent inside it.
 */
let fake: FakeGithub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function governed() {
  const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
  const governors = createGovernorRegistry({ now: () => clock.t, random: () => 0.5 });
  const governor = governors.forConnection({ service: 'github', baseUrl: 'https://fake-github.test', credential: 'x' });
  const made = await githubIssuesSubject({ governor, now: () => clock.t, retry: { maxAttempts: 1 } }, { now: () => clock.t });
  fake = made.fake;
  await made.subject.seed([{ title: 'x', triggered: true }]);
  return { ...made, clock, governors, fake: made.fake };
}

const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  status: '403',
};

describe('GitHub Issues behind its request governor', () => {
  it('a 403 secondary limit with retry-after: no request inside the window, the next one after it', async () => {
    const { fake, ticketing, clock, governors } = await governed();
    fake.secondaryRateLimit({ retryAfterSeconds: 60, times: 100 });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({
      kind: 'rateLimited',
      retryAfterMs: 60_000,
    });
    const sent = fake.requests.length;
    for (let s = 0; s < 59; s++) {
      clock.t += 1_000;
      expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({
        kind: 'rateLimited',
        message: 'GitHub rate limited until 09:01:00 UTC',
      });
      expect((await ticketing.comment(`acme/widgets#1`, 'held'))._unsafeUnwrapErr().kind).toBe('rateLimited');
    }
    expect(fake.requests.length).toBe(sent);
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'github', state: 'limited' });
    clock.t += 1_000;
    await ticketing.listCandidates(mapping);
    expect(fake.requests.length).toBe(sent + 1);
  });

  it('a 403 with retry-after and x-ratelimit-remaining 0: nothing until the budget resets, though retry-after is shorter', async () => {
    const { fake, ticketing, clock } = await governed();
    const reset = Math.floor(clock.t / 1000) + 600;
    fake.failNext({
      status: 403,
      body: SECONDARY,
      headers: { 'retry-after': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr().kind).toBe('rateLimited');
    const sent = fake.requests.length;
    for (const step of [1_000, 30_000, 60_000, 500_000]) {
      clock.t += step;
      expect((await ticketing.getIssue('acme/widgets#1'))._unsafeUnwrapErr().kind).toBe('rateLimited');
    }
    expect(fake.requests.length).toBe(sent);
    clock.t = reset * 1000;
    expect((await ticketing.getIssue('acme/widgets#1')).isOk()).toBe(true);
    expect(fake.requests.length).toBe(sent + 1);
  });

  it('a successful answer saying x-ratelimit-remaining 0 holds the next request until x-ratelimit-reset', async () => {
    const { fake, ticketing, clock } = await governed();
    const reset = Math.floor(clock.t / 1000) + 120;
    fake.failNext({ status: 200, body: [], headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    expect((await ticketing.listCandidates(mapping)).isOk()).toBe(true);
    const sent = fake.requests.length;
    clock.t += 60_000;
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    expect(fake.requests.length).toBe(sent);
    clock.t = reset * 1000;
    expect((await ticketing.listCandidates(mapping)).isOk()).toBe(true);
    expect(fake.requests.length).toBeGreaterThan(sent);
  });

  it('the primary limit exhausted (403 "API rate limit exceeded"): rateLimited until the reset, nothing sent meanwhile', async () => {
    const { fake, ticketing, clock } = await governed();
    fake.exhaustRateLimit({ resetInSeconds: 300 });
    const error = (await ticketing.listCandidates(mapping))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: 'rateLimited' });
    expect(error.kind === 'rateLimited' && error.retryAfterMs).toBeGreaterThanOrEqual(300_000);
    const sent = fake.requests.length;
    clock.t += 200_000;
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr().kind).toBe('rateLimited');
    expect(fake.requests.length).toBe(sent);
  });

  it('a comment GitHub stored but answered 502 is looked for before it is posted again, in this call or a later one', async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governor = createGovernorRegistry({ now: () => clock.t, random: () => 0.5 }).forConnection({
      service: 'github',
      baseUrl: 'https://fake-github.test',
      credential: 'x',
    });
    const sleep = async (ms: number) => {
      clock.t += ms;
    };
    const made = await githubIssuesSubject({ governor, now: () => clock.t, retry: { sleep } }, { now: () => clock.t });
    fake = made.fake;
    await made.subject.seed([
      { title: 'a', triggered: true },
      { title: 'b', triggered: true },
    ]);
    const COMMENTS = /\/issues\/\d+\/comments$/;
    made.fake.failNext({ method: 'POST', path: COMMENTS, status: 502, afterHandling: true });
    expect((await made.ticketing.comment('acme/widgets#1', 'PR opened')).isOk()).toBe(true);
    expect(made.fake.issue('acme', 'widgets', 1)?.comments.map((c) => c.body)).toEqual(['PR opened']);

    made.fake.failNext({ method: 'POST', path: COMMENTS, status: 502, afterHandling: true });
    made.fake.failNext({ status: 502, times: 3 });
    expect((await made.ticketing.comment('acme/widgets#2', 'Run failed')).isErr()).toBe(true);
    clock.t += 60_000;
    expect((await made.ticketing.comment('acme/widgets#2', 'Run failed')).isOk()).toBe(true);
    expect(made.fake.issue('acme', 'widgets', 2)?.comments.map((c) => c.body)).toEqual(['Run failed']);
  });

  it('a listing GitHub never answers costs one request per call at its deadline, not four', async () => {
    const made = await githubIssuesSubject({ timeoutMs: 300, retry: { sleep: async () => undefined } });
    fake = made.fake;
    made.fake.failNext({ status: 200, hang: true, times: 10 });
    const started = performance.now();
    expect((await made.ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(made.fake.requests.filter((r) => r.status === 0)).toHaveLength(1);
  });
});
