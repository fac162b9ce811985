import { errAsync, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import { MANAGED_LABELS, type RepoRef, scopeKey } from './github-issue.js';
import { type GithubCaller, hasNextPage } from './github-issues-client.js';

/** How the lifecycle labels look when AI-Implement creates them. */
const LABEL_LOOK: Record<string, { color: string; description: string }> = {
  'AI-Implement': { color: '5319e7', description: 'AI-Implement: pick this issue up' },
  'AI-Planning': { color: 'fbca04', description: 'AI-Implement: planning' },
  'Plan-Complete': { color: '0e8a16', description: 'AI-Implement: plan complete' },
  'AI-Working': { color: '1d76db', description: 'AI-Implement: implementing' },
  'Ready for Review': { color: '0052cc', description: 'AI-Implement: pull request opened' },
};

/** Repository labels read at most this many pages (100 each) when looking for the lifecycle labels. */
const MAX_LABEL_PAGES = 10;

export interface RepoLabels {
  /** Creates the lifecycle labels the repository lacks: once per repository and process; a failure is tried again next time. */
  ensure(repo: RepoRef): ResultAsync<void, ServiceError>;
}

export function createRepoLabels(github: GithubCaller): RepoLabels {
  const done = new Map<string, Promise<Result<void, ServiceError>>>();

  const existing = (repo: RepoRef, page: number, acc: Set<string>): ResultAsync<Set<string>, ServiceError> =>
    github
      .call(repo, (o) => o.rest.issues.listLabelsForRepo({ owner: repo.owner, repo: repo.repo, per_page: 100, page }))
      .andThen(({ data, headers }) => {
        for (const label of data) acc.add(label.name.toLowerCase());
        return hasNextPage(headers) && page < MAX_LABEL_PAGES ? existing(repo, page + 1, acc) : okAsync(acc);
      });

  const create = (repo: RepoRef, name: string): ResultAsync<void, ServiceError> => {
    const look = LABEL_LOOK[name] ?? { color: 'ededed', description: 'AI-Implement' };
    return github
      .call(repo, (o) => o.rest.issues.createLabel({ owner: repo.owner, repo: repo.repo, name, ...look }))
      .map(() => undefined)
      .orElse((e) =>
        e.kind === 'invalid' && /already_exists|already exists/i.test(e.message) ? okAsync(undefined) : errAsync(e),
      );
  };

  return {
    ensure(repo) {
      const key = scopeKey(repo);
      let pending = done.get(key);
      if (!pending) {
        pending = Promise.resolve(
          existing(repo, 1, new Set()).andThen((have) =>
            ResultAsync.combine(MANAGED_LABELS.filter((l) => !have.has(l.toLowerCase())).map((l) => create(repo, l))),
          ),
        ).then((result) => {
          if (result.isErr()) done.delete(key);
          return result.map(() => undefined);
        });
        done.set(key, pending);
      }
      return new ResultAsync(pending);
    },
  };
}
