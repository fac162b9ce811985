import type { Octokit } from '@octokit/rest';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Forge, PullRequest, RepoRef, WorkflowRun } from '../../../ports/forge.port.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/timed-fetch.js';
import type { GithubAuthConfig } from './github-auth.js';
import { connectGithub } from './github-connection.js';
import { toServiceError } from './github-errors.js';

export { classifyRun, RUN_LINK_TIMEOUT_MS, type RunClassification } from './classify-run.js';
export { REPO_TOKEN_PERMISSIONS } from './github-auth.js';

export interface GithubForgeOptions {
  /** `GITHUB_API_URL`: https://api.github.com, or `https://HOST/api/v3` on Enterprise Server. */
  baseUrl: string;
  /** `GITHUB_TOKEN`, or a GitHub App (`GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY`). */
  auth: GithubAuthConfig;
  retry?: RetryOptions;
  now?: () => number;
  /** How far back `findRun` looks for a dispatch's run (2 days: longer than any job lives). */
  runLookbackMs?: number;
  /** Pages of 100 runs `findRun` reads at most before saying "not found" (3). */
  runPages?: number;
  warn?: (message: string) => void;
  /** The deadline of one request (default 15 s); past it the request is aborted and `unavailable`. */
  timeoutMs?: number;
  /** The connection's request governor (shared per API URL and credential); none: every request goes. */
  governor?: RequestGovernor;
  fetch?: typeof fetch;
}

type Content = { content: string; sha: string };

/** GitHub timestamps and filters are ISO 8601 in UTC without milliseconds. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * True when `marker` stands in `title` as a whole token, so job `j-1` never links the run of
 * job `j-12`.
 */
export function hasMarker(title: string, marker: string): boolean {
  if (marker === '') return false;
  const word = /[A-Za-z0-9_-]/;
  for (let i = title.indexOf(marker); i >= 0; i = title.indexOf(marker, i + 1)) {
    const before = title[i - 1];
    const after = title[i + marker.length];
    if ((before === undefined || !word.test(before)) && (after === undefined || !word.test(after))) return true;
  }
  return false;
}

interface RunData {
  id: number;
  html_url: string;
  name?: string | null;
  display_title?: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
}

function toRun(run: RunData): WorkflowRun {
  // GitHub has more waiting states (requested, waiting, pending); for us they are all queued.
  const status = run.status === 'completed' || run.status === 'in_progress' ? run.status : 'queued';
  const out: WorkflowRun = {
    id: String(run.id),
    url: run.html_url,
    name: run.display_title || run.name || '',
    status,
    createdAt: Date.parse(run.created_at),
  };
  if (run.conclusion) out.conclusion = run.conclusion;
  return out;
}

interface PullData {
  number: number;
  html_url: string;
  title: string;
  state: string;
  merged_at: string | null;
  created_at: string;
  head: { ref: string };
  base: { ref: string };
}

function toPull(repo: RepoRef, pr: PullData): PullRequest {
  return {
    owner: repo.owner,
    repo: repo.repo,
    number: pr.number,
    url: pr.html_url,
    branch: pr.head.ref,
    baseBranch: pr.base.ref,
    title: pr.title,
    state: pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed',
    createdAt: Date.parse(pr.created_at),
  };
}

/**
 * The Forge port on GitHub's REST API (@octokit/rest). Every call goes through
 * retryServiceCall, and every thrown error becomes a ServiceError in `toServiceError`.
 *
 * Linking: `dispatchWorkflow` cannot tell which run it started (GitHub answers 204 and
 * nothing else), so the job id travels in the inputs and the workflow templates put it in
 * their `run-name`; `findRun` lists the workflow's recent `workflow_dispatch` runs and matches
 * the marker in the run's title. A dispatch is never sent again after a 5xx or a timeout (GitHub
 * may have started the run before its answer was lost: a second dispatch would be a second
 * paid run); only a rate limit or a governor that sent nothing proves it may be.
 *
 * Writing `.github/workflows/*` through the contents API needs the `workflows` permission
 * (App) or the `workflow` scope (token) besides contents write.
 */
export function createGithubForge(options: GithubForgeOptions): Forge {
  const now = options.now ?? Date.now;
  const lookbackMs = options.runLookbackMs ?? 2 * 86_400_000;
  const maxPages = options.runPages ?? 3;
  const governor = options.governor ?? UNGOVERNED;
  // A request that ran out its deadline is not sent three more times inside one call.
  const retry: RetryOptions = {
    maxElapsedMs: Math.round((options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) * 0.9),
    ...options.retry,
  };
  const auth = connectGithub({
    baseUrl: options.baseUrl,
    auth: options.auth,
    now,
    governor,
    warn: options.warn,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });

  /**
   * One retried request about `repo`, each attempt through the governor; an auth failure drops
   * cached App tokens for it. `notIdempotent`: a 5xx or a timeout of the request itself is
   * `maybeDone` and ends the call (finding the token, a rate limit, a governor that sent nothing
   * are retried as usual).
   */
  const call = <T>(repo: RepoRef, request: (o: Octokit) => Promise<T>, notIdempotent = false): ResultAsync<T, ServiceError> =>
    retryServiceCall(
      () =>
        auth
          .client(repo)
          .andThen((o) =>
            governor.run(() =>
              ResultAsync.fromPromise(request(o), (e): ServiceError => {
                const error = toServiceError(e, now());
                return notIdempotent && error.kind === 'unavailable' ? { ...error, maybeDone: true } : error;
              }),
            ),
          )
          .mapErr((e) => {
            if (e.kind === 'auth') auth.forget(repo);
            return e;
          }),
      { ...retry, retryable: (e) => !(e.kind === 'unavailable' && e.maybeDone) },
    );

  const readFile = (repo: RepoRef, path: string, ref: string): ResultAsync<Content | undefined, ServiceError> =>
    call(repo, (o) => o.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path, ref }))
      .andThen(({ data }): ResultAsync<Content, ServiceError> => {
        if (Array.isArray(data) || data.type !== 'file') return errAsync({ kind: 'invalid', message: `${path} is not a file` });
        if (!('content' in data) || data.encoding !== 'base64') {
          return errAsync({ kind: 'invalid', message: `${path} is too large for the contents API` });
        }
        return okAsync({ content: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha });
      })
      .orElse((e) => {
        if (e.kind !== 'notFound' || /^No commit found for the ref/i.test(e.message)) return errAsync(e);
        // GitHub says 404 for a missing file and for a missing repository alike; ask which.
        return call(repo, (o) => o.rest.repos.get({ owner: repo.owner, repo: repo.repo })).map(() => undefined);
      });

  const findOpenPull = (repo: RepoRef, branch: string) =>
    call(repo, (o) =>
      o.rest.pulls.list({ owner: repo.owner, repo: repo.repo, head: `${repo.owner}:${branch}`, state: 'open', per_page: 10 }),
    ).map(({ data }) => (data[0] ? toPull(repo, data[0]) : undefined));

  return {
    kind: 'github',

    // A session clones through the API with a repository token it asks /api/token for.
    checkoutSource: () => ({ apiUrl: options.baseUrl }),

    // Sent again only after a failure that proves GitHub started nothing (a rate limit, or a
    // governor that sent nothing): a 5xx or a timeout may hide a run that did start.
    dispatchWorkflow: (repo, workflowFile, ref, inputs) =>
      call(
        repo,
        (o) =>
          o.rest.actions.createWorkflowDispatch({ owner: repo.owner, repo: repo.repo, workflow_id: workflowFile, ref, inputs }),
        true,
      ).map(() => undefined),

    findRun: (repo, workflowFile, marker) => {
      const created = `>=${isoSeconds(now() - lookbackMs)}`;
      const page = (n: number): ResultAsync<WorkflowRun | undefined, ServiceError> =>
        call(repo, (o) =>
          o.rest.actions.listWorkflowRuns({
            owner: repo.owner,
            repo: repo.repo,
            workflow_id: workflowFile,
            event: 'workflow_dispatch',
            created,
            per_page: 100,
            page: n,
          }),
        ).andThen(({ data }) => {
          const hit = data.workflow_runs.find((r) => hasMarker(r.display_title || r.name || '', marker));
          if (hit) return okAsync(toRun(hit));
          if (data.workflow_runs.length < 100 || n >= maxPages) return okAsync(undefined);
          return page(n + 1);
        });
      return page(1);
    },

    openPullRequest: (repo, pr) =>
      findOpenPull(repo, pr.branch).andThen((existing) => {
        if (existing) return okAsync(existing);
        return call(repo, (o) =>
          o.rest.pulls.create({
            owner: repo.owner,
            repo: repo.repo,
            head: pr.branch,
            base: pr.base,
            title: pr.title,
            body: pr.body,
          }),
        )
          .map(({ data }) => toPull(repo, data))
          .orElse((e) => {
            // Another caller opened it between our list and our create.
            if (e.kind !== 'invalid' || !/already exists/i.test(e.message)) return errAsync(e);
            return findOpenPull(repo, pr.branch).andThen((again) => (again ? okAsync(again) : errAsync(e)));
          });
      }),

    mintRepoToken: (repo, access) => retryServiceCall(() => auth.repoToken(repo, access), retry),
    revokeRepoToken: (token) => retryServiceCall(() => auth.revokeRepoToken(token), retry),

    getFile: (repo, path, ref) => readFile(repo, path, ref).map((file) => file?.content),

    listOpenPullRequests: (repo) =>
      call(repo, (o) =>
        o.rest.pulls.list({
          owner: repo.owner,
          repo: repo.repo,
          state: 'open',
          sort: 'created',
          direction: 'desc',
          per_page: 100,
        }),
      ).map(({ data }) => data.map((pr) => toPull(repo, pr))),

    putFile: (repo, path, content, message, branch) => {
      const attempt = (conflictsLeft: number): ResultAsync<void, ServiceError> =>
        readFile(repo, path, branch).andThen((existing) => {
          if (existing?.content === content) return okAsync(undefined);
          return call(repo, (o) =>
            o.rest.repos.createOrUpdateFileContents({
              owner: repo.owner,
              repo: repo.repo,
              path,
              message,
              branch,
              content: Buffer.from(content, 'utf8').toString('base64'),
              ...(existing ? { sha: existing.sha } : {}),
            }),
          )
            .map(() => undefined)
            .orElse((e) => {
              // 409: the file changed since we read it; 422 "sha wasn't supplied": it appeared.
              const raced = e.kind === 'invalid' && (e.status === 409 || /"sha"/.test(e.message));
              return raced && conflictsLeft > 0 ? attempt(conflictsLeft - 1) : errAsync(e);
            });
        });
      return attempt(2);
    },
  };
}
