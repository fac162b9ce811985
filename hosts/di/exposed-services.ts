import type { OrchestratorCradle } from '../composition/cradle.js';
import type { Core } from '../composition/create-core.js';
import type { Orchestrator } from '../container.js';

/**
 * The services an embedding host may take from the orchestrator's container: enough to drive
 * it (reconcile, mappings, the tracker, job outcomes), watch it (event bus, issue and blocker
 * views) and, for the bundled server, serve it (the h3 app, `httpApp`). The rest stay internal.
 */
export const EXPOSED_SERVICES = [
  'config',
  'storage',
  'eventBus',
  'mappings',
  'reconcile',
  'issuesView',
  'dispatchLog',
  'jobOutcome',
  'tracker',
] as const satisfies readonly (keyof OrchestratorCradle)[];

/** A core's services, and the h3 app when it is the bundled server's (`httpApp`). */
export type ExposedService = (typeof EXPOSED_SERVICES)[number] | 'httpApp';

/** What a host container gets from a built core or orchestrator, by key. */
export function exposedServices(core: Core | Orchestrator): [ExposedService, () => unknown][] {
  const out: [ExposedService, () => unknown][] = EXPOSED_SERVICES.map((key) => [key, () => core.cradle[key]]);
  if ('app' in core) out.push(['httpApp', () => core.app]);
  return out;
}

/** `reconcile` → `aiImplementReconcile`: one prefix keeps the host's own names free. */
export function exposedName(prefix: string, key: ExposedService): string {
  return `${prefix}${key[0]!.toUpperCase()}${key.slice(1)}`;
}
