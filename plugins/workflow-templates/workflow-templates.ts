import { readFileSync } from 'node:fs';
import type { TemplateFile } from '../../core/domain/templates.js';
import type { TemplateTarget } from '../../ports/workflow-templates.port.js';

/** Bump with any change to a template below, so target repositories show as stale. */
export const TEMPLATE_VERSION = '2';

export const WORKFLOWS_DIR = '.github/workflows';
export const COMMENT_TRIGGER_FILE = 'comment-trigger.yml';

/**
 * The `workflow_dispatch` inputs of the implementation and planning templates, by meaning;
 * a runner dispatching them builds its inputs from these names. `job_id` is the marker that
 * `Forge.findRun` looks for in the run name. `branch` and `pr_number` exist on the
 * implementation template only.
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
} as const;

const URL_PLACEHOLDER = '__AI_IMPLEMENT_URL__';
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

/**
 * The files `sync-workflows` writes into a mapping's repository, and what template-status
 * compares against: the implementation template at the mapping's `workflowFile`, the planning
 * template at its `planningWorkflowFile` when planning is on, and `comment-trigger.yml` with
 * the orchestrator's URL filled in.
 */
export function renderWorkflowTemplates(target: TemplateTarget): TemplateFile[] {
  const url = target.orchestratorUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s"'#]+$/.test(url)) throw new Error(`orchestrator URL is not an http(s) URL: ${target.orchestratorUrl}`);
  const files: TemplateFile[] = [
    { path: `${WORKFLOWS_DIR}/${target.workflowFile}`, content: templateSource('claude-implement.yml') },
  ];
  const planPath = `${WORKFLOWS_DIR}/${target.planningWorkflowFile}`;
  // One file cannot hold both; the implementation template also takes `phase: planning`.
  if (target.planningEnabled && target.planningWorkflowFile && !files.some((f) => f.path === planPath)) {
    files.push({ path: planPath, content: templateSource('claude-plan.yml') });
  }
  files.push({
    path: `${WORKFLOWS_DIR}/${COMMENT_TRIGGER_FILE}`,
    // A JSON string is a valid YAML double-quoted scalar, whatever the URL holds.
    content: templateSource('comment-trigger.yml').replace(URL_PLACEHOLDER, JSON.stringify(url)),
  });
  return files;
}
