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

/**
 * Every endpoint of v1-api-state-issues-config.txt under /api (so admin-guarded), with example
 * path parameters; /metrics and /webhooks/linear sit outside /api and have their own rules.
 */
export const V1_ENDPOINTS: readonly [method: string, path: string][] = [
  ['GET', '/api/v1/state'],
  ['GET', '/api/v1/runtime'],
  ['POST', '/api/v1/refresh'],
  ['GET', '/api/v1/transitions'],
  ['GET', '/api/v1/events'],
  ['GET', '/api/v1/models'],
  ['GET', '/api/v1/ENG-123'],
  ['POST', '/api/v1/ENG-123/abort'],
  ['POST', '/api/v1/ENG-123/model'],
  ['POST', '/api/v1/ENG-123/steer'],
  ['POST', '/api/v1/ENG-123/template'],
  ['DELETE', '/api/v1/ENG-123/template'],
  ['POST', '/api/v1/ENG-123/transition'],
  ['GET', '/api/v1/ENG-123/attempts'],
  ['GET', '/api/v1/attempts/attempt-1'],
  ['GET', '/api/v1/config'],
  ['GET', '/api/v1/config/schema'],
  ['GET', '/api/v1/config/overlay'],
  ['PUT', '/api/v1/config/overlay'],
  ['DELETE', '/api/v1/config/overlay/POLL_INTERVAL_MS'],
  ['GET', '/api/v1/secrets'],
  ['POST', '/api/v1/secrets/MY_TOKEN'],
  ['DELETE', '/api/v1/secrets/MY_TOKEN'],
  ['GET', '/api/v1/templates'],
  ['GET', '/api/v1/templates/builtin-planning'],
  ['POST', '/api/v1/templates'],
  ['PUT', '/api/v1/templates/my-template'],
  ['DELETE', '/api/v1/templates/my-template'],
  ['POST', '/api/v1/templates/builtin-planning/preview'],
  ['GET', '/api/v1/workspaces'],
  ['DELETE', '/api/v1/workspaces/ai-implement-ENG-123-abcdef'],
  ['GET', '/api/v1/git/context'],
  ['GET', '/api/v1/audit?limit=50&offset=0'],
  ['GET', '/api/v1/openapi.json'],
];
