import { err, ok, type Result } from 'neverthrow';
import type { Forge } from '../../../ports/forge.port.js';
import type { Storage } from '../../../ports/storage.port.js';
import type { WorkflowTemplates } from '../../../ports/workflow-templates.port.js';
import type { ForgeKind, Mapping } from '../../domain/model.js';
import { overallTemplateStatus, type TemplateFile, type TemplateStatusEntry } from '../../domain/templates.js';
import { describeMissingForge } from '../pulls/forge-registry.js';
import type { AuditService } from './audit.service.js';
import { answerWithin, formatDeadline, OPERATOR_CALL_DEADLINE_MS } from './operator-deadline.js';

export interface TemplatesDeps {
  storage: Storage;
  config: { publicUrl: string };
  /** The forge adapter for a mapping's `forge`, or undefined when it has no connection configured. */
  forgeFor: (kind: ForgeKind) => Forge | undefined;
  /** What the repositories should hold (the built-in templates unless an embedder brings others). */
  workflowTemplates: WorkflowTemplates;
  /** Each sync is an audit entry. */
  audit: Pick<AuditService, 'record'>;
  /** How long `status` waits on a repository's forge before it says `unknown` (default OPERATOR_CALL_DEADLINE_MS). */
  deadlineMs?: number;
}

export type TemplatesError = { kind: 'teamNotFound' } | { kind: 'requestFailed'; message: string };

export interface SyncResult {
  teamKey: string;
  repository: string;
  branch: string;
  files: string[];
  templateVersion: string;
}

export interface RepositoryTemplateStatus {
  teamKey: string;
  owner: string;
  repo: string;
  repository: string;
  branch: string;
  /** `unknown` when the repository could not be read (`error` says why). */
  status: TemplateStatusEntry['status'] | 'unknown';
  files: TemplateStatusEntry[];
  error?: string;
}

export interface TemplateStatusReport {
  templateVersion: string;
  /** Mappings whose repository needs a sync (a file stale or missing): the Overview's count. */
  stale: number;
  /** Mappings whose repository could not be read. */
  unknown: number;
  repositories: RepositoryTemplateStatus[];
}

export interface TemplatesService {
  /** Writes the rendered templates onto the mapping's default branch (POST …/sync-workflows). */
  sync(teamKey: string): Promise<Result<SyncResult, TemplatesError>>;
  /** Per mapping: each template file current / stale / missing, and one word for the repository. */
  status(): Promise<TemplateStatusReport>;
}

/**
 * Workflow templates in the mappings' repositories. Rendering needs `PUBLIC_URL` (the comment
 * trigger calls it back), so a changed URL shows every repository as stale until re-synced.
 */
export function createTemplatesService({
  storage,
  config,
  forgeFor,
  workflowTemplates,
  audit,
  deadlineMs = OPERATOR_CALL_DEADLINE_MS,
}: TemplatesDeps): TemplatesService {
  const render = (mapping: Mapping): Result<TemplateFile[], string> =>
    workflowTemplates.render({ ...mapping, orchestratorUrl: config.publicUrl });

  async function statusOf(mapping: Mapping): Promise<RepositoryTemplateStatus> {
    const base = {
      teamKey: mapping.teamKey,
      owner: mapping.owner,
      repo: mapping.repo,
      repository: `${mapping.owner}/${mapping.repo}`,
      branch: mapping.defaultBranch,
    };
    const forge = forgeFor(mapping.forge);
    const files = render(mapping);
    if (!forge || files.isErr()) {
      return {
        ...base,
        status: 'unknown',
        files: [],
        error: forge ? files._unsafeUnwrapErr() : describeMissingForge(mapping.forge),
      };
    }
    const read = Promise.resolve(
      workflowTemplates.read(forge, { owner: mapping.owner, repo: mapping.repo }, files.value, mapping.defaultBranch),
    );
    // An operator waits on this (GET /api/templates): a hung forge is `unknown`, not a stall.
    return answerWithin(
      read.then((result) =>
        result.match(
          (entries): RepositoryTemplateStatus => ({ ...base, status: overallTemplateStatus(entries), files: entries }),
          (e): RepositoryTemplateStatus => ({ ...base, status: 'unknown', files: [], error: e.message }),
        ),
      ),
      deadlineMs,
      () => ({ ...base, status: 'unknown' as const, files: [], error: `no answer within ${formatDeadline(deadlineMs)}` }),
    );
  }

  return {
    async sync(teamKey) {
      const mapping = await storage.mappings.get(teamKey);
      if (!mapping) return err({ kind: 'teamNotFound' });
      const forge = forgeFor(mapping.forge);
      if (!forge) return err({ kind: 'requestFailed', message: describeMissingForge(mapping.forge) });
      const files = render(mapping);
      if (files.isErr()) return err({ kind: 'requestFailed', message: files.error });
      const repo = { owner: mapping.owner, repo: mapping.repo };
      const synced = await workflowTemplates.sync(forge, repo, files.value, mapping.defaultBranch);
      if (synced.isErr()) return err({ kind: 'requestFailed', message: synced.error.message });
      const result = {
        teamKey: mapping.teamKey,
        repository: `${mapping.owner}/${mapping.repo}`,
        branch: mapping.defaultBranch,
        files: files.value.map((f) => f.path),
        templateVersion: workflowTemplates.version,
      };
      const { repository, ...detail } = result;
      await audit.record({ actor: 'operator', action: 'workflows.synced', teamKey, target: repository, detail });
      return ok(result);
    },

    async status() {
      // Only GitHub Actions reads workflow templates: a local-forge repository has none to be stale.
      const mappings = (await storage.mappings.list())
        .filter((m) => m.forge === 'github')
        .sort((a, b) => a.teamKey.localeCompare(b.teamKey));
      const repositories = await Promise.all(mappings.map(statusOf));
      return {
        templateVersion: workflowTemplates.version,
        stale: repositories.filter((r) => r.status === 'stale' || r.status === 'missing').length,
        unknown: repositories.filter((r) => r.status === 'unknown').length,
        repositories,
      };
    },
  };
}
