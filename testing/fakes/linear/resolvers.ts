/**
 * The fake's root value: Linear's queries and mutations that the SDK and the adapter use,
 * answered from a `LinearStore`. Nodes are plain objects whose function-valued fields take the
 * field's arguments (graphql-js calls them); any field not modelled here resolves to a neutral
 * value of its schema type (see schema.ts).
 */

import { entityNotFound, type FilterView, linearError, matches, type PageArgs, page } from './query-args.js';
import type { CommentRecord, IssueRecord, LabelRecord, LinearStore, RelationRecord, StateRecord, TeamRecord } from './store.js';

type FilterArgs = PageArgs & { filter?: Record<string, unknown> | null };
type IssueInput = {
  labelIds?: string[] | null;
  addedLabelIds?: string[] | null;
  removedLabelIds?: string[] | null;
  stateId?: string | null;
  title?: string | null;
  description?: string | null;
  priority?: number | null;
};

const iso = (ms: number) => new Date(ms).toISOString();
const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];
const ISSUE_INPUT_FIELDS = new Set([
  'labelIds',
  'addedLabelIds',
  'removedLabelIds',
  'stateId',
  'title',
  'description',
  'priority',
]);

export function createRoot(store: LinearStore) {
  let syncId = 1000;

  const teamOf = (id: string): TeamRecord => {
    const team = store.team(id);
    if (!team) throw new Error(`fake linear: dangling team ${id}`);
    return team;
  };
  const issueOf = (id: string): IssueRecord => {
    const issue = store.issue(id);
    if (!issue) throw entityNotFound('Issue');
    return issue;
  };

  // What filters see: the fields Linear lets a filter compare, related entities inlined.
  const teamView = (t: TeamRecord): FilterView => ({ id: t.id, key: t.key, name: t.name });
  const stateView = (s: StateRecord): FilterView => ({ id: s.id, name: s.name, type: s.type, team: teamView(teamOf(s.teamId)) });
  const labelView = (l: LabelRecord): FilterView => ({
    id: l.id,
    name: l.name,
    createdAt: l.createdAt,
    team: l.teamId ? teamView(teamOf(l.teamId)) : null,
  });
  const issueView = (i: IssueRecord): FilterView => ({
    id: i.id,
    identifier: i.identifier,
    number: i.number,
    title: i.title,
    description: i.description ?? null,
    priority: i.priority,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    team: teamView(teamOf(i.teamId)),
    state: stateView(store.state(i.stateId)),
    labels: i.labelIds.map((id) => store.label(id)).flatMap((l) => (l ? [labelView(l)] : [])),
  });

  const teamNode = (t: TeamRecord) => ({
    id: t.id,
    key: t.key,
    name: t.name,
    createdAt: iso(0),
    updatedAt: iso(0),
    labels: (args: FilterArgs) =>
      page(
        store.labels.filter((l) => l.teamId === t.id && matches(labelView(l), args.filter)),
        args,
        labelNode,
      ),
    states: (args: FilterArgs) =>
      page(
        store.states.filter((s) => s.teamId === t.id && matches(stateView(s), args.filter)),
        args,
        stateNode,
      ),
    issues: (args: FilterArgs) =>
      page(
        store.issues.filter((i) => i.teamId === t.id && matches(issueView(i), args.filter)),
        args,
        issueNode,
      ),
  });

  const stateNode = (s: StateRecord) => ({
    id: s.id,
    name: s.name,
    type: s.type,
    position: s.position,
    color: '#bec2c8',
    createdAt: iso(0),
    updatedAt: iso(0),
    team: () => teamNode(teamOf(s.teamId)),
  });

  const labelNode = (l: LabelRecord) => ({
    id: l.id,
    name: l.name,
    color: l.color,
    isGroup: false,
    createdAt: iso(l.createdAt),
    updatedAt: iso(l.createdAt),
    team: () => (l.teamId ? teamNode(teamOf(l.teamId)) : null),
  });

  const relationNode = (r: RelationRecord) => ({
    id: r.id,
    type: r.type,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.createdAt),
    issue: () => issueNode(issueOf(r.issueId)),
    relatedIssue: () => issueNode(issueOf(r.relatedIssueId)),
  });

  const commentNode = (c: CommentRecord) => ({
    id: c.id,
    body: c.body,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.createdAt),
    url: `https://linear.app/fake/comment/${c.id}`,
    reactions: [],
    issue: () => issueNode(issueOf(c.issueId)),
    issueId: c.issueId,
  });

  function issueNode(i: IssueRecord) {
    const team = teamOf(i.teamId);
    return {
      id: i.id,
      identifier: i.identifier,
      number: i.number,
      title: i.title,
      description: i.description ?? null,
      priority: i.priority,
      priorityLabel: PRIORITY_LABELS[i.priority] ?? 'No priority',
      createdAt: iso(i.createdAt),
      updatedAt: iso(i.updatedAt),
      url: `https://linear.app/fake/issue/${i.identifier}`,
      branchName: `${i.identifier.toLowerCase()}`,
      labelIds: [...i.labelIds],
      // The SDK's Issue model reads both while parsing and throws if either is missing.
      reactions: [],
      sharedAccess: {
        isShared: false,
        sharedWithCount: 0,
        sharedWithUsers: [],
        disallowedIssueFields: [],
        viewerHasOnlySharedAccess: false,
      },
      team: () => teamNode(team),
      state: () => stateNode(store.state(i.stateId)),
      labels: (args: FilterArgs) =>
        page(
          i.labelIds.flatMap((id) => {
            const l = store.label(id);
            return l && matches(labelView(l), args.filter) ? [l] : [];
          }),
          args,
          labelNode,
        ),
      relations: (args: PageArgs) =>
        page(
          store.relations.filter((r) => r.issueId === i.id),
          args,
          relationNode,
        ),
      inverseRelations: (args: PageArgs) =>
        page(
          store.relations.filter((r) => r.relatedIssueId === i.id),
          args,
          relationNode,
        ),
      comments: (args: PageArgs) => page(store.commentsOf(i.id), args, commentNode),
    };
  }

  /** Linear lets an issue carry its own team's labels and workspace labels. */
  function usableLabel(issue: IssueRecord, id: string): string {
    const label = store.label(id);
    if (!label || (label.teamId !== undefined && label.teamId !== issue.teamId)) throw entityNotFound('IssueLabel');
    return label.id;
  }

  function updateIssue(issue: IssueRecord, input: IssueInput) {
    for (const key of Object.keys(input)) {
      if (!ISSUE_INPUT_FIELDS.has(key))
        throw linearError(`fake linear does not model IssueUpdateInput.${key}`, 'graphql error', 'GRAPHQL_VALIDATION_FAILED');
    }
    let labelIds = issue.labelIds;
    if (input.labelIds) labelIds = [...new Set(input.labelIds.map((id) => usableLabel(issue, id)))];
    if (input.addedLabelIds) labelIds = [...new Set([...labelIds, ...input.addedLabelIds.map((id) => usableLabel(issue, id))])];
    if (input.removedLabelIds) labelIds = labelIds.filter((id) => !input.removedLabelIds?.includes(id));
    if (input.stateId) {
      const state = store.states.find((s) => s.id === input.stateId && s.teamId === issue.teamId);
      if (!state) throw entityNotFound('WorkflowState');
      issue.stateId = state.id;
    }
    issue.labelIds = labelIds;
    if (input.title != null) issue.title = input.title;
    if (input.description !== undefined) {
      if (input.description === null) delete issue.description;
      else issue.description = input.description;
    }
    if (input.priority != null) issue.priority = input.priority;
    issue.updatedAt = store.tick();
    return { success: true, lastSyncId: ++syncId, issue: issueNode(issue) };
  }

  /**
   * The issues a filter can match, oldest first. A top-level `team.key.eq` is an AND condition,
   * so narrowing to that team first changes no answer; it keeps a workspace of thousands of
   * issues from being filtered whole for every page.
   */
  function issuesFor(filter: FilterArgs['filter']): IssueRecord[] {
    const teamKey = (filter?.team as { key?: { eq?: unknown } } | undefined)?.key?.eq;
    const teamId = typeof teamKey === 'string' ? (store.teamByKey(teamKey)?.id ?? '') : undefined;
    const scoped = teamId === undefined ? store.issues : store.issues.filter((i) => i.teamId === teamId);
    return scoped.filter((i) => matches(issueView(i), filter)).sort((a, b) => a.createdAt - b.createdAt);
  }

  return {
    viewer: () => ({ ...store.viewer, active: true, admin: false, displayName: store.viewer.name }),
    organization: () => ({ ...store.organization }),
    teams: (args: FilterArgs) =>
      page(
        store.teams.filter((t) => matches(teamView(t), args.filter)),
        args,
        teamNode,
      ),
    team: ({ id }: { id: string }) => {
      const team = store.team(id);
      if (!team) throw entityNotFound('Team');
      return teamNode(team);
    },
    issues: (args: FilterArgs) => page(issuesFor(args.filter), args, issueNode),
    issue: ({ id }: { id: string }) => issueNode(issueOf(id)),
    issueLabels: (args: FilterArgs) =>
      page(
        store.labels.filter((l) => matches(labelView(l), args.filter)),
        args,
        labelNode,
      ),
    issueLabel: ({ id }: { id: string }) => {
      const label = store.label(id);
      if (!label) throw entityNotFound('IssueLabel');
      return labelNode(label);
    },
    comment: ({ id }: { id?: string | null }) => {
      const comment = store.comments.find((c) => c.id === id);
      if (!comment) throw entityNotFound('Comment');
      return commentNode(comment);
    },
    workflowState: ({ id }: { id: string }) => {
      const state = store.states.find((s) => s.id === id);
      if (!state) throw entityNotFound('WorkflowState');
      return stateNode(state);
    },
    workflowStates: (args: FilterArgs) =>
      page(
        store.states.filter((s) => matches(stateView(s), args.filter)),
        args,
        stateNode,
      ),

    issueLabelCreate: ({ input }: { input: { name: string; teamId?: string | null; color?: string | null } }) => {
      const team = input.teamId ? store.team(input.teamId) : undefined;
      if (input.teamId && !team) throw entityNotFound('Team');
      const clash = store.labels.find(
        (l) => l.name.toLowerCase() === input.name.toLowerCase() && (l.teamId === team?.id || l.teamId === undefined),
      );
      if (clash)
        throw linearError('duplicate label name', 'invalid input', 'INPUT_ERROR', 'A label with this name already exists.');
      const label = store.addLabel(input.name, team?.id);
      if (input.color) label.color = input.color;
      return { success: true, lastSyncId: ++syncId, issueLabel: labelNode(label) };
    },
    issueUpdate: ({ id, input }: { id: string; input: IssueInput }) => updateIssue(issueOf(id), input),
    issueAddLabel: ({ id, labelId }: { id: string; labelId: string }) => updateIssue(issueOf(id), { addedLabelIds: [labelId] }),
    issueRemoveLabel: ({ id, labelId }: { id: string; labelId: string }) =>
      updateIssue(issueOf(id), { removedLabelIds: [labelId] }),
    commentCreate: ({ input }: { input: { id?: string | null; issueId?: string | null; body?: string | null } }) => {
      if (!input.issueId) throw linearError('issueId required', 'invalid input', 'INPUT_ERROR');
      if (!input.body) throw linearError('body required', 'invalid input', 'INPUT_ERROR', 'Comment body cannot be empty.');
      if (input.id && store.comments.some((c) => c.id === input.id)) {
        throw linearError(
          'Entity already exists: Comment',
          'invalid input',
          'INPUT_ERROR',
          'A comment with this id already exists.',
        );
      }
      const comment = store.addComment(issueOf(input.issueId).id, input.body, input.id ?? undefined);
      return { success: true, lastSyncId: ++syncId, comment: commentNode(comment) };
    },
  };
}
