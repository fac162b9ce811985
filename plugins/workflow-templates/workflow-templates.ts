import { readFileSync } from 'node:fs';
import type { TemplateFile } from '../../core/domain/templates.js';
import type { TemplateTarget } from '../../ports/workflow-templates.port.js';

/** Bump with any change to a template below, so target repositories show as stale. */
export const TEMPLATE_VERSION = '4';

export const WORKFLOWS_DIR = '.github/workflows';
export const COMMENT_TRIGGER_FILE = 'comment-trigger.yml';

/**
 * The `workflow_dispatch` inputs of the implementation and planning templates, by meaning;
 * a runner dispatching them builds its inputs from these names. `job_id` is the marker that
 * `Forge.findRun` looks for in the run name. `branch` and `pr_number` exist on the
 * implementation template only. `run_caps` is one JSON object of the run caps and budget
 * (`AI_IMPLEMENT_MAX_*` by name): GitHub allows 10 inputs, and the implementation template
 * declares all 10.
 */
export const WORKFLOW_INPUTS = {
  jobId: 'job_id',
  phase: 'phase',
  issueIdentifier: 'issue_identifier',
  callbackUrl: 'callback_url',
  resultToken: 'result_token',
  progressToken: 'progress_token',
  nonce: 'nonce',
  branch: 'branch',
  prNumber: 'pr_number',
  runCaps: 'run_caps',
} as const;

const URL_PLACEHOLDER = '__AI_IMPLEMENT_URL__';
const SESSION_SHA256_PLACEHOLDER = '__AI_IMPLEMENT_SESSION_SHA256__';
const cache = new Map<string, string>();

/** The template as shipped, before rendering. */
export function templateSource(name: 'claude-implement.yml' | 'claude-plan.yml' | 'comment-trigger.yml'): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export type { TemplateTarget };

/** What a rendering pins besides the mapping: the session bundle the dispatched jobs may run. */
export interface TemplatePins {
  /** Hex SHA-256 of the session bundle (`GET /runner/session-bundle`); a job refuses any other. */
  sessionBundleSha256: string;
}

/**
 * The files `sync-workflows` writes into a mapping's repository, and what template-status
 * compares against: the implementation template at the mapping's `workflowFile`, the planning
 * template at its `planningWorkflowFile` when planning is on, and `comment-trigger.yml` with
 * the orchestrator's URL filled in. The dispatched templates carry the session bundle's
 * SHA-256, so a new bundle makes them stale.
 */
export function renderWorkflowTemplates(target: TemplateTarget, pins: TemplatePins): TemplateFile[] {
  const url = target.orchestratorUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s"'#]+$/.test(url)) throw new Error(`orchestrator URL is not an http(s) URL: ${target.orchestratorUrl}`);
  if (!/^[0-9a-f]{64}$/.test(pins.sessionBundleSha256))
    throw new Error(`session bundle SHA-256 is not 64 hex digits: ${pins.sessionBundleSha256}`);
  const dispatched = (name: 'claude-implement.yml' | 'claude-plan.yml') =>
    templateSource(name).replace(SESSION_SHA256_PLACEHOLDER, pins.sessionBundleSha256);
  const files: TemplateFile[] = [
    { path: `${WORKFLOWS_DIR}/${target.workflowFile}`, content: dispatched('claude-implement.yml') },
  ];
  const planPath = `${WORKFLOWS_DIR}/${target.planningWorkflowFile}`;
  // One file cannot hold both; the implementation template also takes `phase: planning`.
  if (target.planningEnabled && target.planningWorkflowFile && !files.some((f) => f.path === planPath)) {
    files.push({ path: planPath, content: dispatched('claude-plan.yml') });
  }
  files.push({
    path: `${WORKFLOWS_DIR}/${COMMENT_TRIGGER_FILE}`,
    // A JSON string is a valid YAML double-quoted scalar, whatever the URL holds.
    content: templateSource('comment-trigger.yml').replace(URL_PLACEHOLDER, JSON.stringify(url)),
  });
  return files;
}
