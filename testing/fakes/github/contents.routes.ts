import { fail, isoSeconds, notFound, ok, type Reply } from './http.js';
import type { Ctx, RepoRoute } from './route.js';
import { dirEntryJson, fileJson, repoJson } from './shapes.js';
import { type Branch, blobSha, type FakeRepo, randomSha } from './state.js';

/** A ref is a branch name or a branch head's commit sha. */
function branchFor(repo: FakeRepo, ref: string): Branch | undefined {
  const name = ref.replace(/^refs\/heads\//, '');
  return repo.branches.get(name) ?? [...repo.branches.values()].find((b) => b.sha === ref);
}

function get(ctx: Ctx, repo: FakeRepo): Reply {
  const path = (ctx.params.path ?? '').replace(/\/+$/, '');
  const ref = ctx.query.get('ref') ?? repo.defaultBranch;
  const branch = branchFor(repo, ref);
  if (!branch) return fail(404, `No commit found for the ref ${ref}`);
  const text = branch.files.get(path);
  if (text !== undefined) return ok(fileJson(repo, path, text, ref, ctx.urls));
  const prefix = `${path}/`;
  const entries = new Map<string, ReturnType<typeof dirEntryJson>>();
  for (const [file, content] of branch.files) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length);
    const [first, ...deeper] = rest.split('/');
    const child = `${prefix}${first}`;
    entries.set(
      child,
      deeper.length > 0
        ? dirEntryJson(repo, child, 'dir', ref, ctx.urls)
        : dirEntryJson(repo, child, 'file', ref, ctx.urls, content),
    );
  }
  return entries.size > 0 ? ok([...entries.values()]) : notFound();
}

function put(ctx: Ctx, repo: FakeRepo): Reply {
  const path = ctx.params.path ?? '';
  const body = (ctx.body ?? {}) as { message?: unknown; content?: unknown; sha?: unknown; branch?: unknown };
  if (typeof body.message !== 'string') return fail(422, 'Invalid request.\n\n"message" wasn\'t supplied.');
  if (typeof body.content !== 'string') return fail(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(body.content)) return fail(422, 'content is not valid Base64');
  const branchName = typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
  const branch = repo.branches.get(branchName);
  if (!branch) return fail(404, `Branch ${branchName} not found`);
  const existing = branch.files.get(path);
  if (existing !== undefined) {
    if (typeof body.sha !== 'string') return fail(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (body.sha !== blobSha(existing)) return fail(409, `${path} does not match ${body.sha}`);
  }
  const text = Buffer.from(body.content, 'base64').toString('utf8');
  const parent = branch.sha;
  branch.files.set(path, text);
  branch.sha = randomSha();
  const full = `${repo.owner}/${repo.name}`;
  const who = { name: 'ai-implement', email: 'ai-implement@users.noreply.github.com', date: isoSeconds(ctx.now) };
  return ok(
    {
      content: fileJson(repo, path, text, branchName, ctx.urls, false),
      commit: {
        sha: branch.sha,
        node_id: `C_${branch.sha}`,
        url: `${ctx.urls.api}/repos/${full}/git/commits/${branch.sha}`,
        html_url: `${ctx.urls.html}/${full}/commit/${branch.sha}`,
        author: who,
        committer: who,
        message: body.message,
        tree: { sha: randomSha() },
        parents: [{ sha: parent }],
      },
    },
    existing === undefined ? 201 : 200,
  );
}

export const contentsRoutes: RepoRoute[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo',
    auth: 'repo',
    permissions: () => [['metadata', 'read']],
    handle: (ctx, repo) => ok(repoJson(repo, ctx.urls)),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/contents/*path',
    auth: 'repo',
    permissions: () => [['contents', 'read']],
    handle: get,
  },
  {
    method: 'PUT',
    pattern: '/repos/:owner/:repo/contents/*path',
    auth: 'repo',
    // Writing a workflow file takes the `workflows` permission besides `contents`, as on GitHub.
    permissions: (ctx) =>
      (ctx.params.path ?? '').startsWith('.github/workflows/')
        ? [
            ['contents', 'write'],
            ['workflows', 'write'],
          ]
        : [['contents', 'write']],
    handle: put,
  },
];
