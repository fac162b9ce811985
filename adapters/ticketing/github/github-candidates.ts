import { okAsync, ResultAsync } from 'neverthrow';
import { TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import type { BlockingRelation } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import {
  blockerCount,
  canonicalLabel,
  isManaged,
  isOpen,
  issueId,
  labelNames,
  type RawIssue,
  type RepoRef,
  scopeKey,
  toBlockingRelation,
} from './github-issue.js';
import { type GithubCaller, hasNextPage, serverTime } from './github-issues-client.js';

export const PAGE_SIZE = 100;
/** A backstop against a server that never stops paging: 100 pages is 10,000 issues. */
const MAX_PAGES = 100;
/** `since` starts this far before GitHub's clock at the last read, so a change in the same second is never missed. */
const SINCE_OVERLAP_MS = 1_000;

/**
 * The candidates of one scope (a repository's issues), read in full now and then and
 * incrementally in between:
 * - a full read lists the open issues carrying the trigger (`labels=AI-Implement`), one
 *   request per page of 100;
 * - an incremental read lists every issue updated since the last read (`since`, GitHub's own
 *   clock from the `Date` header), one request per page of 100 — usually one request in all,
 *   answering with nothing new — and keeps those carrying a lifecycle label (the trigger or
 *   an AI label, so an issue in flight whose trigger a person removed still counts), drops
 *   the rest, and refreshes the open/closed state of any blocker it sees.
 * Pull requests, which the issues API lists too (with a `pull_request` key), are dropped.
 *
 * Blocked-by: GitHub's issue dependencies. Each issue carries `issue_dependencies_summary`;
 * only an issue that GitHub says is blocked costs a request (`/dependencies/blocked_by`, 100
 * a page), and its answer is kept until the issue changes. Where GitHub has no dependencies
 * (no summary, e.g. an older Enterprise Server), issues have no blockers.
 */
export interface CandidateReader {
  read(scope: RepoRef): ResultAsync<RawWithBlockers[], ServiceError>;
  /** Drops an issue GitHub no longer has (deleted, transferred away) until a read sees it again. */
  forget(scope: RepoRef, number: number): void;
}

export interface RawWithBlockers {
  raw: RawIssue;
  blockedBy: BlockingRelation[];
}

interface ScopeState {
  issues: Map<number, RawIssue>;
  /** Epoch ms for the next `since`; GitHub's clock. */
  since: number;
  fullAt: number;
  blockers: Map<number, { key: string; relations: BlockingRelation[] }>;
}

export interface CandidateReaderOptions {
  github: GithubCaller;
  now: () => number;
  /** How often a scope is read in full rather than by what changed (default 1 hour). */
  fullReadEveryMs?: number;
  /** Issues per page (GitHub allows up to 100). */
  pageSize?: number;
}

type Page = { issues: RawIssue[]; next: boolean; at: number | undefined };

export function createCandidateReader(options: CandidateReaderOptions): CandidateReader {
  const { github, now } = options;
  const fullEvery = options.fullReadEveryMs ?? 60 * 60_000;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const scopes = new Map<string, ScopeState>();

  function page(scope: RepoRef, query: Record<string, string | number>, n: number): ResultAsync<Page, ServiceError> {
    return github
      .call(scope, (o) =>
        o.rest.issues.listForRepo({ owner: scope.owner, repo: scope.repo, per_page: pageSize, page: n, ...query }),
      )
      .map(({ data, headers }) => ({
        issues: data as unknown as RawIssue[],
        next: hasNextPage(headers),
        at: serverTime(headers),
      }));
  }

  /** Every page of a listing; `at` is GitHub's clock at the first answer. */
  function all(scope: RepoRef, query: Record<string, string | number>) {
    const out: RawIssue[] = [];
    let at: number | undefined;
    const from = (n: number): ResultAsync<{ issues: RawIssue[]; at: number | undefined }, ServiceError> =>
      page(scope, query, n).andThen((p) => {
        at ??= p.at;
        out.push(...p.issues.filter((i) => i.pull_request === undefined));
        return p.next && n < MAX_PAGES ? from(n + 1) : okAsync({ issues: out, at });
      });
    return from(1);
  }

  const since = (at: number | undefined, startedAt: number) => (at ?? startedAt) - SINCE_OVERLAP_MS;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const triggerless = (raw: RawIssue) =>
    isOpen(raw) && isManaged(raw) && !labelNames(raw).some((l) => canonicalLabel(l) === TRIGGER_LABEL);

  function fullRead(scope: RepoRef, previous: ScopeState | undefined): ResultAsync<ScopeState, ServiceError> {
    const startedAt = now();
    return all(scope, { state: 'open', labels: TRIGGER_LABEL, sort: 'created', direction: 'asc' }).map(({ issues, at }) => {
      const map = new Map(issues.map((i) => [i.number, i]));
      // In-flight issues whose trigger was removed are only ever seen by incremental reads: keep them.
      for (const [n, raw] of previous?.issues ?? []) if (!map.has(n) && triggerless(raw)) map.set(n, raw);
      return { issues: map, since: since(at, startedAt), fullAt: startedAt, blockers: previous?.blockers ?? new Map() };
    });
  }

  function incrementalRead(scope: RepoRef, state: ScopeState): ResultAsync<ScopeState, ServiceError> {
    const startedAt = now();
    return all(scope, { state: 'all', since: iso(state.since), sort: 'updated', direction: 'asc' }).map(({ issues, at }) => {
      for (const raw of issues) {
        if (isManaged(raw)) state.issues.set(raw.number, raw);
        else state.issues.delete(raw.number);
        const seen = issueId({ ...scope, number: raw.number });
        for (const entry of state.blockers.values()) {
          for (const relation of entry.relations) if (relation.identifier === seen) relation.open = isOpen(raw);
        }
      }
      state.since = since(at, startedAt);
      return state;
    });
  }

  function blockedBy(scope: RepoRef, state: ScopeState, raw: RawIssue): ResultAsync<BlockingRelation[], ServiceError> {
    const count = blockerCount(raw) ?? 0;
    if (count === 0) {
      state.blockers.delete(raw.number);
      return okAsync([]);
    }
    const key = `${raw.updated_at}|${count}`;
    const known = state.blockers.get(raw.number);
    if (known?.key === key) return okAsync(known.relations);
    return readBlockers(github, scope, raw.number, pageSize).map((relations) => {
      state.blockers.set(raw.number, { key, relations });
      return relations;
    });
  }

  return {
    read(scope) {
      const key = scopeKey(scope);
      const known = scopes.get(key);
      const refreshed = !known || now() - known.fullAt >= fullEvery ? fullRead(scope, known) : incrementalRead(scope, known);
      return refreshed.andThen((state) => {
        scopes.set(key, state);
        const raws = [...state.issues.values()].sort((a, b) => a.number - b.number);
        return ResultAsync.combine(
          raws.map((raw) => blockedBy(scope, state, raw).map((relations) => ({ raw, blockedBy: relations }))),
        );
      });
    },
    forget(scope, number) {
      const state = scopes.get(scopeKey(scope));
      state?.issues.delete(number);
      state?.blockers.delete(number);
    },
  };
}

/** The issues that block `number`, by GitHub's issue dependencies; one request per page of 100. */
export function readBlockers(
  github: GithubCaller,
  scope: RepoRef,
  number: number,
  pageSize = PAGE_SIZE,
): ResultAsync<BlockingRelation[], ServiceError> {
  const out: BlockingRelation[] = [];
  const from = (n: number): ResultAsync<BlockingRelation[], ServiceError> =>
    github
      .call(scope, (o) =>
        o.rest.issues.listDependenciesBlockedBy({
          owner: scope.owner,
          repo: scope.repo,
          issue_number: number,
          per_page: pageSize,
          page: n,
        }),
      )
      .andThen(({ data, headers }) => {
        out.push(...(data as unknown as (RawIssue & { repository_url?: string })[]).map((b) => toBlockingRelation(b, scope)));
        return hasNextPage(headers) && n < MAX_PAGES ? from(n + 1) : okAsync(out);
      });
  return from(1);
}
