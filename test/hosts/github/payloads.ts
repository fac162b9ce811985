/**
 * GitHub webhook payloads written by hand after GitHub's "Webhook events and payloads" page
 * (`pull_request` closed, `pull_request_review` submitted, `issue_comment` created, `ping`),
 * with the fields GitHub sends and realistic values. @octokit/webhooks-examples is not a
 * dependency of this project, so these stand in for its recorded payloads.
 */

export interface PullFixture {
  owner: string;
  repo: string;
  number: number;
  branch: string;
  base?: string;
  title?: string;
  /** `https://github.com`, or the fake's html host. */
  htmlUrl?: string;
  headSha?: string;
}

const at = '2026-01-01T00:10:00Z';

function user(login: string, id: number, type: 'User' | 'Bot' = 'User') {
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type,
    site_admin: false,
  };
}

export function repositoryJson(owner: string, repo: string, htmlUrl = 'https://github.com') {
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name: repo,
    full_name: `${owner}/${repo}`,
    private: true,
    owner: { ...user(owner, 9919, 'User'), type: 'Organization' },
    html_url: `${htmlUrl}/${owner}/${repo}`,
    description: null,
    fork: false,
    url: `https://api.github.com/repos/${owner}/${repo}`,
    created_at: '2025-06-01T12:00:00Z',
    updated_at: at,
    pushed_at: at,
    default_branch: 'main',
    visibility: 'private',
  };
}

function pullRequestJson(p: PullFixture, extra: Record<string, unknown>) {
  const html = p.htmlUrl ?? 'https://github.com';
  const headSha = p.headSha ?? '6dcb09b5b57875f334f61aebed695e2e4193db5e';
  const repository = repositoryJson(p.owner, p.repo, html);
  return {
    url: `https://api.github.com/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    id: 1_000_000 + p.number,
    node_id: 'PR_kwDOAAABBBCCC',
    html_url: `${html}/${p.owner}/${p.repo}/pull/${p.number}`,
    diff_url: `${html}/${p.owner}/${p.repo}/pull/${p.number}.diff`,
    number: p.number,
    state: 'open',
    locked: false,
    title: p.title ?? `ENG-1: ${p.branch}`,
    user: user('ai-implement[bot]', 41898282, 'Bot'),
    body: 'Opened by AI-Implement.',
    created_at: '2026-01-01T00:05:00Z',
    updated_at: at,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignees: [],
    requested_reviewers: [],
    labels: [],
    draft: false,
    head: { label: `${p.owner}:${p.branch}`, ref: p.branch, sha: headSha, user: repository.owner, repo: repository },
    base: {
      label: `${p.owner}:${p.base ?? 'main'}`,
      ref: p.base ?? 'main',
      sha: '9049f1265b7d61be4a8904a9a27120d2064dab3b',
      user: repository.owner,
      repo: repository,
    },
    author_association: 'NONE',
    auto_merge: null,
    active_lock_reason: null,
    ...extra,
  };
}

/** `pull_request` with `action: closed`; `merged` says whether it was merged or just closed. */
export function pullRequestClosed(p: PullFixture, merged = true) {
  const mergeSha = 'e5bd3914e2e596debea16f433f57875b5b90bcd6';
  return {
    action: 'closed',
    number: p.number,
    pull_request: pullRequestJson(p, {
      state: 'closed',
      closed_at: at,
      merged_at: merged ? at : null,
      merge_commit_sha: mergeSha,
      merged,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: merged ? user('octocat', 583231) : null,
      comments: 1,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 12,
      deletions: 3,
      changed_files: 2,
    }),
    repository: repositoryJson(p.owner, p.repo, p.htmlUrl),
    organization: { login: p.owner, id: 9919, node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=' },
    sender: user('octocat', 583231),
    installation: { id: 2311213, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMjMxMTIxMw==' },
  };
}

/** `pull_request_review` with `action: submitted`. */
export function reviewSubmitted(p: PullFixture, state: 'changes_requested' | 'approved' | 'commented', reviewId: number) {
  const html = p.htmlUrl ?? 'https://github.com';
  return {
    action: 'submitted',
    review: {
      id: reviewId,
      node_id: 'PRR_kwDOAAABBBCCC',
      user: user('octocat', 583231),
      body: state === 'changes_requested' ? 'Please handle the empty list case.' : 'Looks good',
      commit_id: p.headSha ?? '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      submitted_at: at,
      state,
      html_url: `${html}/${p.owner}/${p.repo}/pull/${p.number}#pullrequestreview-${reviewId}`,
      pull_request_url: `https://api.github.com/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
      author_association: 'MEMBER',
      _links: {
        html: { href: `${html}/${p.owner}/${p.repo}/pull/${p.number}#pullrequestreview-${reviewId}` },
        pull_request: { href: `https://api.github.com/repos/${p.owner}/${p.repo}/pulls/${p.number}` },
      },
    },
    pull_request: pullRequestJson(p, {}),
    repository: repositoryJson(p.owner, p.repo, p.htmlUrl),
    sender: user('octocat', 583231),
  };
}

/** `issue_comment` created on a pull request (the comment trigger's event; the webhook ignores it). */
export function issueCommentCreated(p: PullFixture, body: string) {
  return {
    action: 'created',
    issue: {
      number: p.number,
      title: p.title ?? 'ENG-1',
      pull_request: { url: `https://api.github.com/repos/${p.owner}/${p.repo}/pulls/${p.number}` },
      state: 'open',
    },
    comment: { id: 1362, body, user: user('octocat', 583231), author_association: 'MEMBER', created_at: at },
    repository: repositoryJson(p.owner, p.repo, p.htmlUrl),
    sender: user('octocat', 583231),
  };
}

/** `ping`, sent when a webhook is created. */
export function ping(owner: string, repo: string) {
  return {
    zen: 'Keep it logically awesome.',
    hook_id: 30,
    hook: { type: 'Repository', id: 30, active: true, events: ['pull_request', 'pull_request_review'] },
    repository: repositoryJson(owner, repo),
    sender: user('octocat', 583231),
  };
}
