import type { Config } from '../config.js';
import type { Orchestrator, OrchestratorOverrides } from '../container.js';

export type { Orchestrator, OrchestratorOverrides };

/**
 * The bundled server's composition, from the library entry (`import { createOrchestrator } from
 * 'ai-implement'`): the core plus its h3 app, the same as `ai-implement/h3`'s. The host is loaded
 * when this is called, so importing `ai-implement` for `createCore` alone loads no HTTP framework.
 */
export async function createOrchestrator(config: Config, overrides: OrchestratorOverrides = {}): Promise<Orchestrator> {
  const host = await import('../container.js');
  return host.createOrchestrator(config, overrides);
}
