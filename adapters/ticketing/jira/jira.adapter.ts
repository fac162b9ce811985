import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { jiraStatusForStage } from '../../../core/domain/lifecycle.js';
import type { Mapping, Stage, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { governorRefusal } from '../../shared/request-governor.js';
import { adfToText, textToAdf } from './jira-adf.js';
import { createJiraCaller, type JiraCaller, type JiraConnection } from './jira-client.js';
import { ISSUE_FIELDS, type RawIssue, toTicketIssue } from './jira-issue.js';
import { createRepoFieldIds, fieldValues } from './jira-repo-field.js';
import {
  candidatesJql,
  combinedCandidatesJql,
  DEFAULT_REPO_FIELD,
  listingGroups,
  projectOfScope,
  sharedScopeCandidatesJql,
  sharesScope,
  unmappedJql,
} from './jira-scope.js';

/**
 * The `Ticketing` port on Jira Cloud (REST v3 through jira.js 5.4's `Version3Client`).
 *
 * - Scope: see `jira-scope.ts` — the mapping's JQL clause AND the repo field's value AND a
 *   lifecycle status. Listing is the enhanced JQL search (`GET /rest/api/3/search/jql`),
 *   100 issues a page, following `nextPageToken`, with only the fields the core reads: one
 *   request per page, never one per issue.
 * - Stage: the lifecycle status (`core/lifecycle.ts`); `Plan Approved` is plan complete and
 *   approved. A move reads the issue's status, and when it is not there yet takes the
 *   transition whose TARGET status is the stage's status (transition names vary by
 *   workflow; targets do). No such transition is `invalid`, naming the status.
 * - Comments are ADF documents. A comment that failed with 5xx is checked for before it is
 *   posted again, so a retry never doubles it.
 * - Every failure is a `ServiceError` (429 → rateLimited with Retry-After, 401/403 → auth,
 *   400 → invalid with Jira's message, 404 → notFound, 5xx/network → unavailable), retried
 *   by `retryServiceCall` where that is safe.
 */

export interface JiraTicketingConfig extends JiraConnection {
  /** How JQL names the repo field: a name (`Repo`, the default) or an id (`customfield_10050`). */
  repoField?: string;
  /** How often the issues no mapping covers are asked for (default 5 minutes; the answer is kept between). */
  unmappedEveryMs?: number;
  now?: () => number;
}

/** One search every 5 minutes is 12 requests an hour: the Blockers view's `no-mapping` within the request budget. */
export const UNMAPPED_EVERY_MS = 5 * 60_000;
/** The newest this many unmapped issues are shown. */
const UNMAPPED_PAGE = 50;

const PAGE_SIZE = 100;
/** A backstop against a server that never stops paging: 1,000 pages is 100,000 issues. */
const MAX_PAGES = 1_000;

interface SearchPage {
  issues?: RawIssue[];
  nextPageToken?: string | null;
  isLast?: boolean;
}

interface TransitionsPage {
  transitions?: { id?: string; name?: string; to?: { name?: string } }[];
}

interface CommentsPage {
  comments?: { body?: unknown }[];
}

const sameName = (a: string | undefined, b: string) => a?.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * A Jira issue id (`10042`) or key (`ENG-42`). jira.js puts the reference into the URL path as
 * it is, so anything else (`../field`) would reach another endpoint: it is notFound, unsent.
 */
const ISSUE_REF = /^(\d+|[A-Za-z][A-Za-z0-9_]*-\d+)$/;
const checkRef = (id: string): ResultAsync<string, ServiceError> =>
  ISSUE_REF.test(id) ? okAsync(id) : errAsync({ kind: 'notFound', message: `Issue does not exist: ${JSON.stringify(id)}` });

export function createJiraTicketing(config: JiraTicketingConfig): Ticketing {
  const jira: JiraCaller = createJiraCaller(config);
  const repoField = config.repoField ?? DEFAULT_REPO_FIELD;
  const repoFieldIds = createRepoFieldIds(jira, repoField);

  /** Every page of one search (enhanced search, `nextPageToken`), as Jira's raw issues. */
  const search = (jql: string, fields: string[]): ResultAsync<RawIssue[], ServiceError> => {
    const collect = (token: string | undefined, acc: RawIssue[], pages: number): ResultAsync<RawIssue[], ServiceError> =>
      jira
        .call((c) =>
          c.issueSearch.searchForIssuesUsingJqlEnhancedSearch<SearchPage>({
            jql,
            maxResults: PAGE_SIZE,
            fields,
            ...(token ? { nextPageToken: token } : {}),
          }),
        )
        .andThen((page) => {
          const issues = [...acc, ...(page.issues ?? [])];
          const next = page.nextPageToken ?? undefined;
          if (!next || page.isLast === true) return okAsync(issues);
          if (next === token || pages >= MAX_PAGES) {
            return errAsync<RawIssue[], ServiceError>({
              kind: 'unavailable',
              message: `Jira search did not finish paging (${pages} pages)`,
            });
          }
          return collect(next, issues, pages + 1);
        });
    return collect(undefined, [], 1);
  };

  const listCandidates = (mapping: Mapping): ResultAsync<TicketIssue[], ServiceError> =>
    search(candidatesJql(mapping, repoField), ISSUE_FIELDS).map((raws) =>
      raws.map((raw) => toTicketIssue(raw, config.host, mapping.teamKey)),
    );

  const pair = (m: Mapping) => listCandidates(m).map((issues): [string, TicketIssue[]] => [m.teamKey, issues]);

  /** Mappings each on a project of its own, in one search, told apart by each issue's project key. */
  const listByProject = (group: readonly Mapping[]): ResultAsync<[string, TicketIssue[]][], ServiceError> =>
    search(combinedCandidatesJql(group, repoField), [...ISSUE_FIELDS, 'project']).map((raws) =>
      group.map((m): [string, TicketIssue[]] => [
        m.teamKey,
        raws
          .filter((raw) => sameName(raw.fields?.project?.key ?? raw.key.split('-')[0], projectOfScope(m) ?? ''))
          .map((raw) => toTicketIssue(raw, config.host, m.teamKey)),
      ]),
    );

  /** Mappings of one scope, in one search, each issue to the mappings whose repo field value it has (none: no one's). */
  const listByRepo = (group: readonly Mapping[]): ResultAsync<[string, TicketIssue[]][], ServiceError> =>
    repoFieldIds
      .learn()
      .andThen((fieldId) =>
        search(sharedScopeCandidatesJql(group, repoField), [...ISSUE_FIELDS, fieldId]).map((raws) =>
          group.map((m): [string, TicketIssue[]] => [
            m.teamKey,
            raws
              .filter((raw) => fieldValues(raw, fieldId).some((v) => sameName(v, m.repoFieldValue ?? '')))
              .map((raw) => toTicketIssue(raw, config.host, m.teamKey)),
          ]),
        ),
      );

  /**
   * The mappings of this site in as few searches as `listingGroups` allows: one per scope shared
   * by several mappings (split by repo field value), one for the mappings each on a project of
   * its own (split by project key), one for each other mapping.
   */
  const listCandidatesOf = (mappings: readonly Mapping[]): ResultAsync<Map<string, TicketIssue[]>, ServiceError> =>
    ResultAsync.combine(
      listingGroups(mappings).map(
        (group): ResultAsync<[string, TicketIssue[]][], ServiceError> =>
          group.length === 1
            ? pair(group[0] as Mapping).map((p) => [p])
            : sharesScope(group)
              ? listByRepo(group)
              : listByProject(group),
      ),
    ).map((listed) => new Map(listed.flat()));

  const now = config.now ?? Date.now;
  let unmapped: { jql: string; at: number; issues: TicketIssue[] } | undefined;
  /** The Ready issues outside every Jira mapping's scope: asked at most once per `unmappedEveryMs` (and when the mappings change). */
  const listUnmapped = (mappings: readonly Mapping[]): ResultAsync<TicketIssue[], ServiceError> => {
    const jql = unmappedJql(
      mappings.filter((m) => m.ticketing === 'jira'),
      repoField,
    );
    if (unmapped && unmapped.jql === jql && now() - unmapped.at < (config.unmappedEveryMs ?? UNMAPPED_EVERY_MS)) {
      return okAsync(unmapped.issues);
    }
    return jira
      .call((c) =>
        c.issueSearch.searchForIssuesUsingJqlEnhancedSearch<SearchPage>({
          jql,
          maxResults: UNMAPPED_PAGE,
          fields: [...ISSUE_FIELDS, 'project'],
        }),
      )
      .map((page) => {
        const issues = (page.issues ?? []).map((raw) => toTicketIssue(raw, config.host));
        unmapped = { jql, at: now(), issues };
        return issues;
      });
  };

  /** Without a mapping, the issue's team is its project key (what a mapping without JQL is keyed by). */
  const getIssue = (id: string, mapping?: Mapping): ResultAsync<TicketIssue, ServiceError> =>
    checkRef(id)
      .andThen(() => jira.call((c) => c.issues.getIssue<RawIssue>({ issueIdOrKey: id, fields: [...ISSUE_FIELDS, 'project'] })))
      .map((raw) => toTicketIssue(raw, config.host, mapping?.teamKey));

  /** One attempt at a move; the whole move is retried, so each retry reads the status afresh. */
  const moveOnce = (issue: TicketIssue, target: string): ResultAsync<void, ServiceError> =>
    jira
      .once((c) => c.issues.getIssue<RawIssue>({ issueIdOrKey: issue.id, fields: ['status'] }))
      .andThen((raw) => {
        const current = raw.fields?.status?.name ?? '';
        if (sameName(current, target)) return okAsync(undefined);
        return jira
          .once((c) => c.issues.getTransitions<TransitionsPage>({ issueIdOrKey: issue.id }))
          .andThen((page) => {
            const transition = (page.transitions ?? []).find((t) => t.id && sameName(t.to?.name, target));
            if (!transition?.id) {
              return errAsync<void, ServiceError>({
                kind: 'invalid',
                message: `No transition to status "${target}" is available for ${issue.identifier} (now "${current}"); add one to the workflow`,
              });
            }
            const transitionId = transition.id;
            return jira
              .once((c) => c.issues.doTransition({ issueIdOrKey: issue.id, transition: { id: transitionId } }))
              .map(() => undefined);
          });
      });

  const moveToStage = (issue: TicketIssue, stage: Stage, _mapping: Mapping): ResultAsync<void, ServiceError> =>
    checkRef(issue.id).andThen(() => jira.retrying(() => moveOnce(issue, jiraStatusForStage(stage))));

  /**
   * After a 5xx or a dropped connection Jira may have stored the comment anyway: if the
   * newest comment is this very document, the call succeeded. (Posting the same text twice in
   * a row on purpose is the one case this reads as already done.)
   */
  const postedAlready = (issueId: string, body: string): ResultAsync<boolean, ServiceError> =>
    jira
      .once((c) => c.issueComments.getComments<CommentsPage>({ issueIdOrKey: issueId, orderBy: '-created', maxResults: 1 }))
      .map((page) => page.comments?.[0] !== undefined && adfToText(page.comments[0].body) === body);

  /**
   * Comments whose post went out and whose answer was lost (issue id and body). Every later
   * attempt at one — the retry in this call, or the held-back effect retried minutes later —
   * asks Jira whether it landed before posting; a check Jira does not answer (the governor's
   * backoff right after the failure) fails that attempt rather than posting blind.
   */
  const uncertain = new Set<string>();

  const comment = (issueId: string, body: string): ResultAsync<void, ServiceError> => {
    const document = textToAdf(body);
    const key = `${issueId}\u0000${body}`;
    const post = () =>
      jira
        .once((c) => c.issueComments.addComment({ issueIdOrKey: issueId, comment: document }))
        .map(() => undefined)
        .mapErr((error) => {
          if (error.kind === 'unavailable' && governorRefusal(error) === undefined) uncertain.add(key);
          return error;
        });
    const attempt = () =>
      (uncertain.has(key) ? postedAlready(issueId, body) : okAsync(false))
        .andThen((posted) => (posted ? okAsync(undefined) : post()))
        .andThen(() => {
          uncertain.delete(key);
          return okAsync(undefined);
        });
    return checkRef(issueId).andThen(() => jira.retrying(attempt));
  };

  return {
    kind: 'jira',
    listCandidates,
    listCandidatesOf,
    listingGroups,
    listUnmapped,
    getIssue,
    moveToStage,
    comment,
  };
}
