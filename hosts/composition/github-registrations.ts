import { type AwilixContainer, asFunction, asValue } from 'awilix';
import { createGithubWebhookVerifier } from '../../adapters/forge/github/github-webhook.verifier.js';
import { createGapFillService } from '../../core/app/dispatch/gap-fill.service.js';
import { createGithubIssuesWebhookService } from '../../core/app/issues/github-issues-webhook.service.js';
import { createConfigStatusService } from '../../core/app/operations/config-status.service.js';
import { createTemplatesService } from '../../core/app/operations/templates.service.js';
import { createGithubWebhookService } from '../../core/app/pulls/github-webhook.service.js';
import { createPullViewService } from '../../core/app/pulls/pull-view.service.js';
import { createPullsService } from '../../core/app/pulls/pulls.service.js';
import { secretValues } from '../logger.js';
import { agentSandboxStatus } from './agent-sandbox-status.js';
import type { OrchestratorCradle } from './cradle.js';
import { createBuiltInWorkflowTemplates } from './workflow-templates.js';

type Cradle = OrchestratorCradle;
type PullsKeys = 'config' | 'storage' | 'clock' | 'logger' | 'eventBus' | 'ticketingRegistry';

/**
 * The GitHub side of the container: pull-request tracking, the GitHub webhook, the gap-fill
 * trigger, workflow templates and the environment checks. Forges come from `forgeRegistry`.
 */
export function registerGithub(container: AwilixContainer<Cradle>): void {
  container.register({
    pulls: asFunction(({ config, storage, clock, logger, eventBus, ticketingRegistry }: Pick<Cradle, PullsKeys>) =>
      createPullsService({ secrets: secretValues(config), storage, clock, logger, eventBus, ticketingRegistry }),
    )
      .singleton()
      .disposer((pulls) => pulls.stop()),
    pullView: asFunction(createPullViewService).singleton(),
    githubWebhookVerifier: asFunction(createGithubWebhookVerifier).singleton(),
    githubWebhook: asFunction(createGithubWebhookService).singleton(),
    githubIssuesWebhook: asFunction(createGithubIssuesWebhookService).singleton(),
    gapFill: asFunction(createGapFillService).singleton(),
    templates: asFunction(
      ({
        storage,
        config,
        forgeRegistry,
        sessionBundle,
        audit,
      }: Pick<Cradle, 'storage' | 'config' | 'forgeRegistry' | 'sessionBundle' | 'audit'>) =>
        createTemplatesService({
          storage,
          config,
          audit,
          forgeFor: (kind) => forgeRegistry.get(kind),
          workflowTemplates: createBuiltInWorkflowTemplates({ sessionBundleSha256: () => sessionBundle.current()?.sha256 }),
        }),
    ).singleton(),
    agentSandboxStatus: asValue(() => agentSandboxStatus()),
    configStatus: asFunction(createConfigStatusService).singleton(),
  });
}
