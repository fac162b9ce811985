/**
 * The fake answers the real SDK the way Linear does: the SDK's own documents execute, its
 * models parse the answers, and its error classes come out of the fake's error answers.
 */
import {
  AuthenticationLinearError,
  InternalLinearError,
  InvalidInputLinearError,
  LinearClient,
  NetworkLinearError,
  RatelimitedLinearError,
} from '@linear/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLinear, startFakeLinear } from '../../../testing/fakes/linear/fake-linear.server.js';

describe('fake Linear', () => {
  let fake: FakeLinear;
  let client: LinearClient;
  beforeEach(async () => {
    fake = await startFakeLinear();
    client = new LinearClient({ apiKey: fake.apiKey, apiUrl: fake.url });
  });
  afterEach(() => fake.close());

  const rejection = async (promise: PromiseLike<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected a rejection');
  };

  it('serves the SDK’s own documents, parsed into its models', async () => {
    const issue = fake.store.addIssue({ teamKey: 'ENG', title: 'Parse me', priority: 3, labels: ['AI-Implement'] });
    expect((await client.viewer).id).toBe(fake.store.viewer.id);
    const got = await client.issue(issue.id);
    expect([got.identifier, got.title, got.priority, got.createdAt.getTime()]).toEqual(['ENG-1', 'Parse me', 3, issue.createdAt]);
    const state = await got.state;
    expect([state?.name, state?.type]).toEqual(['Todo', 'unstarted']);
    const payload = await client.createComment({ issueId: issue.id, body: 'hello' });
    expect(payload.success).toBe(true);
    expect(fake.requestsNamed('createComment')[0]?.variables).toEqual({ input: { issueId: issue.id, body: 'hello' } });
  });

  it('filters issues by team key and label name, and pages with cursors', async () => {
    for (let n = 0; n < 5; n++) fake.store.addIssue({ teamKey: 'ENG', title: `e${n}`, labels: n % 2 ? ['AI-Implement'] : [] });
    fake.store.addIssue({ teamKey: 'OPS', title: 'o', labels: ['AI-Implement'] });
    const query = `query Page($after: String) {
      issues(filter: { team: { key: { eq: "ENG" } }, labels: { name: { eq: "AI-Implement" } } }, first: 1, after: $after) {
        nodes { title } pageInfo { hasNextPage endCursor }
      }
    }`;
    type Data = { issues: { nodes: { title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = (await client.client.rawRequest<Data, Record<string, unknown>>(query, {})).data!.issues;
    expect(first.nodes.map((n) => n.title)).toEqual(['e1']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await client.client.rawRequest<Data, Record<string, unknown>>(query, { after: first.pageInfo.endCursor }))
      .data!.issues;
    expect(second.nodes.map((n) => n.title)).toEqual(['e3']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('fails loudly on a filter or a query it does not model instead of answering emptily', async () => {
    fake.store.addIssue({ teamKey: 'ENG', title: 'x' });
    expect(String(await rejection(client.client.rawRequest('query { project(id: "p") { id } }', {})))).toMatch(
      /does not model Query.project/,
    );
    const error = await rejection(
      client.client.rawRequest('query { issues(filter: { cycle: { number: { eq: 1 } } }) { nodes { id } } }', {}),
    );
    expect(String(error)).toMatch(/does not model filter cycle/);
  });

  it('answers a wrong key like Linear: HTTP 400, an authentication error', async () => {
    const error = await rejection(new LinearClient({ apiKey: 'lin_api_wrong', apiUrl: fake.url }).viewer);
    expect(error).toBeInstanceOf(AuthenticationLinearError);
    expect((error as AuthenticationLinearError).status).toBe(400);
  });

  it('answers a rate limit like Linear: HTTP 400, RATELIMITED, the reset in epoch milliseconds', async () => {
    fake.fail({ kind: 'rateLimited', resetInMs: 5_000 });
    const before = Date.now();
    const error = await rejection(client.viewer);
    expect(error).toBeInstanceOf(RatelimitedLinearError);
    const limited = error as RatelimitedLinearError;
    expect(limited.status).toBe(400);
    expect(limited.requestsRemaining).toBe(0);
    expect(limited.requestsResetAt).toBeGreaterThanOrEqual(before + 5_000);
    expect(limited.requestsResetAt).toBeLessThan(before + 6_000);
  });

  it('enforces a request budget when given one', async () => {
    await fake.close();
    fake = await startFakeLinear({ rateLimit: { requests: 1, windowMs: 60_000 } });
    client = new LinearClient({ apiKey: fake.apiKey, apiUrl: fake.url });
    await client.viewer;
    expect(await rejection(client.viewer)).toBeInstanceOf(RatelimitedLinearError);
  });

  it('answers 5xx the way the SDK tells apart, and unknown entities as invalid input', async () => {
    fake.fail({ kind: 'serverError', status: 500 }, { kind: 'serverError', status: 503 });
    expect(await rejection(client.viewer)).toBeInstanceOf(InternalLinearError);
    expect(await rejection(client.viewer)).toBeInstanceOf(NetworkLinearError);
    const missing = await rejection(client.issue('ENG-404'));
    expect(missing).toBeInstanceOf(InvalidInputLinearError);
    expect(String(missing)).toMatch(/Entity not found: Issue/);
  });

  it('records every request, failed ones included', async () => {
    fake.fail({ kind: 'auth' });
    await rejection(client.viewer);
    await client.viewer;
    expect(fake.requests.map((r) => [r.operationName, r.status, r.authorization])).toEqual([
      ['viewer', 400, fake.apiKey],
      ['viewer', 200, fake.apiKey],
    ]);
  });
});
