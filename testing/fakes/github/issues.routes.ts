import { fail, notFound, ok, type Reply, validationFailed } from './http.js';
import type { Ctx, RepoRoute, UserRoute } from './route.js';
import { commentJson, issueJson, labelJson, pullAsIssueJson, repoJson } from './shapes.js';
import type { FakeIssue, FakeRepo } from './state.js';

/**
 * The issues side of the REST API: issues (whose listing includes pull requests, with a
 * `pull_request` key, as GitHub's does), their labels and comments, repository labels, the
 * issue dependencies `blocked_by` sub-resource, and the repository listings a token or an
 * installation can see. Lists page with `per_page` (at most 100) and `page`, and say where the
 * next page is in a `Link` header.
 */

const perPageOf = (ctx: Ctx) => Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
const pageOf = (ctx: Ctx) => Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);

/** One page of `items`, with GitHub's `Link` header when there are more. */
function paged<T>(ctx: Ctx, path: string, items: T[], toJson: (item: T) => unknown): Reply {
  const perPage = perPageOf(ctx);
  const page = pageOf(ctx);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URLSearchParams(ctx.query);
    next.set('page', String(page + 1));
    const last = new URLSearchParams(ctx.query);
    last.set('page', String(Math.ceil(items.length / perPage)));
    headers.link = `<${ctx.urls.api}${path}?${next}>; rel="next", <${ctx.urls.api}${path}?${last}>; rel="last"`;
  }
  return ok(slice.map(toJson), 200, headers);
}

const issueOf = (ctx: Ctx, repo: FakeRepo) => repo.issues.find((i) => String(i.number) === ctx.params.number);
const touch = (ctx: Ctx, issue: FakeIssue) => {
  issue.updatedAt = ctx.now;
};
/** Who a write is made as: the token's user, or the App's bot. */
const actor = (ctx: Ctx) =>
  ctx.principal.kind === 'installation' ? `app-${ctx.principal.issued.installationId}[bot]` : 'octocat';

function listIssues(ctx: Ctx, repo: FakeRepo): Reply {
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  const wanted = (q.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const sinceRaw = q.get('since');
  const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
  if (sinceRaw && Number.isNaN(since)) return validationFailed([{ resource: 'Issue', field: 'since', code: 'invalid' }]);
  const sort = q.get('sort') ?? 'created';
  const direction = q.get('direction') === 'asc' ? 1 : -1;
  type Row = { number: number; createdAt: number; updatedAt: number; json: () => unknown };
  const rows: Row[] = [];
  for (const issue of repo.issues) {
    if (state !== 'all' && issue.state !== state) continue;
    if (!wanted.every((w) => issue.labels.some((l) => l.toLowerCase() === w))) continue;
    if (since !== undefined && Math.floor(issue.updatedAt / 1000) * 1000 < since) continue;
    rows.push({ ...issue, json: () => issueJson(issue, repo, ctx.state, ctx.urls) });
  }
  for (const pr of repo.pulls) {
    if (state !== 'all' && pr.state !== state) continue;
    if (!wanted.every((w) => (pr.labels ?? []).some((l) => l.toLowerCase() === w))) continue;
    if (since !== undefined && Math.floor(pr.updatedAt / 1000) * 1000 < since) continue;
    rows.push({ ...pr, json: () => pullAsIssueJson(pr, repo, ctx.urls) });
  }
  const key = sort === 'updated' ? (r: Row) => r.updatedAt : (r: Row) => r.createdAt;
  rows.sort((a, b) => direction * (key(a) - key(b) || a.number - b.number));
  return paged(ctx, `/repos/${repo.owner}/${repo.name}/issues`, rows, (r) => r.json());
}

function getIssue(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (issue) return ok(issueJson(issue, repo, ctx.state, ctx.urls));
  const pr = repo.pulls.find((p) => String(p.number) === ctx.params.number);
  return pr ? ok(pullAsIssueJson(pr, repo, ctx.urls)) : notFound();
}

function updateIssue(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const body = (ctx.body ?? {}) as { state?: unknown; state_reason?: unknown; title?: unknown; labels?: unknown };
  if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed') {
    return validationFailed([{ resource: 'Issue', field: 'state', code: 'invalid' }]);
  }
  if (typeof body.title === 'string') issue.title = body.title;
  if (Array.isArray(body.labels)) issue.labels = body.labels.map((l) => ctx.state.label(repo, String(l)).name);
  if (body.state === 'closed') {
    const reason = body.state_reason ?? 'completed';
    if (reason !== 'completed' && reason !== 'not_planned' && reason !== 'duplicate') {
      return validationFailed([{ resource: 'Issue', field: 'state_reason', code: 'invalid' }]);
    }
    issue.state = 'closed';
    issue.stateReason = reason;
    issue.closedAt = ctx.now;
  } else if (body.state === 'open') {
    issue.state = 'open';
    issue.stateReason = issue.closedAt === null ? null : 'reopened';
    issue.closedAt = null;
  }
  touch(ctx, issue);
  return ok(issueJson(issue, repo, ctx.state, ctx.urls));
}

function addLabels(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const raw = Array.isArray(ctx.body) ? ctx.body : (ctx.body as { labels?: unknown } | undefined)?.labels;
  if (!Array.isArray(raw) || raw.some((l) => typeof l !== 'string' || l === '')) {
    return validationFailed([{ resource: 'Label', field: 'labels', code: 'invalid' }]);
  }
  for (const name of raw as string[]) {
    const label = ctx.state.label(repo, name); // GitHub creates a label it does not know
    if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name);
  }
  touch(ctx, issue);
  return ok(issue.labels.map((name) => labelJson(ctx.state.label(repo, name), repo, ctx.urls)));
}

function removeLabel(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const name = (ctx.params.name ?? '').toLowerCase();
  const at = issue.labels.findIndex((l) => l.toLowerCase() === name);
  if (at < 0) return fail(404, 'Label does not exist');
  issue.labels.splice(at, 1);
  touch(ctx, issue);
  return ok(issue.labels.map((l) => labelJson(ctx.state.label(repo, l), repo, ctx.urls)));
}

function createLabel(ctx: Ctx, repo: FakeRepo): Reply {
  const body = (ctx.body ?? {}) as { name?: unknown; color?: unknown; description?: unknown };
  if (typeof body.name !== 'string' || body.name === '') {
    return validationFailed([{ resource: 'Label', field: 'name', code: 'missing_field' }]);
  }
  if (repo.labels.has(body.name.toLowerCase())) {
    return validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
  }
  const color = typeof body.color === 'string' ? body.color.replace(/^#/, '') : 'ededed';
  if (!/^[0-9a-fA-F]{6}$/.test(color)) return validationFailed([{ resource: 'Label', field: 'color', code: 'invalid' }]);
  const label = ctx.state.label(repo, body.name);
  label.color = color;
  label.description = typeof body.description === 'string' ? body.description : null;
  return ok(labelJson(label, repo, ctx.urls), 201);
}

function listComments(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const sinceRaw = ctx.query.get('since');
  const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
  const comments = issue.comments.filter((c) => since === undefined || Math.floor(c.updatedAt / 1000) * 1000 >= since);
  return paged(ctx, `/repos/${repo.owner}/${repo.name}/issues/${issue.number}/comments`, comments, (c) =>
    commentJson(c, issue, repo, ctx.urls),
  );
}

function createComment(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const body = (ctx.body ?? {}) as { body?: unknown };
  if (typeof body.body !== 'string' || body.body === '') {
    return validationFailed([{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
  }
  const comment = { id: ctx.state.id(), body: body.body, user: actor(ctx), createdAt: ctx.now, updatedAt: ctx.now };
  issue.comments.push(comment);
  touch(ctx, issue);
  return ok(commentJson(comment, issue, repo, ctx.urls), 201);
}

function listBlockedBy(ctx: Ctx, repo: FakeRepo): Reply {
  const issue = issueOf(ctx, repo);
  if (!issue) return notFound();
  const blockers = issue.blockedBy.flatMap((id) => {
    const found = ctx.state.issueById(id);
    return found ? [found] : [];
  });
  return paged(ctx, `/repos/${repo.owner}/${repo.name}/issues/${issue.number}/dependencies/blocked_by`, blockers, (b) =>
    issueJson(b.issue, b.repo, ctx.state, ctx.urls),
  );
}

const read: RepoRoute['permissions'] = () => [['issues', 'read']];
const write: RepoRoute['permissions'] = () => [['issues', 'write']];

export const issuesRoutes: RepoRoute[] = [
  { method: 'GET', pattern: '/repos/:owner/:repo/issues', auth: 'repo', permissions: read, handle: listIssues },
  { method: 'GET', pattern: '/repos/:owner/:repo/issues/:number', auth: 'repo', permissions: read, handle: getIssue },
  { method: 'PATCH', pattern: '/repos/:owner/:repo/issues/:number', auth: 'repo', permissions: write, handle: updateIssue },
  { method: 'POST', pattern: '/repos/:owner/:repo/issues/:number/labels', auth: 'repo', permissions: write, handle: addLabels },
  {
    method: 'DELETE',
    pattern: '/repos/:owner/:repo/issues/:number/labels/:name',
    auth: 'repo',
    permissions: write,
    handle: removeLabel,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    auth: 'repo',
    permissions: read,
    handle: listComments,
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    auth: 'repo',
    permissions: write,
    handle: createComment,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number/dependencies/blocked_by',
    auth: 'repo',
    permissions: read,
    handle: listBlockedBy,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/labels',
    auth: 'repo',
    permissions: read,
    handle: (ctx, repo) =>
      paged(ctx, `/repos/${repo.owner}/${repo.name}/labels`, [...repo.labels.values()], (l) => labelJson(l, repo, ctx.urls)),
  },
  { method: 'POST', pattern: '/repos/:owner/:repo/labels', auth: 'repo', permissions: write, handle: createLabel },
];

/** `GET /user/repos` (a personal token: every repository) and `GET /installation/repositories` (an installation's). */
export const repositoryListRoutes: UserRoute[] = [
  {
    method: 'GET',
    pattern: '/user/repos',
    auth: 'user',
    handle: (ctx) => {
      if (ctx.principal.kind !== 'token') return fail(403, 'Resource not accessible by integration');
      const repos = [...ctx.state.repos.values()];
      return paged(ctx, '/user/repos', repos, (r) => repoJson(r, ctx.urls));
    },
  },
  {
    method: 'GET',
    pattern: '/installation/repositories',
    auth: 'user',
    handle: (ctx) => {
      const { principal } = ctx;
      if (principal.kind !== 'installation') return fail(403, 'You must authenticate with an installation access token');
      const { issued } = principal;
      const repos = [...ctx.state.repos.values()].filter(
        (r) =>
          r.owner.toLowerCase() === issued.account.toLowerCase() &&
          (issued.repositories === 'all' || issued.repositories.includes(r.name.toLowerCase())),
      );
      const reply = paged(ctx, '/installation/repositories', repos, (r) => repoJson(r, ctx.urls));
      return { ...reply, body: { total_count: repos.length, repositories: reply.body } };
    },
  },
];
