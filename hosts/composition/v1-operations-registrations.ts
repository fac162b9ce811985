import { tmpdir } from 'node:os';
import { type AwilixContainer, asFunction, asValue } from 'awilix';
import { createModelCatalog, type ModelCatalogOptions } from '../../adapters/models/model-catalog.js';
import { createLiquidEngine } from '../../adapters/templates/liquid.engine.js';
import { createFsWorkspacePool } from '../../adapters/workspaces/fs-workspace-pool.js';
import type { CoreSettings } from '../../core/app/core-settings.js';
import { createAuditService } from '../../core/app/operations/audit.service.js';
import { createConfigOverlayService } from '../../core/app/operations/config-overlay.service.js';
import { createGitContextService } from '../../core/app/operations/git-context.service.js';
import { createModelsService } from '../../core/app/operations/models.service.js';
import { createPeriodicTask } from '../../core/app/operations/periodic-task.js';
import { createPromptTemplatesService } from '../../core/app/operations/prompt-templates.service.js';
import { createWorkspacesService } from '../../core/app/operations/workspaces.service.js';
import {
  DEFAULT_IMPLEMENTATION_TEMPLATE,
  DEFAULT_PLANNING_TEMPLATE,
  REVIEW_TEMPLATE,
} from '../../plugins/steps/shared/prompts.js';
import { createConfigCatalog, withOverlay } from '../config-catalog.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;

/** The built-in prompts, as read-only templates; gap analysis's is its pipeline's implement step. */
function builtInPrompts({ pluginCatalog }: Pick<Cradle, 'pluginCatalog'>) {
  const gap = pluginCatalog.settings('gap-analysis', 'implement') as { template?: unknown } | undefined;
  return [
    {
      id: 'builtin-planning',
      name: 'Planning',
      description: 'The planning prompt (PLANNING.md’s body replaces it)',
      body: DEFAULT_PLANNING_TEMPLATE,
    },
    {
      id: 'builtin-implementation',
      name: 'Implementation',
      description: 'The implementation prompt (WORKFLOW.md’s body replaces it)',
      body: DEFAULT_IMPLEMENTATION_TEMPLATE,
    },
    ...(typeof gap?.template === 'string'
      ? [{ id: 'builtin-gap-analysis', name: 'Gap analysis', description: 'Completing an open pull request', body: gap.template }]
      : []),
    { id: 'builtin-review', name: 'Review', description: 'The post-push review prompt', body: REVIEW_TEMPLATE },
  ];
}

/**
 * The rest of /api/v1: configuration overlay, prompt templates, models, workspaces, git
 * context and the audit trail. `settings` is the configuration as the environment gave it:
 * the catalog keeps that copy, and `applyStoredOverlay` lays the stored overlay over it.
 */
export function registerV1Operations(container: AwilixContainer<Cradle>, settings: CoreSettings): void {
  const started = { ...settings };
  container.register({
    configCatalog: asValue(createConfigCatalog(started, settings)),
    audit: asFunction(createAuditService)
      .singleton()
      .disposer((audit) => audit.dispose()),
    configOverlay: asFunction(createConfigOverlayService).singleton(),
    templateEngine: asFunction(createLiquidEngine).singleton(),
    promptTemplates: asFunction(
      ({
        storage,
        clock,
        templateEngine,
        audit,
        pluginCatalog,
      }: Pick<Cradle, 'storage' | 'clock' | 'templateEngine' | 'audit' | 'pluginCatalog'>) =>
        createPromptTemplatesService({
          storage,
          clock,
          templateEngine,
          audit,
          builtInPrompts: builtInPrompts({ pluginCatalog }),
        }),
    ).singleton(),
    modelCatalog: asFunction(() => createModelCatalog(modelEndpoints(process.env))).singleton(),
    models: asFunction(createModelsService).singleton(),
    workspacePool: asFunction(() => createFsWorkspacePool(process.env.AI_IMPLEMENT_WORKSPACE_DIR || tmpdir())).singleton(),
    workspaces: asFunction(createWorkspacesService).singleton(),
    // Each node frees its own disk (no lease: workspaces are local).
    workspaceSweep: asFunction(({ workspaces, logger }: Pick<Cradle, 'workspaces' | 'logger'>) =>
      createPeriodicTask('workspace sweep', () => workspaces.sweep(), logger),
    ).singleton(),
    gitContext: asFunction(({ storage, forgeRegistry, config }: Pick<Cradle, 'storage' | 'forgeRegistry' | 'config'>) =>
      createGitContextService({ storage, forgeRegistry, config }),
    ).singleton(),
  });
}

/** Lays the stored overlay's restart keys over the settings, before any service reads them. */
export async function applyStoredOverlay(container: AwilixContainer<Cradle>, settings: CoreSettings): Promise<void> {
  const { configCatalog, configOverlay } = container.cradle;
  const started = { ...settings };
  Object.assign(settings, withOverlay(configCatalog, started, await configOverlay.stored()));
}

/** Where the model lists are asked: the providers' own endpoints unless these (read as the SDKs read them) say otherwise. */
function modelEndpoints(env: NodeJS.ProcessEnv): ModelCatalogOptions {
  return {
    ...(env.ANTHROPIC_BASE_URL ? { anthropicBaseUrl: env.ANTHROPIC_BASE_URL } : {}),
    ...(env.AWS_ENDPOINT_URL_BEDROCK ? { bedrockEndpoint: env.AWS_ENDPOINT_URL_BEDROCK } : {}),
  };
}
