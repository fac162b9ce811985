import { jiraStatusForStage, STAGES } from '../../../core/domain/lifecycle.js';
import type { Mapping } from '../../../core/domain/model.js';

/**
 * The JQL of a Jira mapping's candidates:
 *
 *   (<mapping.jql>) AND <repo field> = "<mapping.repoFieldValue>"
 *     AND status in ("Ready", …, "Implementation Failed") ORDER BY created ASC, key ASC
 *
 * - Without `mapping.jql` the scope is the project named by the mapping's team key
 *   (`project = "<teamKey>"`). An ORDER BY inside the mapping's clause is dropped: it cannot sit
 *   inside parentheses, and the order of candidates is the planner's business.
 * - The repo field is named by the adapter's `repoField` option (default `Repo`): a field name
 *   as JQL knows it (`Repo`, `Repo[Select List (single choice)]`), which is quoted, or a field id
 *   (`customfield_10050` or `cf[10050]`), which is written as `cf[10050]` so a renamed field
 *   keeps working. Without `mapping.repoFieldValue` no repo clause is added.
 * - The trigger on Jira is the `Ready` status; every later lifecycle status stays in scope so
 *   issues in flight count toward the mapping's cap.
 */

export const DEFAULT_REPO_FIELD = 'Repo';

export const LIFECYCLE_STATUSES: readonly string[] = STAGES.map(jiraStatusForStage);

/** A JQL string literal. */
export const jqlString = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`;

export function repoFieldClause(repoField: string): string {
  const id = /^customfield_(\d+)$/i.exec(repoField.trim());
  if (id) return `cf[${id[1]}]`;
  if (/^cf\[\d+\]$/i.test(repoField.trim())) return repoField.trim();
  return jqlString(repoField.trim());
}

/** Removes a top-level `ORDER BY …` (outside quotes) from a JQL clause. */
export function withoutOrderBy(jql: string): string {
  let quote: string | undefined;
  for (let i = 0; i < jql.length; i++) {
    const c = jql[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (/^order\s+by\b/i.test(jql.slice(i)) && (i === 0 || /[\s)]/.test(jql[i - 1] as string))) {
      return jql.slice(0, i).trim();
    }
  }
  return jql.trim();
}

/** Which issues a mapping covers, whatever their status. */
export function scopeJql(mapping: Mapping, repoField: string): string {
  const clause = withoutOrderBy(mapping.jql ?? '');
  const parts = [clause ? `(${clause})` : `project = ${jqlString(mapping.teamKey)}`];
  if (mapping.repoFieldValue) parts.push(`${repoFieldClause(repoField)} = ${jqlString(mapping.repoFieldValue)}`);
  return parts.join(' AND ');
}

export function candidatesJql(mapping: Mapping, repoField: string): string {
  return `${scopeJql(mapping, repoField)} AND status in (${LIFECYCLE_STATUSES.map(jqlString).join(', ')}) ORDER BY created ASC, key ASC`;
}

const PROJECT_ONLY = /^project\s*=\s*("?)([A-Za-z][A-Za-z0-9_]*)\1$/i;

/**
 * The one project a mapping's scope names, when its JQL is just `project = KEY` (or it has no
 * JQL: the team key's project), so its issues can be told apart by their project key; any
 * other JQL: undefined (only Jira can say which issues it matches).
 */
export function projectOfScope(mapping: Mapping): string | undefined {
  const clause = withoutOrderBy(mapping.jql ?? '');
  if (!clause) return mapping.teamKey.toUpperCase();
  return PROJECT_ONLY.exec(clause)?.[2]?.toUpperCase();
}

/**
 * One search for several project-scoped mappings of one site, each on its own project:
 *   ((project = A AND <repo> = "x") OR (project = "B")) AND status in (…) ORDER BY …
 * Each issue's project key names its one mapping.
 */
export function combinedCandidatesJql(mappings: readonly Mapping[], repoField: string): string {
  const scopes = mappings.map((m) => `(${scopeJql(m, repoField)})`).join(' OR ');
  return `(${scopes}) AND status in (${LIFECYCLE_STATUSES.map(jqlString).join(', ')}) ORDER BY created ASC, key ASC`;
}

/** Issues in the trigger status (`Ready`) that no mapping's scope covers: the Blockers view's `no-mapping`. */
export function unmappedJql(mappings: readonly Mapping[], repoField: string): string {
  const trigger = `status = ${jqlString(jiraStatusForStage('triggered'))}`;
  const outside = mappings.map((m) => `NOT (${scopeJql(m, repoField)})`);
  return `${[trigger, ...outside].join(' AND ')} ORDER BY created DESC, key DESC`;
}

/** The scope clause without its repo clause, as the search sends it (what identical scopes are compared by). */
function bareScope(mapping: Mapping): string {
  const clause = withoutOrderBy(mapping.jql ?? '');
  return clause ? `(${clause})` : `project = ${jqlString(mapping.teamKey)}`;
}

/** Two mappings whose scopes are written alike (whitespace aside) cover the same issues. */
const scopeKey = (mapping: Mapping): string => {
  const project = projectOfScope(mapping);
  return project ? `project:${project}` : `jql:${withoutOrderBy(mapping.jql ?? '').replace(/\s+/g, ' ')}`;
};

/**
 * How a site's mappings are searched, one search per group (a group of one is searched alone):
 * - mappings with the same scope, each with a repo field value: one search, split by each
 *   issue's repo field value;
 * - mappings each on a project of its own (`project = KEY`): one search, split by project key;
 * - any other (its own JQL, or a shared scope without a repo field value): alone.
 */
export function listingGroups(mappings: readonly Mapping[]): Mapping[][] {
  const byScope = new Map<string, Mapping[]>();
  for (const m of mappings) byScope.set(scopeKey(m), [...(byScope.get(scopeKey(m)) ?? []), m]);
  const groups: Mapping[][] = [];
  const projects: Mapping[] = [];
  for (const same of byScope.values()) {
    if (same.length === 1) {
      if (projectOfScope(same[0] as Mapping) !== undefined) projects.push(same[0] as Mapping);
      else groups.push(same);
      continue;
    }
    const valued = same.filter((m) => m.repoFieldValue);
    if (valued.length > 0) groups.push(valued);
    for (const m of same) if (!m.repoFieldValue) groups.push([m]);
  }
  return projects.length > 0 ? [projects, ...groups] : groups;
}

/** Whether a group (of `listingGroups`) shares one scope, told apart by repo field value. */
export const sharesScope = (group: readonly Mapping[]): boolean =>
  group.length > 1 && group.every((m) => m.repoFieldValue && scopeKey(m) === scopeKey(group[0] as Mapping));

/**
 * One search for several mappings of one scope told apart by their repo field value:
 *   (<scope>) AND <repo> in ("api", "web") AND status in (…) ORDER BY …
 */
export function sharedScopeCandidatesJql(mappings: readonly Mapping[], repoField: string): string {
  const values = [...new Set(mappings.map((m) => m.repoFieldValue ?? ''))].map(jqlString).join(', ');
  const scope = bareScope(mappings[0] as Mapping);
  return `${scope} AND ${repoFieldClause(repoField)} in (${values}) AND status in (${LIFECYCLE_STATUSES.map(jqlString).join(', ')}) ORDER BY created ASC, key ASC`;
}
