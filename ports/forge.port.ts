import type { ResultAsync } from 'neverthrow';
import type { ForgeKind } from '../core/domain/model.js';
import type { ServiceError } from './errors.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequest {
  owner: string;
  repo: string;
  number: number;
  url: string;
  branch: string;
  baseBranch: string;
  title: string;
  state: 'open' | 'closed' | 'merged';
  createdAt: number;
}

/** One commit of a pull request, oldest first. */
export interface PullRequestCommit {
  sha: string;
  subject: string;
  author: string;
  /** Epoch milliseconds. */
  authoredAt: number;
}

/** What a forge that has no web UI of its own shows of a pull request: its record, commits and diff. */
export interface PullRequestDetail extends PullRequest {
  body: string;
  /** The head commit the page shows, or null when the branch is gone. */
  headSha: string | null;
  commits: PullRequestCommit[];
  /** The unified diff of the head against its merge base with the base branch (plain text). */
  diff: string;
  /** True when the diff was cut at the forge's limit. */
  diffTruncated: boolean;
}

export interface WorkflowRun {
  id: string;
  url: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | string;
  createdAt: number;
}

/**
 * Where a session gets a repository's code: a git URL (or path) it clones and pushes to as it
 * is, or the forge's API base, through which it asks `/api/token` for a repository token.
 */
export type CheckoutSource = { repoUrl: string } | { apiUrl: string };

/**
 * Forge — where the code lives (GitHub, or bare git repositories on disk).
 *
 * Contract (testing/contracts/forge.contract.ts):
 * - `dispatchWorkflow` starts the named workflow on `ref` with `inputs` and resolves once the
 *   forge has accepted it; it does not wait for the run.
 * - `findRun` finds the run whose name contains `marker` (the job id), or resolves undefined.
 * - `openPullRequest` opens one pull request for `branch` onto `base`; an existing open one
 *   for the same branch is returned instead of a second.
 * - `mintRepoToken` returns a short-lived token scoped to that one repository, with the least
 *   permissions `access` needs (`read`: clone; `write`: push a branch and open a pull request),
 *   minted for the caller alone (never a shared or cached one); a forge that cannot mint such a
 *   token (a personal access token) answers `notConfigured`.
 * - `revokeRepoToken` ends a token `mintRepoToken` gave, before its expiry.
 * - `putFile` writes a file on the default branch (workflow templates), idempotently.
 * - `checkoutSource` says, without I/O, where a session fetches the repository from.
 */
/** What a session's repository token may do: `read` clones; `write` also pushes and opens a pull request. */
export type RepoTokenAccess = 'read' | 'write';

export interface Forge {
  readonly kind: ForgeKind;
  dispatchWorkflow(
    repo: RepoRef,
    workflowFile: string,
    ref: string,
    inputs: Record<string, string>,
  ): ResultAsync<void, ServiceError>;
  findRun(repo: RepoRef, workflowFile: string, marker: string): ResultAsync<WorkflowRun | undefined, ServiceError>;
  openPullRequest(
    repo: RepoRef,
    pr: { branch: string; base: string; title: string; body: string },
  ): ResultAsync<PullRequest, ServiceError>;
  mintRepoToken(repo: RepoRef, access: RepoTokenAccess): ResultAsync<{ token: string; expiresAt: number }, ServiceError>;
  revokeRepoToken(token: string): ResultAsync<void, ServiceError>;
  getFile(repo: RepoRef, path: string, ref: string): ResultAsync<string | undefined, ServiceError>;
  putFile(repo: RepoRef, path: string, content: string, message: string, branch: string): ResultAsync<void, ServiceError>;
  checkoutSource(repo: RepoRef): CheckoutSource;
  /**
   * Optional, for a forge without a web UI of its own (the local forge): a pull request with its
   * body, commits and diff against the base, or undefined when there is no such pull request.
   */
  describePullRequest?(repo: RepoRef, number: number): ResultAsync<PullRequestDetail | undefined, ServiceError>;
  /**
   * Optional: the repository's open pull requests as the forge has them now (GitHub: the newest
   * 100), whoever opened them — what `GET /api/v1/git/context` shows beside its own records.
   */
  listOpenPullRequests?(repo: RepoRef): ResultAsync<PullRequest[], ServiceError>;
}

/**
 * ForgeRegistry — the forges this orchestrator can reach, by kind; a mapping names its own
 * (`mapping.forge`). A kind without a connection answers undefined. Built by the composition
 * root from the settings; the use cases never construct a forge.
 */
export interface ForgeRegistry {
  get(kind: ForgeKind): Forge | undefined;
  kinds(): ForgeKind[];
}
