import { err, ok } from 'neverthrow';
import { readTemplateStatus, syncWorkflowTemplates } from '../../plugins/workflow-templates/template-sync.js';
import { renderWorkflowTemplates, TEMPLATE_VERSION } from '../../plugins/workflow-templates/workflow-templates.js';
import type { WorkflowTemplates } from '../../ports/workflow-templates.port.js';
import { SESSION_BUNDLE_NOT_BUILT } from '../session-bundle/session-bundle-source.js';

export interface BuiltInWorkflowTemplatesOptions {
  /** The SHA-256 of the session bundle this orchestrator serves; undefined while there is none. */
  sessionBundleSha256: () => string | undefined;
}

/**
 * The built-in workflow templates (plugins/workflow-templates) behind the WorkflowTemplates port,
 * pinned to this orchestrator's session bundle: without one they cannot be rendered.
 */
export function createBuiltInWorkflowTemplates(options: BuiltInWorkflowTemplatesOptions): WorkflowTemplates {
  return {
    version: TEMPLATE_VERSION,
    render(target) {
      const sessionBundleSha256 = options.sessionBundleSha256();
      if (!sessionBundleSha256) return err(SESSION_BUNDLE_NOT_BUILT);
      try {
        return ok(renderWorkflowTemplates(target, { sessionBundleSha256 }));
      } catch (error) {
        return err(error instanceof Error ? error.message : String(error));
      }
    },
    sync: syncWorkflowTemplates,
    read: readTemplateStatus,
  };
}
