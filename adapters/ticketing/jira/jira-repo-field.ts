import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import type { JiraCaller } from './jira-client.js';
import type { RawIssue } from './jira-issue.js';

/**
 * The repo field's id (`customfield_10050`), which a search must name in `fields` to return
 * the field's value. The setting may already be an id (`customfield_10050`, `cf[10050]`);
 * a name (`Repo`, `Repo[Select List (single choice)]`) is looked up once per connection in
 * `GET /rest/api/3/field` (through the connection's governed, retried caller) and kept; a failed
 * look-up is asked again next time.
 */
export interface RepoFieldIds {
  learn(): ResultAsync<string, ServiceError>;
}

interface FieldDetails {
  id?: string;
  name?: string;
  clauseNames?: string[];
}

export function idOfRepoFieldSetting(repoField: string): string | undefined {
  const setting = repoField.trim();
  if (/^customfield_\d+$/i.test(setting)) return setting.toLowerCase();
  const cf = /^cf\[(\d+)\]$/i.exec(setting);
  return cf ? `customfield_${cf[1]}` : undefined;
}

const same = (a: string | undefined, b: string) => a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/** The field JQL means by `repoField`: by clause name first (as JQL resolves it), else by name without a `[type]` suffix. */
export function findRepoField(fields: readonly FieldDetails[], repoField: string): string | undefined {
  const byClause = fields.find((f) => f.clauseNames?.some((c) => same(c, repoField)));
  const bare = repoField.replace(/\[[^\]]*\]\s*$/, '');
  return (byClause ?? fields.find((f) => same(f.name, bare)))?.id;
}

export function createRepoFieldIds(jira: JiraCaller, repoField: string): RepoFieldIds {
  const given = idOfRepoFieldSetting(repoField);
  if (given !== undefined) return { learn: () => okAsync(given) };
  /** The look-up in flight or done; dropped when it failed, so the next cycle asks again. */
  let asked: ResultAsync<string, ServiceError> | undefined;
  const lookUp = (): ResultAsync<string, ServiceError> =>
    jira
      .call((c) => c.issueFields.getFields<FieldDetails[]>())
      .andThen((fields) => {
        const id = findRepoField(Array.isArray(fields) ? fields : [], repoField);
        return id
          ? okAsync(id)
          : errAsync<string, ServiceError>({
              kind: 'invalid',
              message: `Jira has no field named "${repoField}" (the repo field setting)`,
            });
      })
      .orElse((error) => {
        asked = undefined;
        return errAsync(error);
      });
  return {
    learn: () => {
      asked ??= lookUp();
      return asked;
    },
  };
}

/** An issue's value(s) of a field as text: a text field, a select option (`value`), a user or version (`name`), or a list of them. */
export function fieldValues(raw: RawIssue, fieldId: string): string[] {
  const value = (raw.fields as Record<string, unknown> | undefined)?.[fieldId];
  const text = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (v && typeof v === 'object') {
      const o = v as { value?: unknown; name?: unknown };
      if (typeof o.value === 'string') return o.value;
      if (typeof o.name === 'string') return o.name;
    }
    return undefined;
  };
  const list = Array.isArray(value) ? value : [value];
  return list.map(text).filter((v): v is string => v !== undefined);
}
