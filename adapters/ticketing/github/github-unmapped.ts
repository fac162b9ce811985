import { okAsync, ResultAsync } from 'neverthrow';
import { TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import { githubIssuesRepo } from '../../../core/domain/mappings.js';
import type { Mapping, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import { type RawIssue, type RepoRef, scopeKey, toTicketIssue } from './github-issue.js';
import type { GithubCaller } from './github-issues-client.js';

export interface UnmappedOptions {
  github: GithubCaller;
  now: () => number;
  /** The GitHub Issues mappings (their scopes are covered; their credentials find the repositories). */
  mappings: () => Promise<Mapping[]>;
  /** How often the repositories are scanned again (default 15 minutes); in between the last answer stands. */
  everyMs?: number;
  /** Repositories read per scan (default 10), in turn: the scan's request budget. */
  reposPerScan?: number;
}

interface RepoRow {
  name: string;
  owner: { login: string };
  archived?: boolean;
  has_issues?: boolean;
  open_issues_count?: number;
}

/**
 * The triggered issues of repositories the credential can see but no mapping covers, for the
 * Blockers view's `no-mapping` reason (`teamKey` is `owner/repo`). Within a request budget:
 * - nothing at all while no mapping uses GitHub Issues (a GitHub credential serves the forge
 *   too; its budget is not spent on trackers nobody uses);
 * - the repositories are one page of 100: a token's `GET /user/repos` (most recently pushed
 *   first), or an App's `GET /installation/repositories` for each owner that has a mapping;
 * - of those with open issues, `reposPerScan` are read a scan (`labels=AI-Implement`, one
 *   page of 100), taking turns across scans; a scan runs at most every `everyMs`.
 */
export function createUnmappedLister(options: UnmappedOptions) {
  const { github, now } = options;
  const everyMs = options.everyMs ?? 15 * 60_000;
  const perScan = options.reposPerScan ?? 10;
  const found = new Map<string, TicketIssue[]>();
  let lastScan: { at: number; issues: TicketIssue[] } | undefined;
  let turn = 0;

  function repositories(mapped: Mapping[]): ResultAsync<RepoRef[], ServiceError> {
    const first = githubIssuesRepo(mapped[0]!);
    const toRefs = (rows: RepoRow[]) =>
      rows
        .filter((r) => !r.archived && r.has_issues !== false && (r.open_issues_count ?? 1) > 0)
        .map((r) => ({ owner: r.owner.login, repo: r.name }));
    if (github.tokenAuth) {
      return github
        .call(first, (o) => o.rest.repos.listForAuthenticatedUser({ per_page: 100, sort: 'pushed' }))
        .map(({ data }) => toRefs(data as RepoRow[]));
    }
    const byOwner = new Map(mapped.map((m) => [m.owner.toLowerCase(), githubIssuesRepo(m)]));
    const out: RepoRef[] = [];
    const next = (owners: RepoRef[]): ResultAsync<RepoRef[], ServiceError> => {
      const [scope, ...rest] = owners;
      if (!scope) return okAsync(out);
      return github
        .call(scope, (o) => o.rest.apps.listReposAccessibleToInstallation({ per_page: 100 }))
        .andThen(({ data }) => {
          out.push(...toRefs(data.repositories as RepoRow[]));
          return next(rest);
        });
    };
    return next([...byOwner.values()]);
  }

  function readRepo(repo: RepoRef): ResultAsync<void, ServiceError> {
    return github
      .call(repo, (o) =>
        o.rest.issues.listForRepo({ owner: repo.owner, repo: repo.repo, labels: TRIGGER_LABEL, state: 'open', per_page: 100 }),
      )
      .map(({ data }) => {
        const issues = (data as unknown as RawIssue[]).filter((i) => i.pull_request === undefined);
        return found.set(
          scopeKey(repo),
          issues.map((raw) => toTicketIssue(raw, repo, undefined, [])),
        );
      })
      .map(() => undefined)
      .orElse(() => {
        found.delete(scopeKey(repo)); // gone or out of reach: nothing to show for it
        return okAsync(undefined);
      });
  }

  return {
    list(mappedTeamKeys: readonly string[]): ResultAsync<TicketIssue[], ServiceError> {
      const keys = new Set(mappedTeamKeys);
      const mappings = ResultAsync.fromPromise(
        options.mappings(),
        (e): ServiceError => ({ kind: 'unavailable', message: `could not read the mappings: ${String(e)}` }),
      );
      return mappings.andThen((all) => {
        const mapped = all.filter((m) => m.ticketing === 'github' && keys.has(m.teamKey));
        if (mapped.length === 0) return okAsync([]);
        if (lastScan && now() - lastScan.at < everyMs) return okAsync(lastScan.issues);
        const covered = new Set(mapped.map((m) => scopeKey(githubIssuesRepo(m))));
        return repositories(mapped).andThen((repos) => {
          const open = repos.filter((r) => !covered.has(scopeKey(r)));
          const listed = new Set(open.map(scopeKey));
          for (const key of found.keys()) if (!listed.has(key)) found.delete(key);
          const start = open.length === 0 ? 0 : turn % open.length;
          const batch = [...open.slice(start), ...open.slice(0, start)].slice(0, perScan);
          turn = start + batch.length;
          return batch
            .reduce<ResultAsync<void, ServiceError>>((chain, repo) => chain.andThen(() => readRepo(repo)), okAsync(undefined))
            .map(() => {
              const issues = [...found.values()].flat();
              lastScan = { at: now(), issues };
              return issues;
            });
        });
      });
    },
  };
}
