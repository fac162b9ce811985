/**
 * The hand-written GraphQL the adapter sends through the SDK's raw request: one query selects
 * everything a candidate needs (labels, state, priority, creation time, blockers), because the
 * SDK's lazy relations (`issue.labels()`, `issue.team`) cost a request each.
 *
 * Nested pages are kept small so a 100-issue page stays well under Linear's 10,000-point
 * complexity limit per query (a connection multiplies its children by `first`): 100 × (20
 * labels + 10 relations with their issue and state) ≈ 6,000 points.
 */
import { stageFromLinearLabels } from '../../../core/domain/lifecycle.js';
import type { TicketIssue } from '../../../core/domain/model.js';

export const ISSUE_PAGE_SIZE = 100;

const ISSUE_FIELDS = /* GraphQL */ `
  fragment AiImplementIssue on Issue {
    id
    identifier
    title
    description
    url
    priority
    createdAt
    updatedAt
    team { key }
    state { name type }
    labels(first: 20) { nodes { id name } }
    inverseRelations(first: 10) { nodes { type issue { identifier state { type } } } }
  }
`;

/** Candidates: the team's issues carrying the trigger or any lifecycle label, one page. */
export const CANDIDATES_QUERY = /* GraphQL */ `
  query AiImplementCandidates($teamKey: String!, $labels: [String!]!, $first: Int!, $after: String) {
    issues(
      filter: { team: { key: { eq: $teamKey } }, labels: { some: { name: { in: $labels } } } }
      first: $first
      after: $after
    ) {
      nodes { ...AiImplementIssue }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ISSUE_FIELDS}
`;

/**
 * Candidates of many teams in one query (one request per page for every Linear mapping).
 * A full read filters by label; an incremental read asks for every issue of those teams
 * updated since `since`, labelled or not, so an issue whose trigger a human removed is seen
 * leaving the candidates.
 */
export const TEAMS_CANDIDATES_QUERY = /* GraphQL */ `
  query AiImplementTeamsCandidates($filter: IssueFilter!, $first: Int!, $after: String) {
    issues(filter: $filter, first: $first, after: $after) {
      nodes { ...AiImplementIssue }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ISSUE_FIELDS}
`;

/**
 * An incremental read's first page and, in the same request, one page of the sweep: the ids of
 * every labelled issue, 250 at a time (an id costs about a point, so the request stays far below
 * the complexity limit). Over successive cycles the sweep walks the whole labelled set, which
 * is how issues deleted or archived in Linear (never "updated") are seen leaving — without a
 * periodic full read's extra requests (linear-candidates.ts).
 */
export const TEAMS_CANDIDATES_SWEPT_QUERY = /* GraphQL */ `
  query AiImplementTeamsCandidatesSwept(
    $filter: IssueFilter!
    $first: Int!
    $sweepFilter: IssueFilter!
    $sweepFirst: Int!
    $sweepAfter: String
  ) {
    issues(filter: $filter, first: $first) {
      nodes { ...AiImplementIssue }
      pageInfo { hasNextPage endCursor }
    }
    sweep: issues(filter: $sweepFilter, first: $sweepFirst, after: $sweepAfter) {
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ISSUE_FIELDS}
`;

export const SWEEP_PAGE_SIZE = 250;

export const ISSUE_QUERY = /* GraphQL */ `
  query AiImplementIssue($id: String!) {
    issue(id: $id) { ...AiImplementIssue }
  }
  ${ISSUE_FIELDS}
`;

/** The team's id and the labels (team or workspace) with the given names. */
export const TEAM_LABELS_QUERY = /* GraphQL */ `
  query AiImplementTeamLabels($teamKey: String!, $names: [String!]!) {
    teams(filter: { key: { eq: $teamKey } }, first: 1) { nodes { id } }
    issueLabels(
      filter: { name: { in: $names }, or: [{ team: { key: { eq: $teamKey } } }, { team: { null: true } }] }
      first: 250
    ) {
      nodes { id name team { id } }
    }
  }
`;

/** Whether a comment (created with a client-chosen id) already exists, before posting it again. */
export const COMMENT_EXISTS_QUERY = /* GraphQL */ `
  query AiImplementCommentExists($id: String!) {
    comment(id: $id) { id }
  }
`;

export interface IssueNode {
  id: string;
  identifier: string;
  title: string;
  description?: string | null;
  url: string;
  priority: number;
  createdAt: string;
  updatedAt: string;
  team: { key: string };
  state: { name: string; type: string };
  labels: { nodes: { id: string; name: string }[] };
  inverseRelations: { nodes: { type: string; issue: { identifier: string; state: { type: string } } }[] };
}

export interface CandidatesData {
  issues: { nodes: IssueNode[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
}
export interface SweptCandidatesData extends CandidatesData {
  sweep: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
}
export interface IssueData {
  issue: IssueNode;
}
export interface TeamLabelsData {
  teams: { nodes: { id: string }[] };
  issueLabels: { nodes: { id: string; name: string; team?: { id: string } | null }[] };
}

const CLOSED_STATE_TYPES = new Set(['completed', 'canceled']);

/**
 * Linear spells its state type `canceled`; the domain (and the admin's Issues view, whose states
 * are "started / completed / cancelled") spells it `cancelled`. The other types pass as they are.
 */
export function linearStateType(type: string): string {
  return type === 'canceled' ? 'cancelled' : type;
}

/**
 * An issue node as the domain sees it. An issue carrying neither the trigger nor an AI label
 * (only `getIssue` can return one: a failed issue, or one never triggered) reads as
 * `triggered`; its labels, without the trigger, tell the two apart.
 */
export function toTicketIssue(node: IssueNode): TicketIssue {
  const labels = node.labels.nodes.map((l) => l.name);
  return {
    id: node.id,
    identifier: node.identifier,
    teamKey: node.team.key,
    title: node.title,
    ...(node.description ? { description: node.description } : {}),
    url: node.url,
    priority: node.priority,
    createdAt: Date.parse(node.createdAt),
    stage: stageFromLinearLabels(labels) ?? 'triggered',
    labels,
    state: node.state.name,
    stateType: linearStateType(node.state.type),
    blockedBy: node.inverseRelations.nodes
      .filter((r) => r.type === 'blocks')
      .map((r) => ({ identifier: r.issue.identifier, open: !CLOSED_STATE_TYPES.has(r.issue.state.type) })),
  };
}
