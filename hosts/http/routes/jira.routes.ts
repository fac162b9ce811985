import { getQuery, type H3 } from 'h3';
import { isPlainObject } from '../../../core/domain/mappings.js';
import type { JiraAdminService } from '../../../adapters/ticketing/jira/jira-admin.service.js';
import { readJson } from '../body.js';
import { errorResponse, json } from '../errors.js';

export interface JiraRoutesDeps {
  jiraAdmin: JiraAdminService;
}

/** Jira configuration helpers for the Projects stepper (spec "Jira configuration"). */
export function jiraRoutes(app: H3, { jiraAdmin }: JiraRoutesDeps): void {
  app.post('/api/jira/validate-jql', async (event) => {
    const body = await readJson(event);
    if (body.isErr())
      return errorResponse(body.error.kind === 'tooLarge' ? body.error : { kind: 'invalidBody', message: 'Invalid JSON body' });
    const jql = isPlainObject(body.value) ? body.value.jql : undefined;
    if (typeof jql !== 'string' || jql.trim() === '') return errorResponse({ kind: 'invalid', message: 'jql field required' });
    return (await jiraAdmin.validateJql(jql)).match((result) => json(result), errorResponse);
  });

  app.get('/api/jira/fields', async () => (await jiraAdmin.listFields()).match((fields) => json({ fields }), errorResponse));

  app.get('/api/jira/field-options', async (event) => {
    const { fieldId } = getQuery(event);
    if (typeof fieldId !== 'string' || fieldId.trim() === '')
      return errorResponse({ kind: 'invalid', message: 'fieldId query param required' });
    return (await jiraAdmin.listFieldOptions(fieldId.trim())).match((options) => json({ options }), errorResponse);
  });
}
