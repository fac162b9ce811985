import { okAsync, ResultAsync } from 'neverthrow';
import { type TemplateFile, type TemplateStatusEntry, templateStatus } from '../../core/domain/templates.js';
import type { ServiceError } from '../../ports/errors.js';
import type { Forge, RepoRef } from '../../ports/forge.port.js';

export const SYNC_COMMIT_MESSAGE = 'Sync AI-Implement workflow templates';

/**
 * Writes the rendered templates onto `branch` (the mapping's default branch), one file after
 * another so the first failure stops the sync and is returned as is. Files already current
 * make no commit: `Forge.putFile` is idempotent.
 */
export function syncWorkflowTemplates(
  forge: Forge,
  repo: RepoRef,
  files: readonly TemplateFile[],
  branch: string,
): ResultAsync<void, ServiceError> {
  return files.reduce<ResultAsync<void, ServiceError>>(
    (done, file) => done.andThen(() => forge.putFile(repo, file.path, file.content, SYNC_COMMIT_MESSAGE, branch)),
    okAsync(undefined),
  );
}

/** Reads each expected file from `ref` and compares (core/templates.ts). */
export function readTemplateStatus(
  forge: Forge,
  repo: RepoRef,
  expected: readonly TemplateFile[],
  ref: string,
): ResultAsync<TemplateStatusEntry[], ServiceError> {
  return ResultAsync.combine(
    expected.map((f) => forge.getFile(repo, f.path, ref).map((content) => ({ path: f.path, content }))),
  ).map((actual) => templateStatus(expected, actual));
}
