import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { Forge, PullRequest, PullRequestDetail, RepoRef, WorkflowRun } from '../../../ports/forge.port.js';
import { collection, type Storage } from '../../../ports/storage.port.js';
import { createUnstorageStorage } from '../../storage/unstorage/unstorage.adapter.js';
import {
  commitFile,
  GitCommandError,
  gitIn,
  initRepository,
  isSafeRepoRef,
  readFileAt,
  repoExists,
  repoPath,
  resolveRef,
} from './local-repos.js';
import { pullDiff } from './pull-detail.js';

/** Where the local forge keeps the records that are not git objects (pull requests, runs). */
export type LocalForgeRecords = Storage['documents'];

export interface LocalForgeOptions {
  /** Directory holding the bare repositories, `<root>/<owner>/<repo>.git` (default DATA_DIR/repos). */
  root: string;
  /**
   * The Storage its pull requests and runs are records in. Default: an fs store inside the
   * root, so the orchestrator and every session process on this machine see the same
   * records (each record is one file; numbers are allocated atomically by git itself).
   */
  records?: LocalForgeRecords;
  now?: () => number;
  /**
   * Base of the pages a pull request and a run link to (`{webUrl}/{owner}/{repo}/pull/{n}`).
   * An http(s) URL, as the run result wants one: the orchestrator's PUBLIC_URL + `/local-forge`.
   */
  webUrl?: string;
}

export interface LocalForge extends Forge {
  readonly kind: 'local';
  readonly root: string;
  /** The path a session clones from and pushes to. */
  cloneUrl(ref: RepoRef): string;
  /** Creates a bare repository seeded with `files` on `defaultBranch`; an existing one is left alone. */
  createRepository(ref: RepoRef, defaultBranch: string, files: Record<string, string>): ResultAsync<string, ServiceError>;
  /** Every pull request of a repository, oldest first. */
  listPullRequests(ref: RepoRef): ResultAsync<PullRequest[], ServiceError>;
  describePullRequest(ref: RepoRef, number: number): ResultAsync<PullRequestDetail | undefined, ServiceError>;
  close(): Promise<void>;
}

export const DEFAULT_WEB_URL = 'http://127.0.0.1/local-forge';

/** The default root, `DATA_DIR/repos`, made absolute: sessions run in another working directory. */
export function localForgeRoot(dataDir: string): string {
  return resolve(dataDir, 'repos');
}

/** Where a repository of the forge at `root` lives on disk: what a session clones. */
export function localRepoUrl(root: string, ref: RepoRef): string {
  return repoPath(root, ref);
}
const PULLS = collection<PullRequest & { body?: string }>('local-forge-pulls');
const RUNS = collection<StoredRun>('local-forge-runs');

/** Record ids are opaque strings without `:`; owner and repo are plain names already. */
const key = (ref: RepoRef, suffix: string) => `${ref.owner}~${ref.repo}~${suffix}`;

const notFound = (ref: RepoRef): ServiceError => ({ kind: 'notFound', message: `Repository ${ref.owner}/${ref.repo} not found` });

function toServiceError(error: unknown): ServiceError {
  if (error instanceof GitCommandError) return { kind: 'invalid', status: 422, message: error.message };
  return { kind: 'unavailable', message: error instanceof Error ? error.message : String(error) };
}

type StoredRun = WorkflowRun & { owner: string; repo: string; workflowFile: string };

/**
 * Forge over bare git repositories on disk, driven by the real `git` CLI. A pull request is
 * a branch plus a record (and a `refs/pull/<n>/head` ref, as GitHub keeps one); a workflow
 * dispatch is recorded as a queued run, since the local runner — not the forge — runs sessions.
 */
export function createLocalForge(options: LocalForgeOptions): LocalForge {
  const { root } = options;
  const now = options.now ?? Date.now;
  const webUrl = (options.webUrl ?? DEFAULT_WEB_URL).replace(/\/+$/, '');
  const pullUrl = (ref: RepoRef, n: number) => `${webUrl}/${ref.owner}/${ref.repo}/pull/${n}`;
  let opened: Promise<Storage> | undefined;
  const records = async (): Promise<LocalForgeRecords> => {
    if (options.records) return options.records;
    opened ??= createUnstorageStorage({ driver: 'fs', base: join(root, '.forge-records') });
    return (await opened).documents;
  };

  /** Runs `task` on an existing repository; a missing one is notFound, a thrown error is mapped. */
  const onRepo = <T>(ref: RepoRef, task: (path: string) => Promise<T>): ResultAsync<T, ServiceError> =>
    ResultAsync.fromPromise(repoExists(root, ref), toServiceError).andThen((exists) =>
      exists ? ResultAsync.fromPromise(task(repoPath(root, ref)), toServiceError) : errAsync(notFound(ref)),
    );

  const pullsOf = async (ref: RepoRef): Promise<PullRequest[]> => {
    const all = await (await records()).list(PULLS);
    return all.filter((pr) => pr.owner === ref.owner && pr.repo === ref.repo).sort((a, b) => a.number - b.number);
  };

  /** The next free number, claimed by creating `refs/pull/<n>/head`, which git does atomically. */
  const claimNumber = async (path: string, head: string, taken: number): Promise<number> => {
    for (let n = taken + 1; ; n++) {
      try {
        await gitIn(path, ['update-ref', `refs/pull/${n}/head`, head, '0'.repeat(40)]);
        return n;
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        if (n > taken + 1000) throw error;
      }
    }
  };

  return {
    kind: 'local',
    root,
    cloneUrl: (ref) => repoPath(root, ref),
    checkoutSource: (ref) => ({ repoUrl: repoPath(root, ref) }),

    dispatchWorkflow(ref, workflowFile, branch, inputs) {
      return onRepo(ref, async (path) => {
        const workflow = await readFileAt(path, `refs/heads/${branch}`, `.github/workflows/${workflowFile}`);
        if (workflow === undefined) return undefined;
        const id = randomBytes(8).toString('hex');
        const marker = inputs.job_id ?? '';
        const run: StoredRun = {
          id,
          url: `${webUrl}/${ref.owner}/${ref.repo}/actions/runs/${id}`,
          name: [inputs.phase, inputs.issue_identifier, marker ? `[${marker}]` : workflowFile].filter(Boolean).join(' '),
          status: 'queued',
          createdAt: now(),
          owner: ref.owner,
          repo: ref.repo,
          workflowFile,
        };
        // Inputs are not kept: they carry the run's tokens.
        await (await records()).put(RUNS, key(ref, id), run);
        return run;
      }).andThen((run) =>
        run
          ? okAsync(undefined)
          : errAsync<void, ServiceError>({ kind: 'notFound', message: `Workflow ${workflowFile} not found on ${branch}` }),
      );
    },

    findRun(ref, workflowFile, marker) {
      return onRepo(ref, async () => {
        const runs = await (await records()).list(RUNS);
        const found = runs
          .filter(
            (r) => r.owner === ref.owner && r.repo === ref.repo && r.workflowFile === workflowFile && r.name.includes(marker),
          )
          .sort((a, b) => b.createdAt - a.createdAt)[0];
        if (!found) return undefined;
        const { owner: _o, repo: _r, workflowFile: _w, ...run } = found;
        return run;
      });
    },

    openPullRequest(ref, pr) {
      return onRepo(ref, async (path): Promise<{ ok: PullRequest } | { missing: string }> => {
        const existing = (await pullsOf(ref)).find((p) => p.branch === pr.branch && p.state === 'open');
        if (existing) return { ok: existing };
        const head = await resolveRef(path, `refs/heads/${pr.branch}`);
        if (!head) return { missing: `Head ref ${pr.branch} does not exist` };
        if (!(await resolveRef(path, `refs/heads/${pr.base}`))) return { missing: `Base ref ${pr.base} does not exist` };
        const all = await pullsOf(ref);
        const number = await claimNumber(path, head, Math.max(0, ...all.map((p) => p.number)));
        const created: PullRequest = {
          owner: ref.owner,
          repo: ref.repo,
          number,
          url: pullUrl(ref, number),
          branch: pr.branch,
          baseBranch: pr.base,
          title: pr.title,
          state: 'open',
          createdAt: now(),
        };
        await (await records()).put(PULLS, key(ref, String(number)), { ...created, body: pr.body });
        return { ok: created };
      }).andThen((outcome) =>
        'ok' in outcome
          ? okAsync(stripBody(outcome.ok))
          : errAsync<PullRequest, ServiceError>({
              kind: 'invalid',
              status: 422,
              message: `Validation Failed: ${outcome.missing}`,
            }),
      );
    },

    revokeRepoToken() {
      return okAsync(undefined);
    },

    mintRepoToken(ref) {
      // Nothing on disk checks it; a session on this machine needs no credential to push.
      return onRepo(ref, async () => ({ token: `local-${randomBytes(16).toString('hex')}`, expiresAt: now() + 60 * 60_000 }));
    },

    getFile(ref, file, branch) {
      return onRepo(ref, (path) => readFileAt(path, `refs/heads/${branch}`, file));
    },

    putFile(ref, file, content, message, branch) {
      return onRepo(ref, (path) => commitFile(path, branch, file, content, message));
    },

    createRepository(ref, defaultBranch, files) {
      if (!isSafeRepoRef(ref)) return errAsync({ kind: 'invalid', message: `Invalid repository name ${ref.owner}/${ref.repo}` });
      return ResultAsync.fromPromise(
        (async () => ((await repoExists(root, ref)) ? repoPath(root, ref) : initRepository(root, ref, defaultBranch, files)))(),
        toServiceError,
      );
    },

    listPullRequests(ref) {
      return onRepo(ref, async () => (await pullsOf(ref)).map((pr) => stripBody(pr)));
    },

    describePullRequest(ref, number) {
      return onRepo(ref, async (path) => {
        const stored = await (await records()).get(PULLS, key(ref, String(number)));
        if (!stored) return undefined;
        const { body = '', ...pr } = stored;
        return { ...pr, body, ...(await pullDiff(path, pr.number, pr.branch, pr.baseBranch)) };
      });
    },

    listOpenPullRequests(ref) {
      return onRepo(ref, async () => (await pullsOf(ref)).filter((pr) => pr.state === 'open').map((pr) => stripBody(pr)));
    },

    async close() {
      if (opened) await (await opened).close();
    },
  };
}

function stripBody(pr: PullRequest & { body?: string }): PullRequest {
  const { body: _body, ...rest } = pr;
  return rest;
}
