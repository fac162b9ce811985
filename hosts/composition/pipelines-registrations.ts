import { type AwilixContainer, asValue } from 'awilix';
import { loadPlugins } from '../../plugins/plugin-loader.js';
import { STEP_SERVICE_KEYS } from '../../plugins/run-context.js';
import type { OrchestratorCradle } from './cradle.js';

/**
 * Pipelines and steps: loads the built-ins and the operator's CUSTOM_DIR once at boot
 * (`pluginCatalog`), so a broken custom file stops the orchestrator with a message naming the
 * file and the problem. Steps run in sessions, whose container provides `STEP_SERVICE_KEYS`
 * plus what steps provide; their needs are checked against those. Called after the overrides
 * are registered: an override of `customDir` (tests) or of `pluginCatalog` itself is honoured.
 */
export async function registerPipelines(container: AwilixContainer<OrchestratorCradle>): Promise<void> {
  if (!container.hasRegistration('customDir')) container.register('customDir', asValue(container.resolve('config').customDir));
  if (container.hasRegistration('pluginCatalog')) return;
  const catalog = await loadPlugins({ customDir: container.resolve('customDir'), services: STEP_SERVICE_KEYS });
  container.register('pluginCatalog', asValue(catalog));
}
