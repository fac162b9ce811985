import { isoSeconds } from './http.js';
import {
  blobSha,
  type FakeComment,
  type FakeInstallation,
  type FakeIssue,
  type FakeLabel,
  type FakePull,
  type FakeRepo,
  type FakeRun,
  type GithubState,
} from './state.js';

/** Where the fake says things live: `api` is its own URL, `html` stands in for github.com. */
export interface Urls {
  api: string;
  html: string;
}

const user = (login: string, u: Urls) => ({
  login,
  id: 1,
  node_id: 'MDQ6VXNlcjE=',
  type: login.endsWith('[bot]') ? 'Bot' : 'User',
  url: `${u.api}/users/${login}`,
  html_url: `${u.html}/${login}`,
  site_admin: false,
});

export function repoJson(repo: FakeRepo, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: full,
    private: repo.private,
    owner: user(repo.owner, u),
    html_url: `${u.html}/${full}`,
    url: `${u.api}/repos/${full}`,
    default_branch: repo.defaultBranch,
    visibility: repo.private ? 'private' : 'public',
    archived: false,
    disabled: false,
    has_issues: true,
    open_issues_count: repo.issues.filter((i) => i.state === 'open').length + repo.pulls.filter((p) => p.state === 'open').length,
  };
}

export function runJson(run: FakeRun, repo: FakeRepo, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const api = `${u.api}/repos/${full}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.workflowName,
    node_id: `WFR_${run.id}`,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.workflowPath,
    display_title: run.displayTitle,
    run_number: run.runNumber,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: workflowId(run.workflowPath),
    check_suite_id: run.id + 1,
    url: api,
    html_url: `${u.html}/${full}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: isoSeconds(run.createdAt),
    updated_at: isoSeconds(run.updatedAt),
    actor: user('ai-implement', u),
    triggering_actor: user('ai-implement', u),
    run_attempt: 1,
    run_started_at: isoSeconds(run.createdAt),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    workflow_url: `${u.api}/repos/${full}/actions/workflows/${workflowId(run.workflowPath)}`,
    repository: repoJson(repo, u),
    head_repository: repoJson(repo, u),
  };
}

/** A stable numeric id per workflow path, as GitHub gives each workflow one. */
export function workflowId(path: string): number {
  let h = 0;
  for (const c of path) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 100_000_000;
}

export function pullJson(pr: FakePull, repo: FakeRepo, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: user(repo.owner, u),
    repo: repoJson(repo, u),
  });
  return {
    url: `${u.api}/repos/${full}/pulls/${pr.number}`,
    id: pr.id,
    node_id: `PR_${pr.id}`,
    html_url: `${u.html}/${full}/pull/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    body: pr.body,
    user: user('ai-implement[bot]', u),
    created_at: isoSeconds(pr.createdAt),
    updated_at: isoSeconds(pr.updatedAt),
    closed_at: pr.closedAt === null ? null : isoSeconds(pr.closedAt),
    merged_at: pr.mergedAt === null ? null : isoSeconds(pr.mergedAt),
    merge_commit_sha: null,
    draft: pr.draft,
    head: side(pr.head, pr.headSha),
    base: side(pr.base, pr.baseSha),
  };
}

/** The contents API's file object; `content` is base64 wrapped at 60 characters like GitHub's. */
export function fileJson(repo: FakeRepo, path: string, content: string, ref: string, u: Urls, withContent = true) {
  const full = `${repo.owner}/${repo.name}`;
  const sha = blobSha(content);
  const b64 = Buffer.from(content, 'utf8').toString('base64');
  const body: Record<string, unknown> = {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(content),
    name: path.split('/').pop(),
    path,
    sha,
    url: `${u.api}/repos/${full}/contents/${path}?ref=${ref}`,
    git_url: `${u.api}/repos/${full}/git/blobs/${sha}`,
    html_url: `${u.html}/${full}/blob/${ref}/${path}`,
    download_url: `${u.html}/${full}/raw/${ref}/${path}`,
  };
  if (withContent) body.content = `${b64.replace(/(.{60})/g, '$1\n')}\n`;
  else delete body.encoding;
  return body;
}

export function dirEntryJson(repo: FakeRepo, path: string, type: 'file' | 'dir', ref: string, u: Urls, content?: string) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    type,
    name: path.split('/').pop(),
    path,
    sha: content === undefined ? blobSha(path) : blobSha(content),
    size: content === undefined ? 0 : Buffer.byteLength(content),
    url: `${u.api}/repos/${full}/contents/${path}?ref=${ref}`,
  };
}

export function installationJson(inst: FakeInstallation, u: Urls) {
  return {
    id: inst.id,
    account: user(inst.account, u),
    app_id: Number(inst.appId),
    app_slug: `app-${inst.appId}`,
    target_type: 'Organization',
    permissions: inst.permissions,
    events: [],
    repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
    access_tokens_url: `${u.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${u.api}/installation/repositories`,
    html_url: `${u.html}/organizations/${inst.account}/settings/installations/${inst.id}`,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    single_file_name: null,
    suspended_at: null,
  };
}

export function labelJson(label: FakeLabel, repo: FakeRepo, u: Urls) {
  return {
    id: label.id,
    node_id: `LA_${label.id}`,
    url: `${u.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

/** GitHub's issue object (REST, `application/vnd.github+json`), with the dependency summary and issue fields. */
export function issueJson(issue: FakeIssue, repo: FakeRepo, state: GithubState, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const api = `${u.api}/repos/${full}/issues/${issue.number}`;
  const blockers = issue.blockedBy.map((id) => state.issueById(id)?.issue).filter((b): b is FakeIssue => b !== undefined);
  return {
    url: api,
    repository_url: `${u.api}/repos/${full}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${u.html}/${full}/issues/${issue.number}`,
    id: issue.id,
    node_id: `I_${issue.id}`,
    number: issue.number,
    title: issue.title,
    user: user('octocat', u),
    labels: issue.labels.map((name) => labelJson(state.label(repo, name), repo, u)),
    state: issue.state,
    state_reason: issue.stateReason,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments.length,
    created_at: isoSeconds(issue.createdAt),
    updated_at: isoSeconds(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : isoSeconds(issue.closedAt),
    author_association: 'OWNER',
    active_lock_reason: null,
    body: issue.body,
    reactions: { url: `${api}/reactions`, total_count: 0 },
    timeline_url: `${api}/timeline`,
    issue_dependencies_summary: {
      blocked_by: blockers.filter((b) => b.state === 'open').length,
      blocking: 0,
      total_blocked_by: blockers.length,
      total_blocking: 0,
    },
    issue_field_values:
      issue.priority === undefined
        ? []
        : [
            {
              issue_field_id: 1,
              issue_field_name: 'Priority',
              node_id: 'IFSS_priority',
              data_type: 'single_select',
              value: issue.priority,
              single_select_option: { id: 1, name: issue.priority, color: 'red' },
            },
          ],
  };
}

/** A pull request as the issues API lists it: an issue with a `pull_request` key. */
export function pullAsIssueJson(pr: FakePull, repo: FakeRepo, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const api = `${u.api}/repos/${full}/issues/${pr.number}`;
  return {
    url: api,
    repository_url: `${u.api}/repos/${full}`,
    html_url: `${u.html}/${full}/pull/${pr.number}`,
    id: pr.id,
    node_id: `PR_${pr.id}`,
    number: pr.number,
    title: pr.title,
    user: user('ai-implement[bot]', u),
    labels: (pr.labels ?? []).map((name) => ({ name, color: 'ededed', default: false, description: null })),
    state: pr.state,
    locked: false,
    comments: 0,
    created_at: isoSeconds(pr.createdAt),
    updated_at: isoSeconds(pr.updatedAt),
    closed_at: pr.closedAt === null ? null : isoSeconds(pr.closedAt),
    body: pr.body,
    draft: pr.draft,
    pull_request: {
      url: `${u.api}/repos/${full}/pulls/${pr.number}`,
      html_url: `${u.html}/${full}/pull/${pr.number}`,
      diff_url: `${u.html}/${full}/pull/${pr.number}.diff`,
      patch_url: `${u.html}/${full}/pull/${pr.number}.patch`,
      merged_at: pr.mergedAt === null ? null : isoSeconds(pr.mergedAt),
    },
  };
}

export function commentJson(comment: FakeComment, issue: FakeIssue, repo: FakeRepo, u: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    url: `${u.api}/repos/${full}/issues/comments/${comment.id}`,
    html_url: `${u.html}/${full}/issues/${issue.number}#issuecomment-${comment.id}`,
    issue_url: `${u.api}/repos/${full}/issues/${issue.number}`,
    id: comment.id,
    node_id: `IC_${comment.id}`,
    user: user(comment.user, u),
    created_at: isoSeconds(comment.createdAt),
    updated_at: isoSeconds(comment.updatedAt),
    author_association: 'NONE',
    body: comment.body,
  };
}
