/**
 * The admin API reference table of admin-ui-and-api.txt ("Endpoint reference"), with example
 * path parameters, plus the v1 refresh (also under /api, so also admin-guarded).
 */
export const ADMIN_ENDPOINTS: readonly [method: string, path: string][] = [
  ['GET', '/api/mappings'],
  ['POST', '/api/mappings'],
  ['PATCH', '/api/mappings/ENG'],
  ['DELETE', '/api/mappings/ENG'],
  ['POST', '/api/mappings/ENG/sync-workflows'],
  ['POST', '/api/jira/validate-jql'],
  ['GET', '/api/jira/fields'],
  ['GET', '/api/jira/field-options?fieldId=customfield_10050'],
  ['GET', '/api/log'],
  ['GET', '/api/jobs/job-1/steps'],
  ['GET', '/api/issues'],
  ['GET', '/api/pulls'],
  ['GET', '/api/blockers'],
  ['GET', '/api/sessions'],
  ['DELETE', '/api/sessions/machine-1'],
  ['GET', '/api/reaper/summary'],
  ['GET', '/api/reaper/recent'],
  ['GET', '/api/dedup'],
  ['DELETE', '/api/dedup/issue-1'],
  ['GET', '/api/runner-mode'],
  ['POST', '/api/runner-mode'],
  ['GET', '/api/settings'],
  ['POST', '/api/settings'],
  ['GET', '/api/global-secrets'],
  ['POST', '/api/global-secrets'],
  ['DELETE', '/api/global-secrets/MY_TOKEN'],
  ['GET', '/api/mappings/ENG/secrets'],
  ['POST', '/api/mappings/ENG/secrets'],
  ['DELETE', '/api/mappings/ENG/secrets/MY_TOKEN'],
  ['GET', '/api/customizations'],
  ['GET', '/api/pipelines-steps'],
  ['GET', '/api/admin/config-status'],
  ['GET', '/api/admin/template-status'],
  ['POST', '/api/v1/refresh'],
];

/** Every admin route that reads a JSON body. */
export const BODY_ENDPOINTS: readonly [method: string, path: string][] = [
  ['POST', '/api/auth'],
  ...ADMIN_ENDPOINTS.filter(([m]) => m === 'POST' || m === 'PATCH'),
];
