import type { Result, ResultAsync } from 'neverthrow';
import type { Mapping } from '../core/domain/model.js';
import type { TemplateFile, TemplateStatusEntry } from '../core/domain/templates.js';
import type { ServiceError } from './errors.js';
import type { Forge, RepoRef } from './forge.port.js';

/** What the templates of one mapping are rendered for. */
export interface TemplateTarget extends Pick<Mapping, 'workflowFile' | 'planningEnabled' | 'planningWorkflowFile'> {
  /** `PUBLIC_URL`: where the comment trigger reaches the orchestrator. */
  orchestratorUrl: string;
}

/**
 * WorkflowTemplates — the GitHub Actions workflow files a mapping's repository needs for the
 * GitHub Actions runner (the built-in ones live in plugins/workflow-templates).
 * - `version` is the templates' version, stamped on the first line of every file.
 * - `render` is pure: the files for one mapping, or why they cannot be rendered (an
 *   orchestrator URL that is not http(s)).
 * - `sync` writes the files onto `branch` one after another; the first failure stops it and is
 *   returned as is; a file already current makes no commit.
 * - `read` reads each expected file at `ref` and says whether it is current, stale or missing.
 */
export interface WorkflowTemplates {
  readonly version: string;
  render(target: TemplateTarget): Result<TemplateFile[], string>;
  sync(forge: Forge, repo: RepoRef, files: readonly TemplateFile[], branch: string): ResultAsync<void, ServiceError>;
  read(
    forge: Forge,
    repo: RepoRef,
    expected: readonly TemplateFile[],
    ref: string,
  ): ResultAsync<TemplateStatusEntry[], ServiceError>;
}
