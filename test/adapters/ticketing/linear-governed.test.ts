import { afterEach, describe, expect, it } from 'vitest';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { createManualClock } from '../../../adapters/system/system-clock.adapter.js';
import { createLinearTicketing } from '../../../adapters/ticketing/linear/linear.adapter.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';

/** The real SDK against the wire-level fake, with the connection's governor and a manual clock. */
const mapping: Mapping = {
  ...MAPPING_DEFAULTS,
  extraEnv: {},
  teamKey: 'ENG',
  owner: 'acme',
  repo: 'app',
  createdAt: 0,
  updatedAt: 0,
};

let fake: FakeLinear | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function governed(timeoutMs = 15_000) {
  fake = await startFakeLinear();
  fake.store.addTeam('ENG');
  fake.store.addIssue({ teamKey: 'ENG', title: 'x', labels: ['AI-Implement'] });
  const clock = createManualClock(Date.UTC(2026, 0, 1, 17, 41, 30));
  const governors = createGovernorRegistry({ now: () => clock.now(), random: () => 0.5 });
  const connection = { service: 'linear', baseUrl: fake.url, credential: fake.apiKey };
  const ticketing = createLinearTicketing({
    apiKey: fake.apiKey,
    apiUrl: fake.url,
    now: () => clock.now(),
    timeoutMs,
    governor: governors.forConnection(connection),
    // As in production: a wait longer than a few seconds is returned, not slept through.
    retry: { maxDelayMs: 5_000, random: () => 0.5, sleep: async (ms) => clock.advance(ms) },
  });
  return { fake, clock, governors, ticketing };
}

describe('Linear behind its request governor', () => {
  it('sends nothing inside a 429 Retry-After window, whatever asks, and asks again once it has passed', async () => {
    const { fake, clock, governors, ticketing } = await governed();
    const t0 = clock.now();
    // When (on the manual clock) each request reached the fake: the clock moves only between calls and in retry sleeps.
    const sentAt: number[] = [];
    const push = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...records) => {
      sentAt.push(clock.now() - t0);
      return push(...records);
    };
    fake.failEvery({ kind: 'rateLimited', status: 429, retryAfterSeconds: 30 });
    // A 1 s poll for 95 s against a Linear that answers every request 429 Retry-After: 30.
    while (clock.now() - t0 < 95_000) {
      const error = (await ticketing.listCandidates(mapping))._unsafeUnwrapErr();
      expect(error.kind).toBe('rateLimited');
      const at = clock.now() - t0;
      if (at > 0 && at < 25_000) expect(error.message).toBe('Linear rate limited until 17:42:00 UTC');
      clock.advance(1_000);
    }
    // One request per window, each at or after the end of the one before.
    expect(sentAt).toEqual([0, 30_000, 60_000, 90_000]);
    expect(governors.list(clock.now())[0]).toMatchObject({ service: 'linear', state: 'limited', remaining: 0 });

    clock.advance(30_000);
    fake.failEvery(undefined);
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(1);
    expect(sentAt).toHaveLength(5);
    expect(governors.list(clock.now())[0]).toMatchObject({ state: 'ok' });
  });

  it("treats Linear's RATELIMITED (HTTP 400) as a window until the reset it names, and says so", async () => {
    const { fake, clock, ticketing } = await governed();
    fake.fail({ kind: 'rateLimited', resetInMs: 3_600_000 });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr().kind).toBe('rateLimited');
    clock.advance(60_000);
    const second = (await ticketing.listCandidates(mapping))._unsafeUnwrapErr();
    expect(second).toMatchObject({
      kind: 'rateLimited',
      message: expect.stringMatching(/^Linear rate limited until \d\d:\d\d:\d\d UTC$/),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('never retries a GraphQL user error, and it does not count toward the circuit', async () => {
    const { fake, governors, ticketing, clock } = await governed();
    for (let i = 0; i < 8; i++) expect((await ticketing.getIssue('no-such-issue'))._unsafeUnwrapErr().kind).toBe('notFound');
    expect(fake.requests).toHaveLength(8);
    expect(governors.list(clock.now())[0]).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
  });

  it('opens the circuit after repeated 5xx, sends nothing while open, and probes once after the cool-down', async () => {
    const { fake, clock, governors, ticketing } = await governed();
    fake.failEvery({ kind: 'serverError', status: 502 });
    // retryServiceCall's 4 attempts per call, each after the backoff the governor set.
    await ticketing.listCandidates(mapping);
    await ticketing.listCandidates(mapping);
    const sent = fake.requests.length;
    expect(sent).toBe(5);
    expect(governors.list(clock.now())[0]).toMatchObject({ state: 'open', consecutiveFailures: 5 });
    const held = (await ticketing.listCandidates(mapping))._unsafeUnwrapErr();
    expect(held).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^Linear circuit open since/) });
    expect(fake.requests).toHaveLength(sent);

    clock.advance(30_000);
    fake.failEvery(undefined);
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(1);
    expect(fake.requests).toHaveLength(sent + 1);
    expect(governors.list(clock.now())[0]).toMatchObject({ state: 'ok' });
  });

  it('ends a request Linear accepts and never answers at its deadline', async () => {
    const { fake, ticketing } = await governed(300);
    fake.failEvery({ kind: 'hang' });
    const started = performance.now();
    const error = (await ticketing.getIssue('x'))._unsafeUnwrapErr();
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/timeout|abort/i);
    // Four attempts of 300 ms, not Node's 300 s header timeout.
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
