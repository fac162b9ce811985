import { notFound, ok, type Reply, validationFailed } from './http.js';
import type { Ctx, RepoRoute } from './route.js';
import { pullJson } from './shapes.js';
import type { FakePull, FakeRepo } from './state.js';

const sameFiles = (a: Map<string, string>, b: Map<string, string>) =>
  a.size === b.size && [...a].every(([path, text]) => b.get(path) === text);

function create(ctx: Ctx, repo: FakeRepo): Reply {
  const body = (ctx.body ?? {}) as { title?: unknown; head?: unknown; base?: unknown; body?: unknown; draft?: unknown };
  if (typeof body.title !== 'string' || body.title === '') {
    return validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
  }
  if (typeof body.head !== 'string') return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'missing_field' }]);
  if (typeof body.base !== 'string') return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'missing_field' }]);
  // `head` may be `branch` or `owner:branch`; another owner would be a fork, which the fake has none of.
  const [headOwner, headRef] = body.head.includes(':') ? body.head.split(':', 2) : [repo.owner, body.head];
  const head = headOwner?.toLowerCase() === repo.owner.toLowerCase() ? repo.branches.get(headRef ?? '') : undefined;
  if (!head) return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  const base = repo.branches.get(body.base);
  if (!base) return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  const existing = repo.pulls.find((p) => p.state === 'open' && p.head === headRef && p.base === body.base);
  if (existing) {
    return validationFailed([
      { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${headRef}.` },
    ]);
  }
  if (head === base || sameFiles(head.files, base.files)) {
    return validationFailed([
      { resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${headRef}` },
    ]);
  }
  const pr: FakePull = {
    id: ctx.state.id(),
    number: repo.nextIssueNumber++,
    title: body.title,
    body: typeof body.body === 'string' ? body.body : '',
    head: headRef ?? '',
    base: body.base,
    headSha: head.sha,
    baseSha: base.sha,
    draft: body.draft === true,
    state: 'open',
    mergedAt: null,
    closedAt: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  repo.pulls.push(pr);
  return ok(pullJson(pr, repo, ctx.urls), 201);
}

function list(ctx: Ctx, repo: FakeRepo): Reply {
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  let pulls = repo.pulls.filter((p) => state === 'all' || p.state === state);
  // GitHub ignores a `head` without the `user:` prefix rather than matching the branch.
  const head = q.get('head');
  if (head?.includes(':')) {
    const [owner, ref] = head.split(':', 2);
    pulls = pulls.filter((p) => owner?.toLowerCase() === repo.owner.toLowerCase() && p.head === ref);
  }
  const base = q.get('base');
  if (base) pulls = pulls.filter((p) => p.base === base);
  pulls = [...pulls].sort((a, b) => b.createdAt - a.createdAt || b.number - a.number);
  const perPage = Math.min(Number(q.get('per_page') ?? 30) || 30, 100);
  const page = Math.max(Number(q.get('page') ?? 1) || 1, 1);
  return ok(pulls.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(p, repo, ctx.urls)));
}

export const pullsRoutes: RepoRoute[] = [
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/pulls',
    auth: 'repo',
    permissions: () => [['pull_requests', 'write']],
    handle: create,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls',
    auth: 'repo',
    permissions: () => [['pull_requests', 'read']],
    handle: list,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls/:number',
    auth: 'repo',
    permissions: () => [['pull_requests', 'read']],
    handle: (ctx, repo) => {
      const pr = repo.pulls.find((p) => String(p.number) === ctx.params.number);
      return pr ? ok(pullJson(pr, repo, ctx.urls)) : notFound();
    },
  },
];
