import { type AwilixContainer, asFunction } from 'awilix';
import { createUsageAccounting } from '../../core/app/usage/usage-accounting.service.js';
import { createUsageMetrics } from '../../core/app/usage/usage-metrics.js';
import { createUsageSettings } from '../../core/app/usage/usage-settings.js';
import { createUsageViews } from '../../core/app/usage/usage-views.service.js';
import type { OrchestratorCradle } from './cradle.js';

type Cradle = OrchestratorCradle;

/**
 * Usage, spend and budgets (issue 17): the price table and global budget (environment, then the
 * configuration overlay), the `/metrics` usage counters, the accounting behind the runner
 * callbacks and the planner's daily budgets, and the views behind `/api/usage`.
 */
export function registerUsage(container: AwilixContainer<Cradle>): void {
  container.register({
    usageSettings: asFunction(({ config, clock, configOverlay }: Pick<Cradle, 'config' | 'clock' | 'configOverlay'>) =>
      createUsageSettings({ config, clock, overlay: () => configOverlay.stored() }),
    ).singleton(),
    usageMetrics: asFunction(createUsageMetrics).singleton(),
    usageAccounting: asFunction(createUsageAccounting).singleton(),
    usageViews: asFunction(createUsageViews).singleton(),
  });
}
