import { type AwilixContainer, asFunction } from 'awilix';
import type { Orchestrator } from '../container.js';
import { EXPOSED_SERVICES, exposedName } from './exposed-services.js';

/**
 * Registers a built orchestrator into a host's own awilix container: the orchestrator itself as
 * `aiImplement` (disposed with the host container) and each exposed service under the prefix
 * (`aiImplementReconcile`, `aiImplementMappings`, …), taken from the orchestrator's container
 * when first asked for, so the host's services can name them in their deps.
 */
export function registerOrchestratorWithAwilix(
  container: AwilixContainer,
  orchestrator: Orchestrator,
  prefix = 'aiImplement',
): void {
  container.register(
    prefix,
    asFunction(() => orchestrator)
      .singleton()
      .disposer((o) => o.dispose()),
  );
  for (const key of EXPOSED_SERVICES) {
    container.register(exposedName(prefix, key), asFunction(() => orchestrator.cradle[key]).singleton());
  }
}
