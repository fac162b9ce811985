import { type AwilixContainer, asFunction } from 'awilix';
import type { Core } from '../composition/create-core.js';
import type { Orchestrator } from '../container.js';
import { exposedName, exposedServices } from './exposed-services.js';

/**
 * Registers a built orchestrator into a host's own awilix container: the orchestrator itself as
 * `aiImplement` (disposed with the host container) and each exposed service under the prefix
 * (`aiImplementReconcile`, `aiImplementMappings`, …), taken from the orchestrator's container
 * when first asked for, so the host's services can name them in their deps.
 */
export function registerOrchestratorWithAwilix(
  container: AwilixContainer,
  orchestrator: Core | Orchestrator,
  prefix = 'aiImplement',
): void {
  container.register(
    prefix,
    asFunction(() => orchestrator)
      .singleton()
      .disposer((o) => o.dispose()),
  );
  for (const [key, get] of exposedServices(orchestrator)) {
    container.register(exposedName(prefix, key), asFunction(get).singleton());
  }
}
