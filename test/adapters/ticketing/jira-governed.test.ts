import { afterEach, describe, expect, it } from 'vitest';
import { createGovernorRegistry } from '../../../adapters/shared/request-governor.js';
import { type JiraSubject, jiraSubject } from '../../fakes/jira/jira-subject.js';

/** jira.js against the wire-level fake Jira, behind the connection's governor, on a manual clock. */
let subject: JiraSubject | undefined;
afterEach(async () => {
  await subject?.close();
  subject = undefined;
});

describe('Jira behind its request governor', () => {
  it("holds every request for Jira's Retry-After, then asks again", async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governors = createGovernorRegistry({ now: () => clock.t });
    // The fake's URL is known only once it runs; the governor's key needs none, only its identity.
    const governor = governors.forConnection({ service: 'jira', baseUrl: 'https://fake-jira.test', credential: 'x' });
    subject = await jiraSubject({ retry: { maxAttempts: 1 }, governor });
    const { fake, ticketing, mapping } = subject;
    fake.failNext('rateLimited', { retryAfterSeconds: 20, times: 100 });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({
      kind: 'rateLimited',
      retryAfterMs: 20_000,
    });
    fake.resetRequests();
    for (let s = 0; s < 19; s++) {
      clock.t += 1_000;
      expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({
        kind: 'rateLimited',
        message: 'Jira rate limited until 09:00:20 UTC',
      });
    }
    expect(fake.requestCount()).toBe(0);
    clock.t += 1_000;
    await ticketing.listCandidates(mapping);
    expect(fake.requestCount()).toBe(1);
    expect(governors.list(clock.t)[0]).toMatchObject({ service: 'jira', state: 'limited' });
  });
});

describe('Jira answering 503 with Retry-After (a resource limit reached)', () => {
  it('holds every request for that window, as for a 429, rather than backing off 250 ms and opening the circuit', async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governors = createGovernorRegistry({ now: () => clock.t });
    const governor = governors.forConnection({ service: 'jira', baseUrl: 'https://fake-jira.test', credential: 'x' });
    subject = await jiraSubject({
      retry: {
        maxDelayMs: 5_000,
        sleep: async (ms) => {
          clock.t += ms;
        },
      },
      governor,
    });
    const { fake, ticketing, mapping } = subject;
    fake.failNext('serverError', { status: 503, retryAfterSeconds: 30, times: 100 });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({
      kind: 'rateLimited',
      retryAfterMs: 30_000,
    });
    // A 10 s poll for 25 s: nothing more reaches Jira, and the circuit stays closed.
    for (let s = 0; s < 3; s++) {
      clock.t += 8_000;
      expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    }
    expect(fake.requestCount()).toBe(1);
    expect(governors.list(clock.t)[0]).toMatchObject({ state: 'limited', consecutiveFailures: 0 });
  });

  it('a 503 without Retry-After is still a failure, backed off and retried', async () => {
    subject = await jiraSubject({ retry: { sleep: async () => undefined } });
    const { fake, ticketing, mapping } = subject;
    fake.failNext('serverError', { status: 503, times: 1 });
    expect((await ticketing.listCandidates(mapping)).isOk()).toBe(true);
    expect(fake.requests.map((r) => r.status).slice(0, 2)).toEqual([503, 200]);
  });
});

describe('a comment Jira stored but answered 5xx, behind the governor', () => {
  it('is looked for before it is posted again — in the same call, and in a later one — so it is never doubled', async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governor = createGovernorRegistry({ now: () => clock.t, random: () => 0.5 }).forConnection({
      service: 'jira',
      baseUrl: 'https://fake-jira.test',
      credential: 'x',
    });
    const sleep = async (ms: number) => {
      clock.t += ms;
    };
    subject = await jiraSubject({ retry: { sleep }, governor });
    const { fake, ticketing } = subject;
    const [first, second] = await subject.seed([
      { title: 'a', triggered: true },
      { title: 'b', triggered: true },
    ]);
    fake.failNext('serverError', { afterHandling: true });
    expect((await ticketing.comment(first!, 'PR opened')).isOk()).toBe(true);
    expect((await subject.inspect(first!)).comments).toEqual(['PR opened']);

    // The call gives up (its retries spent on reads Jira fails); the held-back effect is retried later.
    fake.failNext('serverError', { afterHandling: true, times: 1 });
    fake.failNext('serverError', { times: 3 });
    expect((await ticketing.comment(second!, 'Run failed')).isErr()).toBe(true);
    clock.t += 60_000;
    expect((await ticketing.comment(second!, 'Run failed')).isOk()).toBe(true);
    expect((await subject.inspect(second!)).comments).toEqual(['Run failed']);
  });
});

describe('a Jira that never answers', () => {
  it('costs one request per call at its deadline, not four: one hung search does not hold the poll for a minute', async () => {
    subject = await jiraSubject({ timeoutMs: 300, retry: { sleep: async () => undefined } });
    const { fake, ticketing, mapping } = subject;
    fake.failNext('hang', { times: 10 });
    const started = performance.now();
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrapErr()).toMatchObject({ kind: 'unavailable' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fake.requestCount()).toBe(1);
  });
});

describe('the repo field look-up behind the governor', () => {
  it('is held like any request while Jira limits the connection, asked once after, and again only when it failed', async () => {
    const clock = { t: Date.UTC(2026, 0, 1, 9, 0, 0) };
    const governors = createGovernorRegistry({ now: () => clock.t });
    const governor = governors.forConnection({ service: 'jira', baseUrl: 'https://fake-jira.test', credential: 'x' });
    subject = await jiraSubject({ retry: { maxAttempts: 1 }, governor });
    const { fake, ticketing, mapping } = subject;
    const shared = [mapping, { ...mapping, teamKey: 'ENGWEB', repoFieldValue: 'web' }];
    const fieldLookups = () => fake.requests.filter((r) => r.path === '/rest/api/3/field').length;
    fake.failNext('rateLimited', { retryAfterSeconds: 20 });
    expect((await ticketing.listCandidatesOf!(shared))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    fake.resetRequests();
    clock.t += 5_000;
    expect((await ticketing.listCandidatesOf!(shared))._unsafeUnwrapErr()).toMatchObject({ kind: 'rateLimited' });
    expect(fake.requestCount()).toBe(0);
    clock.t += 16_000;
    expect((await ticketing.listCandidatesOf!(shared)).isOk()).toBe(true);
    expect(fieldLookups()).toBe(1);
    await ticketing.listCandidatesOf!(shared);
    expect(fieldLookups()).toBe(1);
  });
});
