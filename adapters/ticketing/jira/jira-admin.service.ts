import { err, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import type { ServiceError } from '../../../ports/errors.js';
import { createJiraCaller, type JiraCaller, type JiraConnection } from './jira-client.js';

/**
 * What the admin's Jira screens need before a mapping is saved: is this JQL clause valid, which
 * custom fields exist (to pick the repo field), and which options a select field offers (to
 * pick the repo-field value). Spec: error-codes-comments-statuses-lifecycle.txt, "Jira
 * configuration". The route maps each error kind once:
 * - `notConfigured` → 501 `Jira not configured` (no JIRA_HOST / JIRA_EMAIL / JIRA_API_TOKEN);
 * - `invalid` → 400 with Jira's validation message;
 * - `requestFailed` → 500 with the underlying message.
 */

export interface JiraAdminDeps {
  /** The Jira connection, or undefined when none is configured. */
  jira: JiraConnection | undefined;
}

export const JIRA_NOT_CONFIGURED = 'Jira not configured';

export type JiraAdminError =
  | { kind: 'notConfigured'; message: typeof JIRA_NOT_CONFIGURED }
  | { kind: 'invalid'; message: string }
  | { kind: 'requestFailed'; message: string };

export interface JiraFieldSummary {
  id: string;
  name: string;
  /** Jira's schema type: `option` (single select), `array` (multi select, labels…), `number`, `string`, … */
  type: string;
  /** The custom field type's short key (`select`, `multiselect`, `float`…), when Jira gives one. */
  customType?: string;
  /** The names JQL accepts for the field (`cf[10050]`, `Repo`, `Repo[Dropdown]`…). */
  clauseNames: string[];
}

export interface JiraFieldOption {
  id: string;
  value: string;
  disabled: boolean;
}

export interface JiraAdminService {
  validateJql(jql: string): Promise<Result<{ valid: true }, JiraAdminError>>;
  /** The instance's custom fields, by name. */
  listFields(): Promise<Result<JiraFieldSummary[], JiraAdminError>>;
  /** The options of a select-like field across its contexts; empty for a field without options. */
  listFieldOptions(fieldId: string): Promise<Result<JiraFieldOption[], JiraAdminError>>;
}

interface RawField {
  id?: string;
  name?: string;
  custom?: boolean;
  clauseNames?: string[];
  schema?: { type?: string; custom?: string };
}

interface Page<T> {
  values?: T[];
  isLast?: boolean;
  startAt?: number;
  total?: number;
}

const PAGE = 100;
/**
 * Only custom fields have selectable options (contexts with options); jira.js puts the id into
 * the URL path as it is, so nothing else is ever sent.
 */
const CUSTOM_FIELD_ID = /^customfield_\d{1,18}$/;

const failed = (error: ServiceError): JiraAdminError => ({ kind: 'requestFailed', message: error.message });

/** Follows a `startAt` paged listing to its end. */
function allPages<T>(
  fetch: (startAt: number) => ResultAsync<Page<T>, ServiceError>,
  startAt = 0,
  acc: T[] = [],
): ResultAsync<T[], ServiceError> {
  return fetch(startAt).andThen((page) => {
    const values = [...acc, ...(page.values ?? [])];
    const done = page.isLast !== false || (page.values ?? []).length === 0;
    return done ? okAsync(values) : allPages(fetch, startAt + (page.values ?? []).length, values);
  });
}

export function createJiraAdminService({ jira }: JiraAdminDeps): JiraAdminService {
  const caller: JiraCaller | undefined = jira ? createJiraCaller(jira) : undefined;
  const notConfigured = err<never, JiraAdminError>({ kind: 'notConfigured', message: JIRA_NOT_CONFIGURED });

  /** A select's options in one context; Jira answers 400 for a field type without options. */
  const contextOptions = (j: JiraCaller, fieldId: string, contextId: string) =>
    allPages((startAt) =>
      j.call((c) =>
        c.issueCustomFieldOptions.getOptionsForContext<Page<JiraFieldOption>>({
          fieldId,
          contextId: Number(contextId),
          startAt,
          maxResults: PAGE,
        }),
      ),
    ).orElse((error) => (error.kind === 'invalid' ? okAsync<JiraFieldOption[], ServiceError>([]) : err(error)));

  return {
    async validateJql(jql) {
      if (!caller) return notConfigured;
      const parsed = await caller.call((c) =>
        c.jql.parseJqlQueries<{ queries?: { errors?: string[] }[] }>({ queries: [jql], validation: 'strict' }),
      );
      if (parsed.isErr()) return err(failed(parsed.error));
      const errors = parsed.value.queries?.[0]?.errors ?? [];
      return errors.length ? err({ kind: 'invalid', message: errors.join(' ') }) : ok({ valid: true });
    },

    async listFields() {
      if (!caller) return notConfigured;
      const fields = await caller.call((c) => c.issueFields.getFields<RawField[]>());
      if (fields.isErr()) return err(failed(fields.error));
      return ok(
        fields.value
          .filter((f): f is RawField & { id: string; name: string } => f.custom === true && !!f.id && !!f.name)
          .map((f) => {
            const summary: JiraFieldSummary = {
              id: f.id,
              name: f.name,
              type: f.schema?.type ?? 'unknown',
              clauseNames: f.clauseNames ?? [],
            };
            const customType = f.schema?.custom?.split(':').pop();
            if (customType) summary.customType = customType;
            return summary;
          })
          .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
      );
    },

    async listFieldOptions(fieldId) {
      const j = caller;
      if (!j) return notConfigured;
      // A system field (`summary`, `labels`) or anything that is not a field id has no selectable
      // options: an empty list, as for a custom field without options (spec "Jira configuration").
      if (!CUSTOM_FIELD_ID.test(fieldId)) return ok([]);
      const options = await allPages((startAt) =>
        j.call((c) =>
          c.issueCustomFieldContexts.getContextsForField<Page<{ id: string }>>({ fieldId, startAt, maxResults: PAGE }),
        ),
      ).andThen((contexts) =>
        contexts.reduce<ResultAsync<JiraFieldOption[], ServiceError>>(
          (acc, context) => acc.andThen((sofar) => contextOptions(j, fieldId, context.id).map((more) => [...sofar, ...more])),
          okAsync([]),
        ),
      );
      if (options.isErr()) return err(failed(options.error));
      // A value offered in several contexts is one choice for the admin.
      const seen = new Set<string>();
      return ok(
        options.value
          .filter((o) => !seen.has(o.value) && seen.add(o.value))
          .map((o) => ({ id: String(o.id), value: o.value, disabled: o.disabled === true })),
      );
    },
  };
}
