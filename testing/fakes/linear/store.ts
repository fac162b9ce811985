/**
 * What the fake Linear workspace holds: teams with their workflow states and labels, issues,
 * comments and "blocks" relations. Plain records; the resolvers turn them into GraphQL nodes.
 */
import { randomUUID } from 'node:crypto';

export type StateType = 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';

export interface TeamRecord {
  id: string;
  key: string;
  name: string;
  nextNumber: number;
}
export interface StateRecord {
  id: string;
  teamId: string;
  name: string;
  type: StateType;
  position: number;
}
export interface LabelRecord {
  id: string;
  /** Undefined for a workspace label. */
  teamId?: string;
  name: string;
  color: string;
  createdAt: number;
}
export interface IssueRecord {
  id: string;
  teamId: string;
  number: number;
  identifier: string;
  title: string;
  description?: string;
  priority: number;
  stateId: string;
  labelIds: string[];
  createdAt: number;
  updatedAt: number;
}
export interface CommentRecord {
  id: string;
  issueId: string;
  body: string;
  createdAt: number;
}
/** `issueId` blocks `relatedIssueId`, as Linear stores a "blocks" relation. */
export interface RelationRecord {
  id: string;
  type: 'blocks' | 'related' | 'duplicate';
  issueId: string;
  relatedIssueId: string;
  createdAt: number;
}

export interface NewIssue {
  teamKey: string;
  title: string;
  identifier?: string;
  description?: string;
  priority?: number;
  createdAt?: number;
  /** A state name of the team (default `Todo`) or a state type. */
  state?: string;
  labels?: string[];
}

const DEFAULT_STATES: [string, StateType][] = [
  ['Backlog', 'backlog'],
  ['Todo', 'unstarted'],
  ['In Progress', 'started'],
  ['In Review', 'started'],
  ['Done', 'completed'],
  ['Canceled', 'canceled'],
];

export class LinearStore {
  readonly teams: TeamRecord[] = [];
  readonly states: StateRecord[] = [];
  readonly labels: LabelRecord[] = [];
  readonly issues: IssueRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly relations: RelationRecord[] = [];
  readonly viewer = { id: randomUUID(), name: 'Fake Viewer', email: 'viewer@example.test' };
  readonly organization = { id: randomUUID(), name: 'Fake Org', urlKey: 'fake' };
  private clock = Date.UTC(2025, 0, 1);

  /** Monotonic milliseconds, so records created in one test have distinct, ordered times. */
  tick(): number {
    this.clock += 1000;
    return this.clock;
  }

  addTeam(key: string, name = key): TeamRecord {
    const existing = this.teamByKey(key);
    if (existing) return existing;
    const team: TeamRecord = { id: randomUUID(), key, name, nextNumber: 1 };
    this.teams.push(team);
    DEFAULT_STATES.forEach(([stateName, type], position) => {
      this.states.push({ id: randomUUID(), teamId: team.id, name: stateName, type, position });
    });
    return team;
  }

  addLabel(name: string, teamId?: string): LabelRecord {
    const label: LabelRecord = {
      id: randomUUID(),
      name,
      color: '#5e6ad2',
      createdAt: this.tick(),
      ...(teamId ? { teamId } : {}),
    };
    this.labels.push(label);
    return label;
  }

  /** A label the issue's team can use: the team's own, else a workspace label; created in the team if missing. */
  ensureTeamLabel(teamId: string, name: string): LabelRecord {
    return (
      this.labels.find((l) => l.teamId === teamId && l.name === name) ??
      this.labels.find((l) => l.teamId === undefined && l.name === name) ??
      this.addLabel(name, teamId)
    );
  }

  addIssue(input: NewIssue): IssueRecord {
    const team = this.addTeam(input.teamKey);
    const number = team.nextNumber++;
    const state = this.stateFor(team.id, input.state ?? 'Todo');
    const createdAt = input.createdAt ?? this.tick();
    const issue: IssueRecord = {
      id: randomUUID(),
      teamId: team.id,
      number,
      identifier: input.identifier ?? `${team.key}-${number}`,
      title: input.title,
      ...(input.description !== undefined ? { description: input.description } : {}),
      priority: input.priority ?? 0,
      stateId: state.id,
      labelIds: (input.labels ?? []).map((name) => this.ensureTeamLabel(team.id, name).id),
      createdAt,
      updatedAt: createdAt,
    };
    this.issues.push(issue);
    return issue;
  }

  /** `blocker` blocks `blocked`. */
  addBlocks(blockerId: string, blockedId: string): RelationRecord {
    const relation: RelationRecord = {
      id: randomUUID(),
      type: 'blocks',
      issueId: blockerId,
      relatedIssueId: blockedId,
      createdAt: this.tick(),
    };
    this.relations.push(relation);
    return relation;
  }

  addComment(issueId: string, body: string, id: string = randomUUID()): CommentRecord {
    const comment: CommentRecord = { id, issueId, body, createdAt: this.tick() };
    this.comments.push(comment);
    return comment;
  }

  stateFor(teamId: string, nameOrType: string): StateRecord {
    const states = this.states.filter((s) => s.teamId === teamId);
    const state = states.find((s) => s.name === nameOrType) ?? states.find((s) => s.type === nameOrType);
    if (!state) throw new Error(`fake linear: team has no state ${nameOrType}`);
    return state;
  }

  teamByKey(key: string): TeamRecord | undefined {
    return this.teams.find((t) => t.key === key);
  }
  team(idOrKey: string): TeamRecord | undefined {
    return this.teams.find((t) => t.id === idOrKey || t.key === idOrKey);
  }
  /** Linear's `issue(id:)` takes the uuid or the identifier. */
  issue(idOrIdentifier: string): IssueRecord | undefined {
    return this.issues.find((i) => i.id === idOrIdentifier || i.identifier === idOrIdentifier);
  }
  state(id: string): StateRecord {
    const state = this.states.find((s) => s.id === id);
    if (!state) throw new Error(`fake linear: no state ${id}`);
    return state;
  }
  label(id: string): LabelRecord | undefined {
    return this.labels.find((l) => l.id === id);
  }
  labelNames(issue: IssueRecord): string[] {
    return issue.labelIds.map((id) => this.label(id)?.name ?? '?');
  }
  commentsOf(issueId: string): CommentRecord[] {
    return this.comments.filter((c) => c.issueId === issueId);
  }
}
