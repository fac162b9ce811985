import { type AwilixContainer, asFunction } from 'awilix';
import { createIssueControlService } from '../../core/app/issues/issue-control.service.js';
import { createIssueEventLog, createIssueOverridesStore } from '../../core/app/issues/issue-records.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;

/**
 * Issue control (the v1 API's issue management and attempts): the per-issue overrides, the
 * per-issue event log (subscribed to the bus at boot, as every registration is resolved then),
 * the service, and the overrides a dispatch puts in the session's environment.
 */
export function registerIssueControl(container: AwilixContainer<Cradle>): void {
  container.register({
    issueOverrides: asFunction(({ storage }: Pick<Cradle, 'storage'>) => createIssueOverridesStore(storage)).singleton(),
    issueEvents: asFunction(({ storage, eventBus, logger }: Pick<Cradle, 'storage' | 'eventBus' | 'logger'>) =>
      createIssueEventLog({ storage, eventBus, logger }),
    )
      .singleton()
      .disposer((log) => log.dispose()),
    // A template override names a stored template by id (or is the text itself): the session gets the body.
    // The issue's override wins over the mapping's `promptTemplate`.
    issueRunOverrides: asFunction(
      ({ issueOverrides, promptTemplates }: Pick<Cradle, 'issueOverrides' | 'promptTemplates'>) =>
        async (issueId: string, mappingTemplate?: string) => {
          const overrides = await issueOverrides.runOverrides(issueId);
          const template = overrides.template ?? mappingTemplate;
          return template ? { ...overrides, template: await promptTemplates.resolve(template) } : overrides;
        },
    ).singleton(),
    issueControl: asFunction(createIssueControlService).singleton(),
  });
}
