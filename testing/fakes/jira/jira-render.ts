import type { FakeComment, FakeField, FakeIssue, FakeStatus, FakeTransition, JiraStore } from './jira-store.js';

/** The JSON shapes Jira Cloud REST v3 returns for the fake's records. */

/** Jira's timestamp format: `2024-05-01T12:34:56.789+0000`. */
export const jiraDate = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

const USER = {
  accountId: '5b10ac8d82e05b22cc7d4ef5',
  displayName: 'AI-Implement Bot',
  active: true,
  accountType: 'atlassian',
  timeZone: 'Etc/UTC',
};

export class JiraRenderer {
  constructor(
    private readonly store: JiraStore,
    private readonly base: string,
  ) {}

  status(status: FakeStatus) {
    const category = CATEGORIES[status.category];
    return {
      self: `${this.base}/rest/api/3/status/${status.id}`,
      description: '',
      iconUrl: `${this.base}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: { self: `${this.base}/rest/api/3/statuscategory/${category.id}`, ...category },
    };
  }

  priority(name: string | null) {
    if (name === null) return null;
    const id = String(this.store.priorities.indexOf(name) + 1);
    return {
      self: `${this.base}/rest/api/3/priority/${id}`,
      iconUrl: `${this.base}/images/icons/priorities/${name.toLowerCase()}.svg`,
      name,
      id,
    };
  }

  private linkedIssue(issue: FakeIssue) {
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.base}/rest/api/3/issue/${issue.id}`,
      fields: {
        summary: issue.summary,
        status: this.status(this.store.status(issue.status) as FakeStatus),
        priority: this.priority(issue.priority),
        issuetype: this.issueType(),
      },
    };
  }

  private issueType() {
    return { self: `${this.base}/rest/api/3/issuetype/10001`, id: '10001', name: 'Task', subtask: false, hierarchyLevel: 0 };
  }

  private issueLinks(issue: FakeIssue) {
    const types = {
      Blocks: { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
      Relates: { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
    };
    return this.store.links.flatMap((link): Record<string, unknown>[] => {
      const type = { ...types[link.type], self: `${this.base}/rest/api/3/issueLinkType/${types[link.type].id}` };
      const base = { id: link.id, self: `${this.base}/rest/api/3/issueLink/${link.id}`, type };
      if (link.inwardId === issue.id) {
        const other = this.store.issue(link.outwardId);
        return other ? [{ ...base, inwardIssue: this.linkedIssue(other) }] : [];
      }
      if (link.outwardId === issue.id) {
        const other = this.store.issue(link.inwardId);
        return other ? [{ ...base, outwardIssue: this.linkedIssue(other) }] : [];
      }
      return [];
    });
  }

  comment(issue: FakeIssue, comment: FakeComment) {
    return {
      self: `${this.base}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author: USER,
      body: comment.body,
      updateAuthor: USER,
      created: jiraDate(comment.created),
      updated: jiraDate(comment.created),
      jsdPublic: true,
    };
  }

  private customValue(field: FakeField, value: unknown) {
    if (value === undefined || value === null) return null;
    const option = (id: unknown) => {
      const o = field.contexts?.flatMap((c) => c.options ?? []).find((x) => x.id === id);
      return o ? { self: `${this.base}/rest/api/3/customFieldOption/${o.id}`, value: o.value, id: o.id } : null;
    };
    if (field.schema.type === 'option') return option(value);
    if (field.schema.type === 'array' && Array.isArray(value)) return value.map(option);
    return value;
  }

  private fieldValue(issue: FakeIssue, id: string): unknown {
    switch (id) {
      case 'summary':
        return issue.summary;
      case 'status':
        return this.status(this.store.status(issue.status) as FakeStatus);
      case 'priority':
        return this.priority(issue.priority);
      case 'labels':
        return issue.labels;
      case 'created':
        return jiraDate(issue.created);
      case 'updated':
        return jiraDate(issue.updated);
      case 'issuelinks':
        return this.issueLinks(issue);
      case 'issuetype':
        return this.issueType();
      case 'project':
        return {
          self: `${this.base}/rest/api/3/project/${issue.project}`,
          id: '10000',
          key: issue.project,
          name: issue.project,
          projectTypeKey: 'software',
          simplified: false,
        };
      case 'comment':
        return {
          comments: issue.comments.map((c) => this.comment(issue, c)),
          self: `${this.base}/rest/api/3/issue/${issue.id}/comment`,
          maxResults: issue.comments.length,
          total: issue.comments.length,
          startAt: 0,
        };
    }
    const field = this.store.field(id);
    return field ? this.customValue(field, issue.custom[id]) : undefined;
  }

  /**
   * An issue with the fields asked for. `fields` follows Jira: a comma list of ids, `*all`,
   * `*navigable`, `-id` to drop one; unknown ids are ignored. `undefined` means Jira's default.
   */
  issue(issue: FakeIssue, fields: string[] | undefined) {
    const wanted = new Set<string>();
    for (const f of fields ?? []) {
      if (f === '*all' || f === '*navigable') for (const field of this.store.fields) wanted.add(field.id);
      else if (f.startsWith('-')) wanted.delete(f.slice(1));
      else if (this.store.field(f)) wanted.add(f);
    }
    const out: Record<string, unknown> = {};
    for (const id of wanted) out[id] = this.fieldValue(issue, id);
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${this.base}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: out,
    };
  }

  transition(t: FakeTransition) {
    return {
      id: t.id,
      name: t.name,
      to: this.status(this.store.status(t.to) as FakeStatus),
      hasScreen: false,
      isGlobal: t.from === 'any',
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    };
  }

  field(f: FakeField) {
    return {
      id: f.id,
      key: f.id,
      name: f.name,
      custom: f.custom,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: f.clauseNames,
      ...(f.custom ? { untranslatedName: f.name } : {}),
      schema: f.schema,
    };
  }
}
