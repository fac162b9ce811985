/**
 * Ticketing on GitHub Issues (REST through @octokit/rest, on the forge's credentials and
 * request governor). A mapping's scope is its repository, or `issuesRepo` (another repository
 * of the same owner); the trigger is the `AI-Implement` label and the lifecycle labels are
 * Linear's (`AI-Planning`, `Plan-Complete`, `AI-Working`, `Ready for Review`).
 *
 * - Listing: github-candidates.ts — a full read of the triggered open issues now and then,
 *   incremental `since` reads in between, one request per page of 100; pull requests are
 *   never candidates. Blocked-by is GitHub's issue dependencies (`blocked_by`).
 * - A move reads the issue's labels afresh (so a stale snapshot never undoes a change) and
 *   writes only the difference: one `POST …/labels` for the labels to add and one `DELETE
 *   …/labels/{name}` per label to remove; at the stage already, nothing is written. The
 *   lifecycle labels are created on the repository, with their colours, before the first move
 *   there (once per repository and process).
 * - A comment is an issue comment. After a 5xx or a cut connection GitHub may have stored it
 *   anyway, so before it is posted again (in this call or a later one) the comments since the
 *   first try are read for the same body: a retry never doubles it.
 * - Every failure is a `ServiceError` (adapters/forge/github/github-errors.ts: 403/429 with
 *   `retry-after` or an exhausted budget → rateLimited; 401/403 → auth; 404/410 → notFound;
 *   422 → invalid; 5xx or no answer → unavailable).
 */
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { isFailedStage, linearLabelsForStage, TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import { githubIssuesRepo } from '../../../core/domain/mappings.js';
import type { Mapping, Stage, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { governorRefusal } from '../../shared/request-governor.js';
import { createCandidateReader, PAGE_SIZE, readBlockers } from './github-candidates.js';
import {
  canonicalLabel,
  type IssueRef,
  labelNames,
  MANAGED_LABELS,
  parseIssueId,
  type RawIssue,
  scopeKey,
  toTicketIssue,
} from './github-issue.js';
import { createGithubCaller, type GithubIssuesConnection } from './github-issues-client.js';
import { createRepoLabels } from './github-repo-labels.js';
import { createUnmappedLister } from './github-unmapped.js';

export interface GithubTicketingOptions extends GithubIssuesConnection {
  /** The mappings, read when an issue's team must be found from its repository (getIssue, the no-mapping scan). */
  mappings: () => Promise<Mapping[]>;
  /** How often a scope is read in full rather than by what changed (default 1 hour). */
  fullReadEveryMs?: number;
  /** Issues per listing request (GitHub allows up to 100). */
  pageSize?: number;
  /** The no-mapping scan: how often (default 15 minutes) and how many repositories a scan reads (default 10). */
  unmapped?: { everyMs?: number; reposPerScan?: number };
}

const MANAGED = new Set(MANAGED_LABELS);
const notFound = (id: string): ServiceError => ({ kind: 'notFound', message: `Issue does not exist: ${JSON.stringify(id)}` });

export function createGithubTicketing(options: GithubTicketingOptions): Ticketing {
  const now = options.now ?? Date.now;
  const github = createGithubCaller(options);
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const candidates = createCandidateReader({
    github,
    now,
    pageSize,
    ...(options.fullReadEveryMs !== undefined ? { fullReadEveryMs: options.fullReadEveryMs } : {}),
  });
  const repoLabels = createRepoLabels(github);
  const unmapped = createUnmappedLister({ github, now, mappings: options.mappings, ...options.unmapped });

  /** The team of the mapping whose issues live in `ref`'s repository (the first by team key), if any. */
  async function teamOf(ref: IssueRef): Promise<string | undefined> {
    const key = scopeKey(ref);
    const mappings = await options.mappings().catch(() => []);
    return mappings
      .filter((m) => m.ticketing === 'github' && scopeKey(githubIssuesRepo(m)) === key)
      .map((m) => m.teamKey)
      .sort()[0];
  }

  /** The issue now; one GitHub no longer has (404, 410 deleted) also leaves the listing at once. */
  const readIssue = (ref: IssueRef): ResultAsync<RawIssue, ServiceError> =>
    github
      .call(ref, (o) => o.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number }))
      .andThen(({ data }) => {
        const raw = data as unknown as RawIssue;
        // The issues API answers for a pull request too: it is not an issue here.
        return raw.pull_request === undefined ? okAsync(raw) : errAsync(notFound(`${ref.owner}/${ref.repo}#${ref.number}`));
      })
      .mapErr((error) => {
        if (error.kind === 'notFound') candidates.forget(ref, ref.number);
        return error;
      });

  /** Without a mapping, the team is the first mapping of the issue's repository. */
  const getIssue = (id: string, mapping?: Mapping): ResultAsync<TicketIssue, ServiceError> => {
    const ref = parseIssueId(id);
    if (!ref) return errAsync(notFound(id));
    return readIssue(ref).andThen((raw) => {
      const blockers =
        (raw.issue_dependencies_summary?.total_blocked_by ?? 0) > 0 ? readBlockers(github, ref, ref.number) : okAsync([]);
      return blockers.andThen((blockedBy) =>
        ResultAsync.fromSafePromise(mapping ? Promise.resolve(mapping.teamKey) : teamOf(ref)).map((teamKey) =>
          toTicketIssue(raw, ref, teamKey, blockedBy),
        ),
      );
    });
  };

  const listCandidates = (mapping: Mapping): ResultAsync<TicketIssue[], ServiceError> => {
    const scope = githubIssuesRepo(mapping);
    return candidates
      .read(scope)
      .map((rows) => rows.map(({ raw, blockedBy }) => toTicketIssue(raw, scope, mapping.teamKey, blockedBy)));
  };

  /** One attempt at a move: read the labels now on the issue, write the difference. */
  const moveOnce = (ref: IssueRef, stage: Stage): ResultAsync<void, ServiceError> =>
    readIssue(ref).andThen((raw) => {
      const current = labelNames(raw);
      const wanted = new Set(linearLabelsForStage(current.map(canonicalLabel), stage));
      const have = new Set(current.map(canonicalLabel));
      const add = MANAGED_LABELS.filter((l) => wanted.has(l) && !have.has(l));
      // The trigger goes only on a failed stage; the AI labels not wanted always go.
      const remove = current.filter((l) => {
        const name = canonicalLabel(l);
        return MANAGED.has(name) && !wanted.has(name) && (name !== TRIGGER_LABEL || isFailedStage(stage));
      });
      if (add.length === 0 && remove.length === 0) return okAsync(undefined);
      const added =
        add.length === 0
          ? okAsync<void, ServiceError>(undefined)
          : github
              .once(ref, (o) =>
                o.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, labels: add }),
              )
              .map(() => undefined);
      return remove.reduce(
        (chain, name) =>
          chain.andThen(() =>
            github
              .once(ref, (o) => o.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, name }))
              .map(() => undefined)
              // Removed meanwhile (by a person, or by a first try whose answer was lost): done.
              .orElse((e) => (e.kind === 'notFound' ? okAsync(undefined) : errAsync(e))),
          ),
        added,
      );
    });

  const moveToStage = (issue: TicketIssue, stage: Stage, _mapping: Mapping): ResultAsync<void, ServiceError> => {
    const ref = parseIssueId(issue.id);
    if (!ref) return errAsync(notFound(issue.id));
    return repoLabels.ensure(ref).andThen(() => github.retrying(() => moveOnce(ref, stage)));
  };

  /** Whether a comment with exactly `body` was made on the issue since `since` (epoch ms). */
  const postedSince = (ref: IssueRef, body: string, since: number): ResultAsync<boolean, ServiceError> =>
    github
      .once(ref, (o) =>
        o.rest.issues.listComments({
          owner: ref.owner,
          repo: ref.repo,
          issue_number: ref.number,
          since: new Date(since).toISOString(),
          per_page: 100,
        }),
      )
      .map(({ data }) => data.some((c) => c.body === body));

  /**
   * Comments whose post went out and whose answer was lost, with when the first try began. Every
   * later attempt at one — the retry in this call, or the held-back effect retried minutes later —
   * reads the comments since then before posting; a read GitHub does not answer (the governor's
   * backoff right after the failure) fails that attempt rather than posting blind.
   */
  const uncertain = new Map<string, number>();

  const comment = (issueId: string, body: string): ResultAsync<void, ServiceError> => {
    const ref = parseIssueId(issueId);
    if (!ref) return errAsync(notFound(issueId));
    const key = `${issueId}\u0000${body}`;
    // GitHub's clock may run behind ours: look a minute further back.
    const since = now() - 60_000;
    const post = () =>
      github
        .once(ref, (o) => o.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body }))
        .map(() => undefined)
        .mapErr((error) => {
          if (error.kind === 'unavailable' && governorRefusal(error) === undefined && !uncertain.has(key))
            uncertain.set(key, since);
          return error;
        });
    const attempt = () => {
      const first = uncertain.get(key);
      return (first === undefined ? okAsync(false) : postedSince(ref, body, first))
        .andThen((posted) => (posted ? okAsync(undefined) : post()))
        .andThen(() => {
          uncertain.delete(key);
          return okAsync(undefined);
        });
    };
    return github.retrying(attempt);
  };

  return {
    kind: 'github',
    listCandidates,
    getIssue,
    moveToStage,
    comment,
    listUnmapped: (mapped) => unmapped.list(mapped.map((m) => m.teamKey)),
  };
}
