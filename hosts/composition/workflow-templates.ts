import { err, ok } from 'neverthrow';
import { readTemplateStatus, syncWorkflowTemplates } from '../../plugins/workflow-templates/template-sync.js';
import { renderWorkflowTemplates, TEMPLATE_VERSION } from '../../plugins/workflow-templates/workflow-templates.js';
import type { WorkflowTemplates } from '../../ports/workflow-templates.port.js';

/** The built-in workflow templates (plugins/workflow-templates) behind the WorkflowTemplates port. */
export function createBuiltInWorkflowTemplates(): WorkflowTemplates {
  return {
    version: TEMPLATE_VERSION,
    render(target) {
      try {
        return ok(renderWorkflowTemplates(target));
      } catch (error) {
        return err(error instanceof Error ? error.message : String(error));
      }
    },
    sync: syncWorkflowTemplates,
    read: readTemplateStatus,
  };
}
