import { parse, validate } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createLinearTicketing, type LinearTicketingOptions } from '../../../adapters/ticketing/linear/linear.adapter.js';
import {
  CANDIDATES_QUERY,
  COMMENT_EXISTS_QUERY,
  ISSUE_QUERY,
  TEAM_LABELS_QUERY,
} from '../../../adapters/ticketing/linear/linear-queries.js';
import { linearLabelsForStage } from '../../../core/domain/lifecycle.js';
import { MAPPING_DEFAULTS } from '../../../core/domain/mappings.js';
import type { Mapping } from '../../../core/domain/model.js';
import { type TicketingSubject, ticketingContract } from '../../../testing/contracts/ticketing.contract.js';
import { type FakeLinear, type FakeLinearOptions, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';
import { linearSchema } from '../../../testing/fakes/linear/schema.js';

const TEAM = 'ENG';
const mapping: Mapping = {
  ...MAPPING_DEFAULTS,
  extraEnv: {},
  teamKey: TEAM,
  owner: 'acme',
  repo: 'app',
  createdAt: 0,
  updatedAt: 0,
};

async function linearSubject(fakeOptions: FakeLinearOptions = {}, adapter: Partial<LinearTicketingOptions> = {}) {
  const fake = await startFakeLinear(fakeOptions);
  fake.store.addTeam(TEAM);
  const ticketing = createLinearTicketing({ apiKey: fake.apiKey, apiUrl: fake.url, retry: { maxAttempts: 1 }, ...adapter });
  const subject: TicketingSubject = {
    ticketing,
    mapping,
    pageSize: 100,
    seed: async (issues) =>
      issues.map((seed) => {
        const trigger = seed.triggered ? ['AI-Implement'] : [];
        const issue = fake.store.addIssue({
          teamKey: TEAM,
          title: seed.title,
          labels: seed.stage ? linearLabelsForStage(trigger, seed.stage) : trigger,
          ...(seed.identifier ? { identifier: seed.identifier } : {}),
          ...(seed.priority !== undefined ? { priority: seed.priority } : {}),
          ...(seed.createdAt !== undefined ? { createdAt: seed.createdAt } : {}),
        });
        for (const blocker of seed.blockedBy ?? []) {
          const b = fake.store.addIssue({ teamKey: TEAM, title: blocker.title, state: blocker.open ? 'In Progress' : 'Done' });
          fake.store.addBlocks(b.id, issue.id);
        }
        return issue.id;
      }),
    inspect: async (id) => {
      const issue = fake.store.issue(id)!;
      return { labels: fake.store.labelNames(issue), comments: fake.store.commentsOf(id).map((c) => c.body) };
    },
    requestCount: () => fake.requests.length,
    failNext: (kind) => fake.fail(kind === 'serverError' ? { kind, status: 500 } : { kind }),
    close: () => fake.close(),
  };
  return { fake, subject, ticketing };
}

ticketingContract('linear', async () => (await linearSubject()).subject);

describe('linear adapter against the fake Linear', () => {
  let fake: FakeLinear | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function start(fakeOptions: FakeLinearOptions = {}, adapter: Partial<LinearTicketingOptions> = {}) {
    const made = await linearSubject(fakeOptions, adapter);
    fake = made.fake;
    return made;
  }

  it('sends queries that Linear’s schema accepts, and the fake rejects one it does not', async () => {
    for (const query of [CANDIDATES_QUERY, ISSUE_QUERY, TEAM_LABELS_QUERY, COMMENT_EXISTS_QUERY]) {
      expect(validate(linearSchema(), parse(query)).map((e) => e.message)).toEqual([]);
    }
    const { subject, ticketing } = await start();
    const [id] = await subject.seed([{ title: 'a', triggered: true, blockedBy: [{ title: 'b', open: true }] }]);
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(1);
    await ticketing.moveToStage((await ticketing.getIssue(id!))._unsafeUnwrap(), 'planning', mapping);
    await ticketing.comment(id!, 'hi');
    expect(fake!.requests.map((r) => [r.operationName, r.status])).toEqual([
      ['AiImplementCandidates', 200],
      ['AiImplementIssue', 200],
      ['AiImplementTeamLabels', 200],
      ['createIssueLabel', 200],
      ['updateIssue', 200],
      ['createComment', 200],
    ]);

    const res = await fetch(fake!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: fake!.apiKey },
      body: JSON.stringify({ query: 'query Bad { issues { nodes { id labelNames } } }' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
      message: expect.stringMatching(/^Cannot query field "labelNames" on type "Issue"\./),
      extensions: { type: 'graphql error' },
    });
  });

  it('lists 500 issues in exactly one request per page of 100, chaining cursors', async () => {
    const { subject, ticketing } = await start();
    await subject.seed(Array.from({ length: 500 }, (_, n) => ({ title: `t${n}`, triggered: true })));
    await subject.seed(Array.from({ length: 40 }, (_, n) => ({ title: `u${n}`, triggered: false })));
    const listed = (await ticketing.listCandidates(mapping))._unsafeUnwrap();
    expect(listed).toHaveLength(500);
    expect(fake!.requests).toHaveLength(5);
    expect(fake!.requests.every((r) => r.operationName === 'AiImplementCandidates' && r.variables.first === 100)).toBe(true);
    const afters = fake!.requests.map((r) => r.variables.after);
    expect(afters[0]).toBeNull();
    expect(new Set(afters).size).toBe(5);
  });

  it('lists in-flight issues whose trigger was removed, and never the ones outside the lifecycle', async () => {
    const { ticketing } = await start();
    const inFlight = fake!.store.addIssue({ teamKey: TEAM, title: 'working', labels: ['AI-Working'] });
    fake!.store.addIssue({ teamKey: TEAM, title: 'bug', labels: ['bug'] });
    fake!.store.addIssue({ teamKey: 'OPS', title: 'other team', labels: ['AI-Implement'] });
    const listed = (await ticketing.listCandidates(mapping))._unsafeUnwrap();
    expect(listed.map((i) => [i.id, i.stage, i.state, i.stateType])).toEqual([
      [inFlight.id, 'implementing', 'Todo', 'unstarted'],
    ]);
  });

  it('creates a missing label exactly once under 10 concurrent moves', async () => {
    const { subject, ticketing } = await start({ latencyMs: 15 });
    const ids = await subject.seed(Array.from({ length: 10 }, (_, n) => ({ title: `c${n}`, triggered: true })));
    const issues = await Promise.all(ids.map(async (id) => (await ticketing.getIssue(id))._unsafeUnwrap()));
    const before = fake!.requests.length;
    const results = await Promise.all(issues.map((issue) => ticketing.moveToStage(issue, 'planning', mapping)));
    expect(results.every((r) => r.isOk())).toBe(true);
    const moves = fake!.requests.slice(before).map((r) => r.operationName);
    expect(moves.filter((n) => n === 'createIssueLabel')).toHaveLength(1);
    expect(moves.filter((n) => n === 'AiImplementTeamLabels')).toHaveLength(1);
    expect(moves.filter((n) => n === 'updateIssue')).toHaveLength(10);
    expect(fake!.store.labels.filter((l) => l.name === 'AI-Planning')).toHaveLength(1);
    for (const id of ids) expect(fake!.store.labelNames(fake!.store.issue(id)!)).toContain('AI-Planning');

    // The ids stay cached: the next stage costs one lookup-free creation and the updates.
    const next = fake!.requests.length;
    await ticketing.moveToStage(issues[0]!, 'plan_complete', mapping);
    expect(fake!.requests.slice(next).map((r) => r.operationName)).toEqual(['createIssueLabel', 'updateIssue']);
  });

  it('uses a label someone else created meanwhile instead of failing on the duplicate', async () => {
    const { subject, ticketing } = await start();
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    const issue = (await ticketing.getIssue(id!))._unsafeUnwrap();
    await ticketing.moveToStage(issue, 'planning', mapping); // caches the team's labels
    fake!.store.addLabel('AI-Working', fake!.store.teamByKey(TEAM)!.id); // a human creates it
    expect((await ticketing.moveToStage(issue, 'implementing', mapping)).isOk()).toBe(true);
    expect(fake!.store.labels.filter((l) => l.name === 'AI-Working')).toHaveLength(1);
    expect(fake!.store.labelNames(fake!.store.issue(id!)!)).toEqual(['AI-Implement', 'AI-Working']);
  });

  it('looks the labels up again when a cached label was deleted in Linear', async () => {
    const { subject, ticketing } = await start();
    const [a, b] = await subject.seed([
      { title: 'a', triggered: true },
      { title: 'b', triggered: true },
    ]);
    await ticketing.moveToStage((await ticketing.getIssue(a!))._unsafeUnwrap(), 'planning', mapping);
    const store = fake!.store;
    store.labels.splice(
      store.labels.findIndex((l) => l.name === 'AI-Planning'),
      1,
    );
    store.issue(a!)!.labelIds = store.issue(a!)!.labelIds.filter((id) => store.label(id));
    expect((await ticketing.moveToStage((await ticketing.getIssue(b!))._unsafeUnwrap(), 'planning', mapping)).isOk()).toBe(true);
    expect(store.labelNames(store.issue(b!)!)).toEqual(['AI-Implement', 'AI-Planning']);
  });

  it('keeps the labels a human added after the snapshot was taken', async () => {
    const { ticketing } = await start();
    const issue = fake!.store.addIssue({ teamKey: TEAM, title: 'x', labels: ['AI-Implement', 'bug'] });
    const snapshot = (await ticketing.getIssue(issue.id))._unsafeUnwrap();
    fake!.store.issue(issue.id)!.labelIds.push(fake!.store.ensureTeamLabel(issue.teamId, 'customer').id);
    await ticketing.moveToStage(snapshot, 'planning', mapping);
    expect(fake!.store.labelNames(issue).sort()).toEqual(['AI-Implement', 'AI-Planning', 'bug', 'customer']);
    await ticketing.moveToStage(snapshot, 'planning_failed', mapping);
    expect(fake!.store.labelNames(issue).sort()).toEqual(['bug', 'customer']);
  });

  it('makes no request for a move to the stage the issue is at', async () => {
    const { subject, ticketing } = await start();
    const [id] = await subject.seed([{ title: 'x', triggered: true, stage: 'implementing' }]);
    const issue = (await ticketing.getIssue(id!))._unsafeUnwrap();
    const before = fake!.requests.length;
    expect((await ticketing.moveToStage(issue, 'implementing', mapping)).isOk()).toBe(true);
    expect(fake!.requests.length).toBe(before);
  });

  it('retries two 5xx answers and succeeds', async () => {
    const { subject, ticketing } = await start({}, { retry: { baseDelayMs: 1 } });
    await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'serverError', status: 502 }, { kind: 'serverError', status: 500 });
    const listed = await ticketing.listCandidates(mapping);
    expect(listed._unsafeUnwrap()).toHaveLength(1);
    expect(fake!.requests.map((r) => r.status)).toEqual([502, 500, 200]);
  });

  it('retries a cut connection and succeeds; without retries it is unavailable', async () => {
    const { subject, ticketing } = await start({}, { retry: { baseDelayMs: 1 } });
    await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'network' });
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(1);
    const once = createLinearTicketing({ apiKey: fake!.apiKey, apiUrl: fake!.url, retry: { maxAttempts: 1 } });
    fake!.fail({ kind: 'network' });
    expect((await once.listCandidates(mapping))._unsafeUnwrapErr().kind).toBe('unavailable');
  });

  it('never retries an authentication error', async () => {
    const { subject, ticketing } = await start({}, { retry: { baseDelayMs: 1 } });
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'auth' });
    expect((await ticketing.getIssue(id!))._unsafeUnwrapErr().kind).toBe('auth');
    expect(fake!.requests).toHaveLength(1);

    const wrongKey = createLinearTicketing({ apiKey: 'lin_api_wrong', apiUrl: fake!.url, retry: { baseDelayMs: 1 } });
    expect((await wrongKey.comment(id!, 'x'))._unsafeUnwrapErr().kind).toBe('auth');
    expect(fake!.requests).toHaveLength(2);
    expect(fake!.store.commentsOf(id!)).toEqual([]);
  });

  it('never retries a GraphQL user error', async () => {
    const { subject, ticketing } = await start({}, { retry: { baseDelayMs: 1 } });
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    const error = (await ticketing.comment(id!, ''))._unsafeUnwrapErr();
    expect(error.kind).toBe('invalid');
    expect(fake!.requests).toHaveLength(1);
  });

  it('waits for the rate-limit reset Linear names, then succeeds', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const { subject, ticketing } = await start({}, { retry: { sleep } });
    await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'rateLimited', resetInMs: 300 });
    const started = performance.now();
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(200);
    expect(waits[0]).toBeLessThanOrEqual(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(fake!.requests.map((r) => r.status)).toEqual([400, 200]);
  });

  it('honours Retry-After on a 429, and gives up at once on a reset beyond the longest wait', async () => {
    const waits: number[] = [];
    const { subject, ticketing } = await start({}, { retry: { sleep: async (ms) => void waits.push(ms), maxDelayMs: 5_000 } });
    await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'rateLimited', status: 429, retryAfterSeconds: 2 });
    expect((await ticketing.listCandidates(mapping)).isOk()).toBe(true);
    expect(waits).toEqual([2000]);

    fake!.fail({ kind: 'rateLimited', resetInMs: 3_600_000 });
    const error = (await ticketing.listCandidates(mapping))._unsafeUnwrapErr();
    expect(error.kind).toBe('rateLimited');
    if (error.kind === 'rateLimited') expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(waits).toEqual([2000]);
  });

  it('rides out Linear’s own request budget across pages', async () => {
    const { subject, ticketing } = await start({ rateLimit: { requests: 2, windowMs: 400 } }, { retry: { maxAttempts: 3 } });
    await subject.seed(Array.from({ length: 250 }, (_, n) => ({ title: `t${n}`, triggered: true })));
    expect((await ticketing.listCandidates(mapping))._unsafeUnwrap()).toHaveLength(250);
    expect(fake!.requests.map((r) => r.status)).toEqual([200, 200, 400, 200]);
  });

  it('posts a comment once when the answer to it is lost', async () => {
    const { subject, ticketing } = await start({}, { retry: { baseDelayMs: 1 } });
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    fake!.fail({ kind: 'serverError', status: 502, afterExecuting: true });
    expect((await ticketing.comment(id!, '✅ Verification passed')).isOk()).toBe(true);
    expect(fake!.store.commentsOf(id!).map((c) => c.body)).toEqual(['✅ Verification passed']);
    expect(fake!.requests.map((r) => r.operationName)).toEqual(['createComment', 'AiImplementCommentExists']);

    fake!.fail({ kind: 'serverError', status: 503 });
    expect((await ticketing.comment(id!, 'second')).isOk()).toBe(true);
    expect(fake!.store.commentsOf(id!).map((c) => c.body)).toEqual(['✅ Verification passed', 'second']);
  });

  it('maps priority, creation time, state and blockers from Linear', async () => {
    const { ticketing } = await start();
    const issue = fake!.store.addIssue({
      teamKey: TEAM,
      title: 'x',
      description: 'do it',
      labels: ['AI-Implement'],
      priority: 2,
      createdAt: Date.UTC(2024, 5, 1),
      state: 'In Progress',
    });
    const done = fake!.store.addIssue({ teamKey: TEAM, title: 'done', state: 'Done' });
    const canceled = fake!.store.addIssue({ teamKey: TEAM, title: 'canceled', state: 'Canceled' });
    const open = fake!.store.addIssue({ teamKey: TEAM, title: 'open', state: 'Backlog' });
    for (const b of [done, canceled, open]) fake!.store.addBlocks(b.id, issue.id);
    fake!.store.relations.push({ id: 'r', type: 'related', issueId: open.id, relatedIssueId: issue.id, createdAt: 0 });
    const got = (await ticketing.getIssue(issue.identifier))._unsafeUnwrap();
    expect(got).toEqual({
      id: issue.id,
      identifier: 'ENG-1',
      teamKey: TEAM,
      title: 'x',
      description: 'do it',
      url: 'https://linear.app/fake/issue/ENG-1',
      priority: 2,
      createdAt: Date.UTC(2024, 5, 1),
      stage: 'triggered',
      labels: ['AI-Implement'],
      state: 'In Progress',
      stateType: 'started',
      blockedBy: [
        { identifier: done.identifier, open: false },
        { identifier: canceled.identifier, open: false },
        { identifier: open.identifier, open: true },
      ],
    });
  });
});
