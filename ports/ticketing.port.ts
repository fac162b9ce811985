import type { ResultAsync } from 'neverthrow';
import type { Mapping, Stage, TicketIssue, TicketingKind } from '../core/domain/model.js';
import type { ServiceError } from './errors.js';

/**
 * Ticketing — one tracker (Linear, Jira, the embedded local tracker) seen through what the
 * orchestrator needs of it.
 *
 * Contract (testing/contracts/ticketing.contract.ts, run against every adapter):
 * - `listCandidates(mapping)` returns every issue in the mapping's scope that carries the
 *   trigger (Linear/local: the `AI-Implement` label; Jira: the `Ready` status or a later
 *   lifecycle status), with its stage, labels, priority, creation time and blocking
 *   relations. Its cost grows with pages, never with issues: no request per issue.
 * - `moveToStage` puts the issue's labels (or status) where the lifecycle table says for
 *   that stage, creating a missing label once. Moving to the stage it is already at is a
 *   no-op that succeeds. On a failed stage the AI labels are removed.
 * - `comment` posts exactly one comment per successful call; a failed call posts none.
 * - `getIssue` resolves `notFound` for an unknown id. Given the mapping the issue is read for,
 *   the issue's `teamKey` is that mapping's, as `listCandidates` reports it (a Jira issue read
 *   alone carries only its project key, which a mapping scoped by JQL need not share; one GitHub
 *   repository may serve two mappings).
 * - Every failure is a `ServiceError`; nothing throws.
 */
export interface Ticketing {
  readonly kind: TicketingKind;
  listCandidates(mapping: Mapping): ResultAsync<TicketIssue[], ServiceError>;
  getIssue(id: string, mapping?: Mapping): ResultAsync<TicketIssue, ServiceError>;
  moveToStage(issue: TicketIssue, stage: Stage, mapping: Mapping): ResultAsync<void, ServiceError>;
  comment(issueId: string, body: string): ResultAsync<void, ServiceError>;
  /**
   * Optional: the triggered issues that none of the `mapped` mappings covers (a team or project
   * without a mapping), so the Blockers view can say `No mapping for team X`. Within the request
   * budget: the embedded tracker reads its store, Linear answers from its cycle query, Jira asks
   * at most once every few minutes.
   */
  listUnmapped?(mapped: readonly Mapping[]): ResultAsync<TicketIssue[], ServiceError>;
  /**
   * Optional, for trackers that can list many mappings' candidates in one request (Linear):
   * what `listCandidates` would return for each mapping, keyed by team key, for all of them
   * together. It may answer from what it read before plus what changed since, provided a
   * change made in the tracker shows in the next call.
   */
  listCandidatesOf?(mappings: readonly Mapping[]): ResultAsync<Map<string, TicketIssue[]>, ServiceError>;
  /**
   * Optional, with `listCandidatesOf`: how mappings are listed, as groups each listed by one
   * `listCandidatesOf` call with its own deadline (so one group's failure fails no other); a
   * group of one is listed alone (`listCandidates`). Without it every mapping is listed together.
   * (Jira: one group per scope shared by several mappings, told apart by repo field value; one
   * for the mappings each on a project of its own; any other mapping alone.)
   */
  listingGroups?(mappings: readonly Mapping[]): Mapping[][];
}
