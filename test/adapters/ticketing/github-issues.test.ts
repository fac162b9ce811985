import { afterEach, describe, expect, it } from 'vitest';
import type { GithubTicketingOptions } from '../../../adapters/ticketing/github/github-issues.adapter.js';
import { createGithubTicketing } from '../../../adapters/ticketing/github/github-issues.adapter.js';
import type { Mapping } from '../../../core/domain/model.js';
import type { FakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { APP_ID, APP_PERMISSIONS, appKeys, INSTALLATION_ID, OWNER, REPO } from '../../../testing/fakes/github/seed.js';
import { githubIssuesSubject, githubMapping as mapping } from '../../fakes/github/github-issues-subject.js';

/** The GitHub Issues adapter's own behaviour, over the fake GitHub (acme/widgets, a personal token). */

let fake: FakeGithub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(adapter: Partial<GithubTicketingOptions> = {}, mappings?: Mapping[], now?: () => number) {
  const made = await githubIssuesSubject(adapter, now ? { now } : {}, mappings);
  fake = made.fake;
  return made;
}

const ok = <T>(r: { isOk(): boolean; _unsafeUnwrap(): T }) => r._unsafeUnwrap();
const issuesRequests = (f: FakeGithub, from = 0) =>
  f.requests.slice(from).filter((r) => r.method === 'GET' && r.path === `/repos/${OWNER}/${REPO}/issues`);

describe('listing', () => {
  it('reads 500 triggered issues in exactly one request per page of 100, then only what changed since', async () => {
    let t = Date.UTC(2026, 0, 1);
    const { subject, ticketing } = await start({ now: () => t }, undefined, () => t);
    await subject.seed(Array.from({ length: 500 }, (_, n) => ({ title: `t${n}`, triggered: true })));
    await subject.seed(Array.from({ length: 40 }, (_, n) => ({ title: `u${n}`, triggered: false })));
    t += 10_000;
    expect(ok(await ticketing.listCandidates(mapping))).toHaveLength(500);
    expect(fake!.requests).toHaveLength(5);
    expect(fake!.requests.map((r) => [r.query.labels, r.query.state, r.query.per_page, r.query.page])).toEqual(
      [1, 2, 3, 4, 5].map((n) => ['AI-Implement', 'open', '100', String(n)]),
    );

    t += 30_000;
    const before = fake!.requests.length;
    expect(ok(await ticketing.listCandidates(mapping))).toHaveLength(500);
    const incremental = fake!.requests.slice(before);
    expect(incremental.map((r) => r.query)).toEqual([
      { state: 'all', since: '2026-01-01T00:00:09Z', sort: 'updated', direction: 'asc', per_page: '100', page: '1' },
    ]);
    t += 30_000;
    fake!.editIssue(fake!.issue(OWNER, REPO, 7)!, { labels: ['bug'] });
    expect(ok(await ticketing.listCandidates(mapping))).toHaveLength(499);
    expect(fake!.requests).toHaveLength(7);
  });

  it('sees a change made in GitHub in the next call: a label added, a trigger removed, an in-flight issue kept', async () => {
    const { subject, ticketing } = await start();
    const [a, b, c] = await subject.seed([
      { title: 'a', triggered: true },
      { title: 'b', triggered: false },
      { title: 'c', triggered: true, stage: 'implementing' },
    ]);
    expect(ok(await ticketing.listCandidates(mapping)).map((i) => i.id)).toEqual([a, c]);
    const issue = (id: string) => fake!.issue(OWNER, REPO, Number(id.split('#')[1]))!;
    fake!.editIssue(issue(b!), { labels: ['AI-Implement', 'bug'] });
    fake!.editIssue(issue(a!), { labels: ['bug'] });
    fake!.editIssue(issue(c!), { labels: ['AI-Working'] }); // a person took the trigger off an issue in flight
    const listed = ok(await ticketing.listCandidates(mapping));
    expect(listed.map((i) => [i.id, i.stage])).toEqual([
      [b, 'triggered'],
      [c, 'implementing'],
    ]);
  });

  it('never treats a pull request as a candidate, labelled or not, and getIssue says notFound for one', async () => {
    const { subject, ticketing } = await start();
    const [id] = await subject.seed([{ title: 'real issue', triggered: true }]);
    const pull = {
      id: 9_001,
      number: 99,
      title: 'a labelled PR',
      body: '',
      head: 'feature',
      base: 'main',
      headSha: 'a'.repeat(40),
      baseSha: 'b'.repeat(40),
      draft: false,
      state: 'open' as const,
      labels: ['AI-Implement', 'AI-Working'],
      mergedAt: null,
      closedAt: null,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    fake!.pulls(OWNER, REPO).push(pull);
    expect(ok(await ticketing.listCandidates(mapping)).map((i) => i.id)).toEqual([id]);
    // The full read's answer did include the pull request: it was dropped here.
    const answered = issuesRequests(fake!);
    expect(answered).toHaveLength(1);
    pull.updatedAt = Date.now() + 5_000;
    expect(ok(await ticketing.listCandidates(mapping)).map((i) => i.id)).toEqual([id]);
    expect((await ticketing.getIssue(`${OWNER}/${REPO}#99`))._unsafeUnwrapErr().kind).toBe('notFound');
  });

  it('reads blocked_by only for issues GitHub says are blocked, keeps it while the issue is unchanged, and sees a blocker close', async () => {
    const { subject, ticketing } = await start();
    await subject.seed([
      { title: 'free', triggered: true },
      { title: 'blocked', triggered: true, blockedBy: [{ title: 'blocker', open: true }] },
    ]);
    const first = ok(await ticketing.listCandidates(mapping));
    const dependencyReads = () => fake!.requests.filter((r) => r.path.endsWith('/dependencies/blocked_by')).length;
    expect(dependencyReads()).toBe(1);
    const blocked = first.find((i) => i.title === 'blocked')!;
    expect(blocked.blockedBy).toEqual([{ identifier: `${OWNER}/${REPO}#3`, open: true }]);
    ok(await ticketing.listCandidates(mapping));
    expect(dependencyReads()).toBe(1);

    fake!.editIssue(fake!.issue(OWNER, REPO, 3)!, { state: 'closed' });
    const after = ok(await ticketing.listCandidates(mapping)).find((i) => i.title === 'blocked')!;
    expect(after.blockedBy).toEqual([{ identifier: `${OWNER}/${REPO}#3`, open: false }]);
  });

  it('drops an issue GitHub no longer has from the listing once a read of it says so', async () => {
    const { subject, ticketing } = await start();
    const [a, b] = await subject.seed([
      { title: 'a', triggered: true },
      { title: 'b', triggered: true },
    ]);
    expect(ok(await ticketing.listCandidates(mapping))).toHaveLength(2);
    const repo = fake!.state.repo(OWNER, REPO)!;
    repo.issues = repo.issues.filter((i) => i.number !== 2); // deleted: no later read lists it
    expect((await ticketing.getIssue(b!))._unsafeUnwrapErr().kind).toBe('notFound');
    expect(ok(await ticketing.listCandidates(mapping)).map((i) => i.id)).toEqual([a]);
  });

  it('reads a mapping’s issues from issuesRepo, another repository of the owner', async () => {
    const tracker: Mapping = { ...mapping, issuesRepo: 'tracker' };
    const { ticketing } = await start({}, [tracker]);
    fake!.addRepo({ owner: OWNER, repo: 'tracker' });
    fake!.addIssue({ owner: OWNER, repo: REPO, title: 'in the code repo', labels: ['AI-Implement'] });
    const there = fake!.addIssue({ owner: OWNER, repo: 'tracker', title: 'in the tracker', labels: ['AI-Implement'] });
    const listed = ok(await ticketing.listCandidates(tracker));
    expect(listed.map((i) => [i.id, i.identifier, i.teamKey, i.url])).toEqual([
      [
        `${OWNER}/tracker#${there.number}`,
        `WID-${there.number}`,
        'WID',
        `${fake!.htmlUrl}/${OWNER}/tracker/issues/${there.number}`,
      ],
    ]);
    expect(ok(await ticketing.getIssue(listed[0]!.id))).toMatchObject({ teamKey: 'WID', identifier: `WID-${there.number}` });
  });

  it('tells done from cancelled: closed as completed or as not planned', async () => {
    const { ticketing } = await start();
    const done = fake!.addIssue({ owner: OWNER, repo: REPO, title: 'd', labels: ['AI-Implement'] });
    const dropped = fake!.addIssue({ owner: OWNER, repo: REPO, title: 'n', labels: ['AI-Implement'] });
    fake!.editIssue(done, { state: 'closed', stateReason: 'completed' });
    fake!.editIssue(dropped, { state: 'closed', stateReason: 'not_planned' });
    expect(ok(await ticketing.getIssue(`${OWNER}/${REPO}#${done.number}`))).toMatchObject({
      state: 'closed',
      stateType: 'completed',
    });
    expect(ok(await ticketing.getIssue(`${OWNER}/${REPO}#${dropped.number}`))).toMatchObject({
      state: 'closed',
      stateType: 'cancelled',
    });
  });

  it('reads priority from the Priority issue field, else from a priority label', async () => {
    const { ticketing } = await start();
    const field = fake!.addIssue({ owner: OWNER, repo: REPO, title: 'f', labels: ['AI-Implement'], priority: 'High' });
    const label = fake!.addIssue({ owner: OWNER, repo: REPO, title: 'l', labels: ['AI-Implement', 'Priority: Low'] });
    const byTitle = new Map(ok(await ticketing.listCandidates(mapping)).map((i) => [i.title, i.priority]));
    expect([byTitle.get(field.title), byTitle.get(label.title)]).toEqual([2, 4]);
  });

  it('refuses an id that is not owner/repo#number without a request', async () => {
    const { ticketing } = await start();
    for (const id of ['acme/widgets#0', '../x#1', 'acme/widgets/../x#1', 'acme#1', 'acme/widgets#1/labels']) {
      expect((await ticketing.getIssue(id))._unsafeUnwrapErr().kind).toBe('notFound');
    }
    expect(fake!.requests).toEqual([]);
  });
});

describe('moves', () => {
  it('creates the lifecycle labels on the repository once, with colours, even under 10 concurrent moves', async () => {
    const { subject, ticketing } = await start();
    const ids = await subject.seed(Array.from({ length: 10 }, (_, n) => ({ title: `c${n}`, triggered: true })));
    const issues = await Promise.all(ids.map(async (id) => ok(await ticketing.getIssue(id))));
    const before = fake!.requests.length;
    const results = await Promise.all(issues.map((issue) => ticketing.moveToStage(issue, 'planning', mapping)));
    expect(results.every((r) => r.isOk())).toBe(true);
    const writes = fake!.requests.slice(before);
    expect(writes.filter((r) => r.method === 'GET' && r.path.endsWith('/labels'))).toHaveLength(1);
    expect(
      writes
        .filter((r) => r.method === 'POST' && r.path === `/repos/${OWNER}/${REPO}/labels`)
        .map((r) => (r.body as { name: string }).name)
        .sort(),
    ).toEqual(['AI-Planning', 'AI-Working', 'Plan-Complete', 'Ready for Review']);
    const labels = fake!.state.repo(OWNER, REPO)!.labels;
    expect(labels.get('ai-working')).toMatchObject({ color: '1d76db', description: 'AI-Implement: implementing' });

    const next = fake!.requests.length;
    ok(await ticketing.moveToStage(issues[0]!, 'plan_complete', mapping));
    expect(fake!.requests.slice(next).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/1`,
      `POST /repos/${OWNER}/${REPO}/issues/1/labels`,
      `DELETE /repos/${OWNER}/${REPO}/issues/1/labels/AI-Planning`,
    ]);
  });

  it('keeps the labels a person added after the snapshot, and writes nothing at the stage already', async () => {
    const { subject, ticketing } = await start();
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    const snapshot = ok(await ticketing.getIssue(id!));
    const issue = fake!.issue(OWNER, REPO, 1)!;
    fake!.editIssue(issue, { labels: [...issue.labels, 'customer'] });
    ok(await ticketing.moveToStage(snapshot, 'planning', mapping));
    expect([...issue.labels].sort()).toEqual(['AI-Implement', 'AI-Planning', 'customer']);
    const before = fake!.requests.length;
    ok(await ticketing.moveToStage(snapshot, 'planning', mapping));
    expect(fake!.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    ok(await ticketing.moveToStage(snapshot, 'planning_failed', mapping));
    expect(issue.labels).toEqual(['customer']);
  });

  it('treats a lower-case lifecycle label as the same label', async () => {
    const { ticketing } = await start();
    const issue = fake!.addIssue({ owner: OWNER, repo: REPO, title: 'x', labels: ['ai-implement', 'ai-working'] });
    const read = ok(await ticketing.getIssue(`${OWNER}/${REPO}#${issue.number}`));
    expect(read.stage).toBe('implementing');
    ok(await ticketing.moveToStage(read, 'pr_opened', mapping));
    expect(issue.labels).toEqual(['ai-implement', 'Ready for Review']);
  });
});

describe('comments', () => {
  it('posts an issue comment once even when the answer to the first try was lost', async () => {
    let cut = 1;
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST' && String(input).endsWith('/comments') && cut-- > 0) throw new TypeError('fetch failed');
      return response;
    };
    const { subject, ticketing } = await start({ fetch: lossy, retry: { maxAttempts: 3, sleep: async () => {} } });
    const [id] = await subject.seed([{ title: 'x', triggered: true }]);
    ok(await ticketing.comment(id!, '✅ Verification passed'));
    expect(fake!.issue(OWNER, REPO, 1)!.comments.map((c) => c.body)).toEqual(['✅ Verification passed']);
    expect(fake!.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });
});

describe('the no-mapping scan', () => {
  it('lists triggered issues of repositories no mapping covers, within its budget, and not again before its interval', async () => {
    let t = Date.UTC(2026, 0, 1);
    const { ticketing } = await start({ now: () => t, unmapped: { everyMs: 60_000, reposPerScan: 2 } });
    fake!.addIssue({ owner: OWNER, repo: REPO, title: 'mapped', labels: ['AI-Implement'] });
    for (const name of ['one', 'two', 'three']) {
      fake!.addRepo({ owner: OWNER, repo: name });
      fake!.addIssue({ owner: OWNER, repo: name, title: `in ${name}`, labels: ['AI-Implement'] });
    }
    fake!.addRepo({ owner: OWNER, repo: 'quiet' }); // no open issues: never read
    const first = ok(await ticketing.listUnmapped!([mapping]));
    expect(first.map((i) => [i.teamKey, i.identifier])).toEqual([
      [`${OWNER}/one`, `${OWNER}/one#1`],
      [`${OWNER}/two`, `${OWNER}/two#1`],
    ]);
    expect(fake!.requests.map((r) => r.path)).toEqual([
      '/user/repos',
      `/repos/${OWNER}/one/issues`,
      `/repos/${OWNER}/two/issues`,
    ]);

    ok(await ticketing.listUnmapped!([mapping]));
    expect(fake!.requests).toHaveLength(3);
    t += 60_000;
    const second = ok(await ticketing.listUnmapped!([mapping]));
    expect(second.map((i) => i.teamKey).sort()).toEqual([`${OWNER}/one`, `${OWNER}/three`, `${OWNER}/two`]);
  });

  it('as a GitHub App: the installation’s repositories, read with its installation token', async () => {
    const made = await start();
    const keys = appKeys();
    made.fake.addApp({ appId: APP_ID, publicKey: keys.publicKey });
    made.fake.addInstallation({ id: INSTALLATION_ID, appId: APP_ID, account: OWNER, permissions: { ...APP_PERMISSIONS } });
    made.fake.addRepo({ owner: OWNER, repo: 'other' });
    made.fake.addIssue({ owner: OWNER, repo: 'other', title: 'stray', labels: ['AI-Implement'] });
    made.fake.addIssue({ owner: OWNER, repo: REPO, title: 'mine', labels: ['AI-Implement'] });
    const app = createGithubTicketing({
      baseUrl: made.fake.url,
      auth: { appId: APP_ID, privateKey: keys.privateKey },
      retry: { maxAttempts: 1 },
      mappings: async () => [mapping],
    });
    expect(ok(await app.listCandidates(mapping)).map((i) => i.title)).toEqual(['mine']);
    expect(ok(await app.listUnmapped!([mapping])).map((i) => [i.teamKey, i.title])).toEqual([[`${OWNER}/other`, 'stray']]);
    expect(made.fake.requests.map((r) => r.path)).toContain('/installation/repositories');
    expect(made.fake.requests.map((r) => r.path)).not.toContain('/user/repos');
  });

  it('sends nothing while no mapping uses GitHub Issues', async () => {
    const { ticketing } = await start({}, [{ ...mapping, ticketing: 'linear' }]);
    expect(ok(await ticketing.listUnmapped!([mapping]))).toEqual([]);
    expect(fake!.requests).toEqual([]);
  });
});
