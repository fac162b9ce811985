import { z } from 'zod';
import { JIRA_NOT_CONFIGURED, type JiraAdminService } from '../../../adapters/ticketing/jira/jira-admin.service.js';
import { routesFor } from '../route.js';

export interface JiraRoutesDeps {
  jiraAdmin: JiraAdminService;
}

const JQL_REQUIRED = 'jql field required';
const FIELD_ID_REQUIRED = 'fieldId query param required';
/** Text with something in it besides blanks; one message for every way it is missing. */
const required = (message: string) => z.string({ error: message }).regex(/\S/, { error: message });

const FAILED = [
  { kind: 'requestFailed', message: '(underlying error message)' },
  { kind: 'notConfigured', message: JIRA_NOT_CONFIGURED },
] as const;
const route = routesFor<JiraRoutesDeps>();

/** Jira configuration helpers for the Projects stepper (spec "Jira configuration"). */
export const jiraRoutes = [
  route({
    method: 'post',
    path: '/api/jira/validate-jql',
    operationId: 'validateJql',
    tag: 'Jira',
    summary: 'Validate a JQL clause',
    body: {
      schema: z.object({ jql: required(JQL_REQUIRED) }, { error: JQL_REQUIRED }),
      notJson: { kind: 'invalidBody', message: 'Invalid JSON body' },
    },
    responses: { 200: z.object({ valid: z.literal(true) }) },
    errors: [
      { kind: 'invalidBody', message: 'Invalid JSON body' },
      { kind: 'invalid', message: JQL_REQUIRED },
      { kind: 'invalid', message: '(validation message)' },
      ...FAILED,
    ],
    handler: async ({ body }, { jiraAdmin }) => jiraAdmin.validateJql(body.jql),
  }),
  route({
    method: 'get',
    path: '/api/jira/fields',
    operationId: 'jiraFields',
    tag: 'Jira',
    summary: 'List Jira fields',
    responses: {
      200: z.object({
        fields: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            type: z.string().describe('Jira’s schema type: option, array, number, string, …'),
            customType: z.string().optional(),
            clauseNames: z.array(z.string()).describe('The names JQL accepts for the field'),
          }),
        ),
      }),
    },
    errors: FAILED,
    handler: async (_input, { jiraAdmin }) => (await jiraAdmin.listFields()).map((fields) => ({ fields })),
  }),
  route({
    method: 'get',
    path: '/api/jira/field-options',
    operationId: 'jiraFieldOptions',
    tag: 'Jira',
    summary: 'The options of a Jira field (an empty list when it has none)',
    query: z.object({ fieldId: required(FIELD_ID_REQUIRED).trim().describe('The Jira field id') }),
    responses: {
      200: z.object({ options: z.array(z.object({ id: z.string(), value: z.string(), disabled: z.boolean() })) }),
    },
    errors: [{ kind: 'invalid', message: FIELD_ID_REQUIRED }, ...FAILED],
    handler: async ({ query }, { jiraAdmin }) =>
      (await jiraAdmin.listFieldOptions(query.fieldId)).map((options) => ({ options })),
  }),
];
