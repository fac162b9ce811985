import { isoSeconds } from './http.js';
import { blobSha, type FakeInstallation, type FakePull, type FakeRepo, type FakeRun } from './state.js';

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
