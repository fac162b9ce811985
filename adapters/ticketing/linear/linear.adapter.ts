/**
 * Ticketing on Linear (`@linear/sdk`). A mapping's scope is its team key.
 *
 * Candidates are the team's issues carrying the trigger `AI-Implement` OR any lifecycle label
 * (`AI-Planning`, `Plan-Complete`, `AI-Working`, `Ready for Review`): an issue in flight whose
 * trigger a human removed still counts toward the mapping's cap, and the reaper still sees it.
 * Issues in any workflow state are listed (a done issue still labelled is the reaper's
 * `issue-terminal` case), with `stateType` so the core can tell.
 *
 * Cost: listing is one hand-written query per page of 100 (see linear-queries.ts); every
 * mapping together is one request per steady cycle (linear-candidates.ts); a move is
 * one `issueUpdate`, plus one label lookup per team per process and one `issueLabelCreate`
 * per missing label; a comment is one `commentCreate`.
 *
 * A move writes `addedLabelIds`/`removedLabelIds` rather than the whole `labelIds` set, so it
 * is right even from a stale snapshot of the issue and never drops a label a human added
 * meanwhile; and it is idempotent, so retrying it after a lost answer is safe. A comment is
 * created with an id chosen here, and a retry first asks whether that id exists, so a lost
 * answer never posts the comment twice.
 */
import { randomUUID } from 'node:crypto';
import type { LinearClient } from '@linear/sdk';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { AI_LABELS, isFailedStage, linearLabelsForStage, TRIGGER_LABEL } from '../../../core/domain/lifecycle.js';
import type { Mapping, Stage, TicketIssue } from '../../../core/domain/model.js';
import type { ServiceError } from '../../../ports/errors.js';
import type { Ticketing } from '../../../ports/ticketing.port.js';
import { type RequestGovernor, UNGOVERNED } from '../../shared/request-governor.js';
import { type RetryOptions, retryServiceCall } from '../../shared/retry.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, deadlineSignal } from '../../shared/timed-fetch.js';
import { createCandidateReader } from './linear-candidates.js';
import { toServiceError } from './linear-errors.js';
import {
  CANDIDATES_QUERY,
  type CandidatesData,
  COMMENT_EXISTS_QUERY,
  ISSUE_PAGE_SIZE,
  ISSUE_QUERY,
  type IssueData,
  SWEEP_PAGE_SIZE,
  type SweptCandidatesData,
  TEAM_LABELS_QUERY,
  TEAMS_CANDIDATES_QUERY,
  TEAMS_CANDIDATES_SWEPT_QUERY,
  type TeamLabelsData,
  toTicketIssue,
} from './linear-queries.js';
import { type LinearSdkModule, loadLinearSdk } from './linear-sdk.js';
import { createTeamLabels } from './team-labels.js';

export interface LinearTicketingOptions {
  apiKey: string;
  /** Defaults to Linear's public endpoint; http is allowed for loopback only. */
  apiUrl?: string;
  retry?: RetryOptions;
  /** Issues per listing request; Linear allows up to 250. */
  pageSize?: number;
  /** Ids per page of the removal sweep (default 250, Linear's largest page). */
  sweepPageSize?: number;
  now?: () => number;
  /** The deadline of one request (default 15 s); past it the request is aborted and `unavailable`. */
  timeoutMs?: number;
  /** The connection's request governor (shared per API URL and key); none: every request goes. */
  governor?: RequestGovernor;
}

const MANAGED_LABELS: readonly string[] = [TRIGGER_LABEL, ...AI_LABELS];

export function createLinearTicketing(options: LinearTicketingOptions): Ticketing {
  /** The SDK and its client, made at the first request (`linear-sdk.ts`). */
  let sdk: LinearSdkModule | undefined;
  let connecting: Promise<LinearClient> | undefined;
  const connect = () => {
    connecting ??= loadLinearSdk().then((module) => {
      sdk = module;
      const client = new module.LinearClient({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
      withRequestDeadline(client, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      return client;
    });
    return connecting;
  };
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? ISSUE_PAGE_SIZE;
  const governor = options.governor ?? UNGOVERNED;

  /** One request, held back by the governor when the connection may not send, its failure converted at the boundary. */
  const once = <T>(run: (client: LinearClient) => Promise<T>): ResultAsync<T, ServiceError> =>
    governor.run(() => ResultAsync.fromPromise(connect().then(run), (error) => toServiceError(error, now(), sdk)));
  /** One request, retried while it fails in a retryable way. */
  const call = <T>(run: (client: LinearClient) => Promise<T>): ResultAsync<T, ServiceError> =>
    retryServiceCall(() => once(run), options.retry);

  async function query<Data>(client: LinearClient, text: string, variables: Record<string, unknown>): Promise<Data> {
    const response = await client.client.rawRequest<Data, Record<string, unknown>>(text, variables);
    if (response.headers) governor.observe(linearBudget(response.headers));
    if (!response.data) throw new Error('Linear answered without data');
    return response.data;
  }

  const labels = createTeamLabels(
    {
      load: (teamKey, names) =>
        call((client) => query<TeamLabelsData>(client, TEAM_LABELS_QUERY, { teamKey, names })).andThen((data) => {
          const teamId = data.teams.nodes[0]?.id;
          if (!teamId) return errAsync<never, ServiceError>({ kind: 'notFound', message: `Linear team ${teamKey} not found` });
          // A team's own label wins over a workspace label of the same name (later entries win).
          const sorted = [...data.issueLabels.nodes].sort((a, b) => Number(Boolean(a.team)) - Number(Boolean(b.team)));
          return okAsync({ teamId, ids: new Map(sorted.map((l) => [l.name, l.id])) });
        }),
      create: (teamId, name) =>
        call(async (client) => {
          const payload = await client.createIssueLabel({ name, teamId });
          if (!payload.success || !payload.issueLabelId) throw new Error(`Linear did not create the label ${name}`);
          return payload.issueLabelId;
        }),
    },
    MANAGED_LABELS,
  );

  function listPage(teamKey: string, after: string | null) {
    return call(async (client) => {
      const { issues } = await query<CandidatesData>(client, CANDIDATES_QUERY, {
        teamKey,
        labels: MANAGED_LABELS,
        first: pageSize,
        after,
      });
      const next = issues.pageInfo.hasNextPage ? (issues.pageInfo.endCursor ?? null) : null;
      return { issues: issues.nodes.map(toTicketIssue), next };
    });
  }

  function listFrom(teamKey: string, after: string | null, acc: TicketIssue[]): ResultAsync<TicketIssue[], ServiceError> {
    return listPage(teamKey, after).andThen(({ issues, next }) => {
      acc.push(...issues);
      return next ? listFrom(teamKey, next, acc) : okAsync(acc);
    });
  }

  const candidates = createCandidateReader({
    page: (filter, after) =>
      call((client) => query<CandidatesData>(client, TEAMS_CANDIDATES_QUERY, { filter, first: pageSize, after })),
    sweptPage: (filter, sweep) =>
      call((client) =>
        query<SweptCandidatesData>(client, TEAMS_CANDIDATES_SWEPT_QUERY, {
          filter,
          first: pageSize,
          sweepFilter: sweep.filter,
          sweepFirst: options.sweepPageSize ?? SWEEP_PAGE_SIZE,
          sweepAfter: sweep.after,
        }),
      ),
    managedLabels: MANAGED_LABELS,
    triggerLabel: TRIGGER_LABEL,
  });

  function writeLabels(issue: TicketIssue, teamKey: string, add: string[], remove: string[]) {
    return labels.ensure(teamKey, add).andThen((addedLabelIds) =>
      labels.existing(teamKey, remove).andThen((removedLabelIds) =>
        call(async (client) => {
          const payload = await client.updateIssue(issue.id, { addedLabelIds, removedLabelIds });
          if (!payload.success) throw new Error(`Linear did not update ${issue.identifier}`);
        }),
      ),
    );
  }

  function moveToStage(issue: TicketIssue, stage: Stage, mapping: Mapping): ResultAsync<void, ServiceError> {
    const wanted = new Set(linearLabelsForStage(issue.labels, stage));
    if (wanted.size === issue.labels.length && issue.labels.every((l) => wanted.has(l))) return okAsync(undefined);
    const add = MANAGED_LABELS.filter((l) => wanted.has(l));
    // The trigger goes only on failure; the AI labels not wanted always go, whatever the snapshot says.
    const remove = MANAGED_LABELS.filter((l) => !wanted.has(l) && (l !== TRIGGER_LABEL || isFailedStage(stage)));
    const teamKey = issue.teamKey || mapping.teamKey;
    return writeLabels(issue, teamKey, add, remove).orElse((error) => {
      if (error.kind !== 'notFound' || !/IssueLabel/.test(error.message)) return errAsync(error);
      labels.forget(teamKey); // a cached label was deleted in Linear: look the team up again, once
      return writeLabels(issue, teamKey, add, remove);
    });
  }

  function comment(issueId: string, body: string): ResultAsync<void, ServiceError> {
    const id = randomUUID();
    const post = () =>
      once(async (client) => {
        const payload = await client.createComment({ id, issueId, body });
        if (!payload.success) throw new Error('Linear did not create the comment');
      });
    const exists = () =>
      once((client) => query(client, COMMENT_EXISTS_QUERY, { id }))
        .map(() => true)
        .orElse((error) => (error.kind === 'notFound' ? okAsync(false) : errAsync(error)));
    let attempts = 0;
    return retryServiceCall(() => {
      attempts += 1;
      if (attempts === 1) return post();
      return exists().andThen((found) => (found ? okAsync(undefined) : post()));
    }, options.retry);
  }

  return {
    kind: 'linear',
    listCandidates: (mapping) => listFrom(mapping.teamKey, null, []),
    listCandidatesOf: (mappings) => candidates.read(mappings.map((m) => m.teamKey)),
    listUnmapped: (mapped) => okAsync(candidates.unmapped(mapped.map((m) => m.teamKey))),
    getIssue: (id) => call(async (client) => toTicketIssue((await query<IssueData>(client, ISSUE_QUERY, { id })).issue)),
    moveToStage,
    comment,
  };
}

/**
 * The SDK sends every request with `fetch(url, { ...client.options })` and takes no per-call
 * signal, so a getter on those options gives each request its own deadline signal, created
 * when the request is sent (a signal made once would expire once, for every later call).
 */
function withRequestDeadline(client: LinearClient, timeoutMs: number): void {
  const graphql = client.client as unknown as { options: Record<string, unknown> };
  Object.defineProperty(graphql.options, 'signal', { enumerable: true, get: () => deadlineSignal(timeoutMs) });
}

/** Linear's request budget from an answer's `X-RateLimit-Requests-*` headers (reset in epoch ms). */
function linearBudget(headers: Headers): { remaining?: number; resetAt?: number } {
  const remaining = Number(headers.get('x-ratelimit-requests-remaining') ?? Number.NaN);
  const reset = Number(headers.get('x-ratelimit-requests-reset') ?? Number.NaN);
  return {
    ...(Number.isFinite(remaining) ? { remaining } : {}),
    ...(Number.isFinite(reset) ? { resetAt: reset < 1e12 ? reset * 1000 : reset } : {}),
  };
}
