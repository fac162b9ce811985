import type { JqlNode, JqlQuery, Operand } from './jira-jql.js';
import type { FakeField, FakeIssue, JiraStore } from './jira-store.js';

/**
 * Validates and evaluates a parsed JQL query against the fake's store, with Jira's messages for
 * an unknown field, an unsupported operator or a value that does not exist.
 */

type Kind = 'project' | 'status' | 'priority' | 'labels' | 'text' | 'key' | 'date' | 'option' | 'options' | 'number';

interface Resolved {
  kind: Kind;
  /** The issue's value(s) for this field, normalised for comparison. */
  read: (issue: FakeIssue) => string[] | number | null;
  field?: FakeField;
}

const OPERATORS: Record<Kind, string[]> = {
  project: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  status: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  priority: ['=', '!=', 'in', 'not in', 'is', 'is not', '<', '>', '<=', '>='],
  labels: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  text: ['~', '!~', 'is', 'is not'],
  key: ['=', '!=', 'in', 'not in', '<', '>', '<=', '>='],
  date: ['=', '!=', '<', '>', '<=', '>=', 'is', 'is not'],
  option: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  options: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  number: ['=', '!=', '<', '>', '<=', '>=', 'in', 'not in', 'is', 'is not'],
};

function resolveField(name: string, store: JiraStore): Resolved | undefined {
  const lower = name.toLowerCase();
  const one = (v: string | null) => (v === null ? null : [v.toLowerCase()]);
  switch (lower) {
    case 'project':
      return { kind: 'project', read: (i) => one(i.project) };
    case 'status':
      return { kind: 'status', read: (i) => one(i.status) };
    case 'priority':
      return { kind: 'priority', read: (i) => one(i.priority) };
    case 'labels':
      return { kind: 'labels', read: (i) => (i.labels.length ? i.labels.map((l) => l.toLowerCase()) : null) };
    case 'summary':
    case 'text':
      return { kind: 'text', read: (i) => one(i.summary) };
    case 'key':
    case 'issuekey':
    case 'id':
      return { kind: 'key', read: (i) => [i.key.toLowerCase(), i.id] };
    case 'created':
    case 'createddate':
      return { kind: 'date', read: (i) => i.created };
    case 'updated':
    case 'updateddate':
      return { kind: 'date', read: (i) => i.updated };
  }
  const field = store.fields.find((f) => f.custom && f.clauseNames.some((c) => c.toLowerCase() === lower));
  if (!field) return undefined;
  if (field.schema.type === 'number') {
    return {
      kind: 'number',
      field,
      read: (i) => (typeof i.custom[field.id] === 'number' ? (i.custom[field.id] as number) : null),
    };
  }
  const optionValue = (id: unknown) =>
    store
      .field(field.id)
      ?.contexts?.flatMap((c) => c.options ?? [])
      .find((o) => o.id === id)
      ?.value.toLowerCase();
  if (field.schema.type === 'option') {
    return { kind: 'option', field, read: (i) => one(optionValue(i.custom[field.id]) ?? null) };
  }
  return {
    kind: 'options',
    field,
    read: (i) => {
      const ids = i.custom[field.id];
      const values = Array.isArray(ids) ? ids.map(optionValue).filter((v): v is string => v !== undefined) : [];
      return values.length ? values : null;
    },
  };
}

const PERIOD = /^-?\d+[wdhm]$/i;
const UNITS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

function parseDate(value: string, now: number): number | undefined {
  if (PERIOD.test(value)) {
    const n = Number.parseInt(value, 10);
    return now + n * (UNITS[value.slice(-1).toLowerCase()] as number);
  }
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{2}):(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
}

function operandValues(operand: Operand): string[] {
  if (operand.kind === 'value') return [operand.value];
  if (operand.kind === 'list') return operand.values.map((v) => v.value);
  return [];
}

function validateTerm(term: Extract<JqlNode, { kind: 'term' }>, store: JiraStore, errors: string[]): void {
  const resolved = resolveField(term.field, store);
  if (!resolved) {
    errors.push(`Field '${term.field}' does not exist or you do not have permission to view it.`);
    return;
  }
  const { operator, operand } = term;
  if (operand.kind === 'function') {
    errors.push(`Unable to find JQL function '${operand.name}(${operand.args.join(', ')})'.`);
    return;
  }
  const listOperator = operator === 'in' || operator === 'not in';
  if (listOperator && operand.kind === 'value') {
    errors.push(`Operator '${operator}' does not support the non-list value '"${operand.value}"' for field '${term.field}'.`);
    return;
  }
  if (!listOperator && operand.kind === 'list') {
    errors.push(`Operator '${operator}' does not support the list value for field '${term.field}'.`);
    return;
  }
  if (!OPERATORS[resolved.kind].includes(operator)) {
    errors.push(`The operator '${operator}' is not supported by the '${term.field}' field.`);
    return;
  }
  for (const value of operandValues(operand)) {
    const lower = value.toLowerCase();
    if (resolved.kind === 'project' && !store.projects.has(value.toUpperCase())) {
      errors.push(`The value '${value}' does not exist for the field '${term.field}'.`);
    } else if (resolved.kind === 'status' && !store.status(value)) {
      errors.push(`The value '${value}' does not exist for the field '${term.field}'.`);
    } else if (resolved.kind === 'priority' && !store.priorities.some((p) => p.toLowerCase() === lower)) {
      errors.push(`The value '${value}' does not exist for the field '${term.field}'.`);
    } else if ((resolved.kind === 'option' || resolved.kind === 'options') && !store.option(resolved.field?.id ?? '', value)) {
      errors.push(`The option '${value}' for field '${resolved.field?.name}' does not exist.`);
    } else if (resolved.kind === 'key' && !store.issue(value)) {
      errors.push(`An issue with key '${value}' does not exist for field '${term.field}'.`);
    } else if (resolved.kind === 'date' && parseDate(value, store.now()) === undefined) {
      errors.push(
        `Date value '${value}' for field '${term.field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
      );
    } else if (resolved.kind === 'number' && Number.isNaN(Number(value))) {
      errors.push(`The value '${value}' is not a valid number for the field '${term.field}'.`);
    }
  }
}

function walk(node: JqlNode, visit: (term: Extract<JqlNode, { kind: 'term' }>) => void): void {
  if (node.kind === 'term') visit(node);
  else if (node.kind === 'not') walk(node.clause, visit);
  else for (const c of node.clauses) walk(c, visit);
}

/** Every validation error of a syntactically valid query, as Jira lists them. */
export function validateQuery(query: JqlQuery, store: JiraStore): string[] {
  const errors: string[] = [];
  if (query.where) walk(query.where, (term) => validateTerm(term, store, errors));
  for (const o of query.orderBy) {
    if (!resolveField(o.field, store)) errors.push(`Field '${o.field}' does not exist or you do not have permission to view it.`);
  }
  return errors;
}

function compare(a: number, op: string, b: number): boolean {
  return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : op === '>=' ? a >= b : op === '=' ? a === b : a !== b;
}

function matchTerm(term: Extract<JqlNode, { kind: 'term' }>, issue: FakeIssue, store: JiraStore): boolean {
  const resolved = resolveField(term.field, store) as Resolved;
  const actual = resolved.read(issue);
  const { operator } = term;
  if (operator === 'is') return actual === null;
  if (operator === 'is not') return actual !== null;
  // Jira's own quirk: a negative clause never matches an issue whose field is empty.
  if (actual === null) return false;
  if (typeof actual === 'number') {
    const values = operandValues(term.operand).map((v) =>
      resolved.kind === 'date' ? (parseDate(v, store.now()) as number) : Number(v),
    );
    if (operator === 'in') return values.includes(actual);
    if (operator === 'not in') return !values.includes(actual);
    if (resolved.kind === 'date' && operator === '=' && /^\d{4}.\d{2}.\d{2}$/.test(operandValues(term.operand)[0] ?? '')) {
      const day = values[0] as number;
      return actual >= day && actual < day + 86_400_000;
    }
    return compare(actual, operator, values[0] as number);
  }
  const wanted = operandValues(term.operand).map((v) => {
    const lower = v.toLowerCase();
    if (resolved.kind === 'status') return store.status(v)?.name.toLowerCase() ?? lower;
    if (resolved.kind === 'option' || resolved.kind === 'options')
      return store.option(resolved.field?.id ?? '', v)?.value.toLowerCase() ?? lower;
    return lower;
  });
  if (operator === '~' || operator === '!~') {
    const words = wanted.join(' ').split(/\s+/).filter(Boolean);
    const hit = words.every((w) => actual.some((a) => a.includes(w)));
    return operator === '~' ? hit : !hit;
  }
  if (resolved.kind === 'key' && ['<', '>', '<=', '>='].includes(operator)) {
    const target = store.issue(wanted[0] ?? '');
    return (
      !!target &&
      target.project === issue.project &&
      compare(Number(issue.key.split('-')[1]), operator, Number(target.key.split('-')[1]))
    );
  }
  if (resolved.kind === 'priority' && ['<', '>', '<=', '>='].includes(operator)) {
    // Jira ranks priorities: "priority > Medium" means more urgent than Medium.
    const rank = (p: string) => store.priorities.findIndex((x) => x.toLowerCase() === p);
    return compare(-rank(actual[0] as string), operator, -rank(wanted[0] ?? ''));
  }
  const hit = actual.some((a) => wanted.includes(a));
  return operator === '=' || operator === 'in' ? hit : !hit;
}

export function matches(node: JqlNode | undefined, issue: FakeIssue, store: JiraStore): boolean {
  if (!node) return true;
  if (node.kind === 'term') return matchTerm(node, issue, store);
  if (node.kind === 'not') return !matches(node.clause, issue, store);
  if (node.kind === 'and') return node.clauses.every((c) => matches(c, issue, store));
  return node.clauses.some((c) => matches(c, issue, store));
}

/** Sorts by the ORDER BY clause; without one, newest first (then by id) as Jira does. */
export function sortIssues(issues: FakeIssue[], orderBy: JqlQuery['orderBy'], store: JiraStore): FakeIssue[] {
  const keys = orderBy.length ? orderBy : [{ field: 'created', direction: 'desc' as const }];
  const sortValue = (issue: FakeIssue, field: string): number | string => {
    const lower = field.toLowerCase();
    if (lower === 'key' || lower === 'issuekey' || lower === 'id') return Number(issue.id);
    // Ranked most urgent first; no priority ranks below Lowest.
    if (lower === 'priority')
      return issue.priority === null ? -store.priorities.length : -store.priorities.indexOf(issue.priority);
    const value = (resolveField(field, store) as Resolved).read(issue);
    return value === null ? '' : typeof value === 'number' ? value : value.join(',');
  };
  return [...issues].sort((a, b) => {
    for (const { field, direction } of keys) {
      const x = sortValue(a, field);
      const y = sortValue(b, field);
      if (x !== y) return (x < y ? -1 : 1) * (direction === 'asc' ? 1 : -1);
    }
    return Number(b.id) - Number(a.id);
  });
}
