import type { AdfNode } from './jira-adf.js';

/**
 * The fake Jira's data: projects, issues, "Blocks" links, one workflow, custom fields with their
 * contexts and options. Plain state plus the seeding API tests use; the HTTP layer reads it.
 */

export type StatusCategory = 'new' | 'indeterminate' | 'done';

export interface FakeStatus {
  id: string;
  name: string;
  category: StatusCategory;
}

export interface FakeTransition {
  id: string;
  name: string;
  /** Status names it leaves from; `any` is a global transition (from every other status). */
  from: string[] | 'any';
  to: string;
}

export interface FakeOption {
  id: string;
  value: string;
  disabled: boolean;
}

export interface FakeField {
  id: string;
  name: string;
  custom: boolean;
  schema: { type: string; items?: string; system?: string; custom?: string; customId?: number };
  clauseNames: string[];
  /** Custom fields only: contexts and, for select-like fields, their options. */
  contexts?: { id: string; name: string; options?: FakeOption[] }[];
}

export interface FakeComment {
  id: string;
  body: AdfNode;
  created: number;
}

export interface FakeIssue {
  id: string;
  key: string;
  project: string;
  summary: string;
  status: string;
  priority: string | null;
  created: number;
  updated: number;
  labels: string[];
  /** Custom field values by field id: an option id for a select, a number, an array of option ids. */
  custom: Record<string, unknown>;
  comments: FakeComment[];
}

export interface FakeLink {
  id: string;
  type: 'Blocks' | 'Relates';
  /** The issue on the outward side ("A blocks B": A). */
  outwardId: string;
  /** The issue on the inward side ("B is blocked by A": B). */
  inwardId: string;
}

export const LIFECYCLE_STATUSES = [
  'Ready',
  'Planning',
  'Plan Approved',
  'Implementing',
  'PR Ready',
  'Planning Failed',
  'Implementation Failed',
] as const;

export const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'] as const;

const STATUSES: FakeStatus[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '10001', name: 'Ready', category: 'new' },
  { id: '10002', name: 'Planning', category: 'indeterminate' },
  { id: '10003', name: 'Plan Approved', category: 'indeterminate' },
  { id: '10004', name: 'Implementing', category: 'indeterminate' },
  { id: '10005', name: 'PR Ready', category: 'indeterminate' },
  { id: '10006', name: 'Planning Failed', category: 'indeterminate' },
  { id: '10007', name: 'Implementation Failed', category: 'indeterminate' },
  { id: '10008', name: 'Done', category: 'done' },
];

/**
 * Global transitions into every status, named unlike their target status (as real workflows
 * are), so an adapter must match on the target and not on the transition's name.
 */
const TRANSITION_NAMES: Record<string, string> = {
  'To Do': 'Back to backlog',
  Ready: 'Mark ready for AI',
  Planning: 'Start planning',
  'Plan Approved': 'Approve plan',
  Implementing: 'Start implementation',
  'PR Ready': 'Pull request opened',
  'Planning Failed': 'Fail planning',
  'Implementation Failed': 'Fail implementation',
  Done: 'Resolve',
};

export const REPO_FIELD_ID = 'customfield_10050';

function defaultFields(repoOptions: string[]): FakeField[] {
  const system = (id: string, name: string, type: string, clauseNames = [id]): FakeField => ({
    id,
    name,
    custom: false,
    schema: { type, system: id },
    clauseNames,
  });
  let optionId = 10100;
  const options = (values: string[]): FakeOption[] => values.map((value) => ({ id: String(optionId++), value, disabled: false }));
  return [
    system('summary', 'Summary', 'string'),
    system('status', 'Status', 'status'),
    system('priority', 'Priority', 'priority'),
    system('labels', 'Labels', 'array'),
    system('created', 'Created', 'datetime', ['created', 'createdDate']),
    system('updated', 'Updated', 'datetime', ['updated', 'updatedDate']),
    system('issuelinks', 'Linked Issues', 'array', ['issueLink']),
    system('project', 'Project', 'project'),
    system('issuetype', 'Issue Type', 'issuetype', ['issuetype', 'type']),
    system('comment', 'Comment', 'comments-page'),
    {
      id: REPO_FIELD_ID,
      name: 'Repo',
      custom: true,
      schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10050 },
      clauseNames: ['cf[10050]', 'Repo', 'Repo[Dropdown]', 'Repo[Select List (single choice)]'],
      contexts: [{ id: '10150', name: 'Default Configuration Scheme for Repo', options: options(repoOptions) }],
    },
    {
      id: 'customfield_10016',
      name: 'Story Points',
      custom: true,
      schema: { type: 'number', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float', customId: 10016 },
      clauseNames: ['cf[10016]', 'Story Points', 'Story Points[Number]'],
      contexts: [{ id: '10116', name: 'Default Configuration Scheme for Story Points' }],
    },
    {
      id: 'customfield_10060',
      name: 'Team',
      custom: true,
      schema: {
        type: 'array',
        items: 'option',
        custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiselect',
        customId: 10060,
      },
      clauseNames: ['cf[10060]', 'Team', 'Team[Select List (multiple choices)]'],
      contexts: [{ id: '10160', name: 'Default Configuration Scheme for Team', options: options(['core', 'platform']) }],
    },
  ];
}

export interface NewIssue {
  project?: string;
  summary: string;
  status?: string;
  priority?: string | null;
  created?: number;
  labels?: string[];
  /** The Repo select field's value (an option's value). */
  repo?: string;
  custom?: Record<string, unknown>;
}

export class JiraStore {
  readonly statuses = STATUSES;
  readonly priorities: readonly string[] = PRIORITIES;
  readonly fields: FakeField[];
  readonly projects = new Set<string>();
  readonly issues = new Map<string, FakeIssue>();
  readonly links: FakeLink[] = [];
  transitions: FakeTransition[] = STATUSES.map((s, i) => ({
    id: String((i + 1) * 10 + 1),
    name: TRANSITION_NAMES[s.name] ?? s.name,
    from: 'any',
    to: s.name,
  }));
  private nextIssueId = 10001;
  private nextOtherId = 20001;
  private readonly keyCounters = new Map<string, number>();

  constructor(
    readonly now: () => number,
    repoOptions: string[] = ['api', 'web', 'mobile'],
    projects: string[] = ['ENG'],
  ) {
    this.fields = defaultFields(repoOptions);
    for (const p of projects) this.projects.add(p);
  }

  newId(): string {
    return String(this.nextOtherId++);
  }

  status(name: string): FakeStatus | undefined {
    return this.statuses.find((s) => s.name.toLowerCase() === name.toLowerCase() || s.id === name);
  }

  issue(idOrKey: string): FakeIssue | undefined {
    const byId = this.issues.get(idOrKey);
    if (byId) return byId;
    const key = idOrKey.toUpperCase();
    return [...this.issues.values()].find((i) => i.key === key);
  }

  field(id: string): FakeField | undefined {
    return this.fields.find((f) => f.id === id);
  }

  option(fieldId: string, value: string): FakeOption | undefined {
    const all = this.field(fieldId)?.contexts?.flatMap((c) => c.options ?? []) ?? [];
    return all.find((o) => o.value.toLowerCase() === value.toLowerCase() || o.id === value);
  }

  /** Deletes an option of the Repo field, as an admin in Jira would: a JQL naming it is then refused. */
  removeRepoOption(value: string): void {
    for (const context of this.field(REPO_FIELD_ID)?.contexts ?? [])
      context.options = (context.options ?? []).filter((o) => o.value.toLowerCase() !== value.toLowerCase());
  }

  createIssue(input: NewIssue): FakeIssue {
    const project = (input.project ?? 'ENG').toUpperCase();
    this.projects.add(project);
    const n = (this.keyCounters.get(project) ?? 0) + 1;
    this.keyCounters.set(project, n);
    const status = this.status(input.status ?? 'To Do');
    if (!status) throw new Error(`fake jira: unknown status ${input.status}`);
    const custom: Record<string, unknown> = { ...input.custom };
    if (input.repo !== undefined) {
      const option = this.option(REPO_FIELD_ID, input.repo);
      if (!option) throw new Error(`fake jira: no Repo option ${input.repo}`);
      custom[REPO_FIELD_ID] = option.id;
    }
    const created = input.created ?? this.now();
    const issue: FakeIssue = {
      id: String(this.nextIssueId++),
      key: `${project}-${n}`,
      project,
      summary: input.summary,
      status: status.name,
      priority: input.priority === undefined ? 'Medium' : input.priority,
      created,
      updated: created,
      labels: [...(input.labels ?? [])],
      custom,
      comments: [],
    };
    this.issues.set(issue.id, issue);
    return issue;
  }

  /** "`blocker` blocks `blocked`": shown on the blocked issue as an inward "is blocked by" link. */
  linkBlocks(blockerId: string, blockedId: string): void {
    this.links.push({ id: this.newId(), type: 'Blocks', outwardId: blockerId, inwardId: blockedId });
  }

  linkRelates(aId: string, bId: string): void {
    this.links.push({ id: this.newId(), type: 'Relates', outwardId: aId, inwardId: bId });
  }

  setStatus(idOrKey: string, statusName: string): void {
    const issue = this.issue(idOrKey);
    const status = this.status(statusName);
    if (!issue || !status) throw new Error(`fake jira: cannot set ${idOrKey} to ${statusName}`);
    issue.status = status.name;
    issue.updated = this.now();
  }

  /** The transitions the workflow offers an issue in its current status. */
  availableTransitions(issue: FakeIssue): FakeTransition[] {
    return this.transitions.filter((t) =>
      t.from === 'any' ? t.to !== issue.status : t.from.some((f) => f.toLowerCase() === issue.status.toLowerCase()),
    );
  }
}
